"""The customer material page: per SME and per factory, what was sent, received, lost and
returned, and what is still to come back to the SME."""

import re

import pytest
from django.test import Client

from orders import selectors
from orders import services as order_services
from tests import fixtures

pytestmark = pytest.mark.django_db


@pytest.fixture
def material_world():
    """SME A: 1,000 sent to F1, 990 received, 960 delivered with 10 lost, 20 returned and not
    yet confirmed; 500 sent to F2, received, in production. SME B: 300 sent to F1, which gave
    the share back before receiving it; B confirmed the 300 back."""
    sme_a, sme_b = fixtures.sme(), fixtures.sme()
    f1, f2 = fixtures.factory(), fixtures.factory()

    def taken(owner, pair, quantity):
        job = fixtures.job(owner, quantity=quantity)
        share = order_services.board_accept(job_id=job.id, factory=pair[1], user=pair[0])
        order_services.assignment_materials_sent(assignment_id=share.id, company=owner[1], user=owner[0])
        return share

    first = taken(sme_a, f1, 1000)
    order_services.assignment_materials_received(
        assignment_id=first.id, company=f1[1], user=f1[0], quantity_received=990
    )
    order_services.assignment_deliver(
        assignment_id=first.id, company=f1[1], user=f1[0], quantity_delivered=960, quantity_lost=10
    )
    second = taken(sme_a, f2, 500)
    order_services.assignment_materials_received(
        assignment_id=second.id, company=f2[1], user=f2[0], quantity_received=500
    )
    third = taken(sme_b, f1, 300)
    order_services.assignment_withdraw(assignment_id=third.id, company=f1[1], user=f1[0], reason="machine down")
    order_services.assignment_materials_returned(assignment_id=third.id, company=sme_b[1], user=sme_b[0])
    return {"sme_a": sme_a[1], "sme_b": sme_b[1], "f1": f1[1], "f2": f2[1]}


def _figures(row):
    return {key: row[key] for key in ("shares", *selectors.MATERIAL_FIGURES, "owed")}


def test_material_per_sme_and_per_factory(material_world):
    # when
    figures = selectors.materials_by_company()
    # then
    smes = {row["id"]: _figures(row) for row in figures["smes"]}
    zero = dict.fromkeys(selectors.MATERIAL_FIGURES, 0)
    assert smes[material_world["sme_a"].id] == {
        **zero,
        "shares": 2,
        "sent": 1500,
        "received": 1490,
        "short": 10,
        "consumed": 960,
        "lost": 10,
        "to_confirm": 20,
        "in_work": 500,
        "owed": 20,
    }
    assert smes[material_world["sme_b"].id] == {**zero, "shares": 1, "sent": 300, "returned": 300, "owed": 0}
    factories = {row["id"]: _figures(row) for row in figures["factories"]}
    assert factories[material_world["f1"].id] == {
        **zero,
        "shares": 2,
        "sent": 1300,
        "received": 990,
        "short": 10,
        "consumed": 960,
        "lost": 10,
        "returned": 300,
        "to_confirm": 20,
        "owed": 20,
    }
    assert factories[material_world["f2"].id] == {
        **zero,
        "shares": 1,
        "sent": 500,
        "received": 500,
        "in_work": 500,
        "owed": 0,
    }
    assert figures["smes"][0]["id"] == material_world["sme_a"].id  # most owed first
    assert figures["totals"]["sent"] == 1800 and figures["totals"]["owed"] == 20
    assert selectors.material_returned_unconfirmed() == 20


def test_material_left_at_the_factory_on_a_share_out_of_production_is_owed():
    # given: a delivered share whose movements leave 15 of the 100 received unaccounted
    row = {
        "status": "delivered",
        "sent": 100,
        "received": 100,
        "consumed": 80,
        "lost": 5,
        "written_off": 0,
        "returned_confirmed": 0,
        "to_confirm": 0,
    }
    # when
    share = selectors._material_share(row)
    # then: left over, not in work; the same movements on a share in production are in work
    assert (share["left_over"], share["in_work"]) == (15, 0)
    assert (selectors._material_share(row | {"status": "in_production"})["in_work"]) == 15


def test_material_page_for_staff_linked_from_the_desk_in_chinese(material_world):
    # given: an operator
    operator = fixtures.admin_user()
    operator.is_superuser = True
    operator.save()
    browser = Client()
    browser.force_login(operator)
    # when
    home = browser.get("/admin/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    page = browser.get("/admin/materials/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    # then: the desk links to the page with the pieces waiting for the SME's confirmation
    assert 'href="/admin/materials/"' in home
    assert re.search(r'id="desk-material-to-confirm">20<', home)
    assert "客户物料" in page and "尚待退回" in page
    row = re.search(rf'<tr data-id="{material_world["sme_a"].id}">(.*?)</tr>', page, re.S).group(1)
    # still to be returned first (in sight on a phone), then shares, sent, received, short,
    # consumed, lost, written off, returned, to confirm, in work, left over
    cells = ["20", "2", "1500", "1490", "10", "960", "10", "0", "0", "20", "500", "0"]
    assert re.findall(r"<td[^>]*>(\d+)</td>", row) == cells


@pytest.mark.parametrize("who", ["anonymous", "sme"])
def test_material_page_is_staff_only(who, material_world):
    browser = Client()
    if who == "sme":
        browser.force_login(fixtures.sme()[0])
    response = browser.get("/admin/materials/")
    assert response.status_code in (302, 403)
    assert b"materials-smes" not in response.content
