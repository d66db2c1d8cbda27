"""The whole of a lot's quality over HTTP, on both storages behind the ``photos`` name (the
filesystem, and moto's S3 server): the factory delivers with a delivery photo, the SME gets
the plan, inspects with an inspection photo and rejects the lot for rework, the factory
re-delivers, the second inspection passes with another photo, the SME accepts and the
payment is released from the job's escrow to the factory's payable."""

import pytest
import requests

from orders import services as order_services
from payments import chart, ledger
from payments.models import LedgerTransaction
from tests import fixtures
from tests.evidence.photos import Phone, jpeg_with_gps

pytestmark = pytest.mark.django_db(transaction=True)

LOT = 500  # at 15 fen a piece: 7,500 fen in escrow; level II, code letter H, 80 pieces sampled
PRICE_FEN = 15


def _ok(response, status=200) -> dict:
    assert response.status_code == status, response.text
    return response.json()


def _photo(phone: Phone, job_id: int, kind: str, **extra) -> int:
    """A photo of ``kind`` uploaded as the API says and confirmed; its id."""
    form = _ok(phone.presign(job_id, kind, **extra), 201)
    upload = Phone.upload(form, jpeg_with_gps((400, 300)))
    assert upload.status_code in (200, 201, 204), upload.text
    return _ok(phone.confirm(job_id, form["upload_key"]), 201)["id"]


def test_inspection_flow_delivery_photo_reject_rework_pass_and_payment_released(live_server, backend):
    # given: a paid job of 500 whose share a factory holds with its material received
    owner = fixtures.sme()
    job = fixtures.job(owner, quantity=LOT, unit_price_fen=PRICE_FEN)
    factory_user, factory = fixtures.factory()
    share = order_services.board_accept(job_id=job.id, factory=factory, user=factory_user)
    order_services.assignment_materials_sent(assignment_id=share.id, company=owner[1], user=owner[0])
    order_services.assignment_materials_received(
        assignment_id=share.id, company=factory, user=factory_user, quantity_received=LOT
    )
    sme, works = Phone(live_server.url, owner[0]), Phone(live_server.url, factory_user)
    api = live_server.url + f"/api/v1/assignments/{share.id}"
    escrow, payable = chart.escrow(job.id), chart.payable(factory.id)
    assert (ledger.account_balance(escrow), ledger.account_balance(payable)) == (LOT * PRICE_FEN, 0)

    # when: the factory photographs the lot and delivers it
    delivery_photo = _photo(works, job.id, "delivery")
    assert _ok(works.session.post(f"{api}/deliver", json={"quantity_delivered": LOT}))["status"] == "delivered"
    # then: the SME gets the plan for the delivered lot
    plan = _ok(sme.session.get(f"{api}/inspection"))["plan"]
    assert (plan["lot_size"], plan["code_letter"], plan["sample_size"]) == (LOT, "H", 80)
    assert plan["classes"]["major"] == {"aql": "2.5", "plan_letter": "H", "sample_size": 50, "ac": 3, "re": 4}

    # when: it inspects 80 pieces, finds 4 major defects (Re 4) and photographs them
    first_photo = _photo(sme, job.id, "inspection", assignment=share.id)
    body = {"sample_inspected": 80, "defects": {"position": 4}, "photo_ids": [first_photo]}
    # (the factory's delivery photo is no inspection photo of the SME's)
    refused = sme.session.post(f"{api}/inspection", json={**body, "photo_ids": [delivery_photo]})
    assert (refused.status_code, refused.json()["error"]["code"]) == (400, "invalid_photos")
    first = _ok(sme.session.post(f"{api}/inspection", json=body), 201)
    # then: the lot is rejected and goes back to the factory to rework, no money moved
    assert (first["round"], first["accepted"], first["next"]) == (1, False, "rework")
    assert first["photo_ids"] == [first_photo]
    assert _ok(works.session.get(f"{live_server.url}/api/v1/jobs/{job.id}"))["status"] == "in_production"
    assert ledger.account_balance(escrow) == LOT * PRICE_FEN
    # and the factory reads the SME's record and its photo (of its own share)
    seen = _ok(works.session.get(f"{api}/inspection"))
    assert [(i["round"], i["accepted"], i["photo_ids"]) for i in seen["inspections"]] == [(1, False, [first_photo])]
    listed = {p["id"]: p for p in _ok(works.photos(job.id))["results"]}
    assert set(listed) == {delivery_photo, first_photo}
    assert requests.get(listed[first_photo]["thumbnail_url"], timeout=30).status_code == 200

    # when: the factory reworks and re-delivers the whole lot; the second inspection passes
    assert _ok(works.session.post(f"{api}/deliver", json={"quantity_delivered": LOT}))["status"] == "delivered"
    second_photo = _photo(sme, job.id, "inspection")  # of the whole job this time
    body = {"sample_inspected": 80, "defects": {"position": 1}, "photo_ids": [second_photo]}
    second = _ok(sme.session.post(f"{api}/inspection", json=body), 201)
    assert (second["round"], second["accepted"], second["next"], second["photo_ids"]) == (
        2,
        True,
        "accept",
        [second_photo],
    )
    # and the SME accepts the lot
    done = _ok(sme.session.post(f"{api}/accept", json={"quantity_accepted": LOT, "rating": 4}))
    assert done["status"] == "completed"

    # then: the payment is released from escrow to the factory's payable, less 5% commission
    release = LedgerTransaction.objects.get(job_id=job.id, kind=chart.TxKind.RELEASE)
    legs = {leg.account.code: leg.amount_fen for leg in release.legs.select_related("account")}
    commission = LOT * PRICE_FEN * 5 // 100
    assert legs[escrow] == -LOT * PRICE_FEN
    assert legs[payable] == LOT * PRICE_FEN - commission
    assert (ledger.account_balance(escrow), ledger.account_balance(payable)) == (0, LOT * PRICE_FEN - commission)
    assert _ok(works.session.get(f"{live_server.url}/api/v1/wallet"))["payable_fen"] == LOT * PRICE_FEN - commission
    # and every photo is still there for the record, read through a short-lived URL
    assert {p["id"] for p in _ok(sme.photos(job.id))["results"]} == {delivery_photo, first_photo, second_photo}
