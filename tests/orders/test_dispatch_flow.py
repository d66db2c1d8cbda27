from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import client_for
from core.errors import ConflictError
from core.models import StreamEvent
from factories import services as factory_services
from factories.models import FactoryProfile
from orders import services
from orders.models import Assignment, DispatchBatch, Job, Offer
from tests import fixtures

pytestmark = pytest.mark.django_db


def _pending(job):
    return list(Offer.objects.filter(job=job, status="pending").values_list("factory_id", "quantity"))


def test_dispatch_batch_offers_the_job_to_the_cheapest_nearby_factory():
    # given: a dispatch job and two eligible factories, one nearer and cheaper
    job = fixtures.job(mode="dispatch", quantity=1000)
    near_user, near = fixtures.factory(lat=36.27, lng=120.03)
    _, far = fixtures.factory(lat=36.40, lng=120.03, capabilities=[("velcro_sewing", 14, 4000, 100, 0)])
    # when
    batch = services.dispatch_run_batch()
    # then
    assert _pending(job) == [(near.id, 1000)]
    assert Job.objects.get(id=job.id).status == "open"
    assert (batch.jobs, batch.factories, batch.offers_made, batch.unmatched) == (1, 2, 1, 0)
    assert batch.candidates == 2
    assert batch.total_cost <= batch.greedy_cost
    listed = client_for(near_user).get("/api/v1/offers").json()["results"]
    assert [(o["job"]["id"], o["quantity"], o["amount_fen"]) for o in listed] == [(job.id, 1000, 15000)]
    assert listed[0]["job"]["spec"] == fixtures.VELCRO_SPEC
    assert listed[0]["distance_km"] > 0


def test_dispatch_second_batch_does_not_offer_a_job_again_while_its_offer_is_live():
    job = fixtures.job(mode="dispatch")
    fixtures.factory()
    fixtures.factory()
    services.dispatch_run_batch()
    # when
    second = services.dispatch_run_batch()
    # then
    assert len(_pending(job)) == 1
    assert second.offers_made == 0


def test_dispatch_declined_factory_is_not_offered_the_job_again():
    job = fixtures.job(mode="dispatch")
    first_user, first = fixtures.factory(lat=36.27, lng=120.03)
    _, second = fixtures.factory(lat=36.33, lng=120.03)
    services.dispatch_run_batch()
    offer = Offer.objects.get(job=job)
    assert offer.factory_id == first.id
    # when
    response = client_for(first_user).post(f"/api/v1/offers/{offer.id}/decline", {"reason": "busy"}, format="json")
    services.dispatch_run_batch()
    services.dispatch_run_batch()
    # then
    assert response.status_code == 200
    assert response.json()["status"] == "declined"
    assert _pending(job) == [(second.id, 1000)]
    assert Job.objects.get(id=job.id).dispatch_misses == 1


def test_dispatch_accept_offer_assigns_the_job_and_stale_offers_are_409():
    job = fixtures.job(mode="dispatch", quantity=1000)
    user, company = fixtures.factory()
    services.dispatch_run_batch()
    offer = Offer.objects.get(job=job)
    # when
    response = client_for(user).post(f"/api/v1/offers/{offer.id}/accept", {}, format="json")
    # then
    assert response.status_code == 201
    assert response.json()["quantity"] == 1000
    assert Job.objects.get(id=job.id).status == "assigned"
    assert Offer.objects.get(id=offer.id).status == "accepted"
    assert company.factory_profile.__class__.objects.get(company=company).offers_accepted == 1
    # a decline after accepting is a conflict, and nothing changes
    again = client_for(user).post(f"/api/v1/offers/{offer.id}/decline", {}, format="json")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "offer_accepted"


def test_dispatch_expired_offer_cannot_be_accepted():
    job = fixtures.job(mode="dispatch")
    user, _ = fixtures.factory()
    services.dispatch_run_batch()
    offer = Offer.objects.get(job=job)
    Offer.objects.filter(id=offer.id).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client_for(user).post(f"/api/v1/offers/{offer.id}/accept", {}, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "offer_expired"
    assert Assignment.objects.count() == 0


def test_dispatch_offer_of_a_cancelled_job_is_withdrawn():
    sme_user, sme = fixtures.sme()
    job = fixtures.job((sme_user, sme), mode="dispatch")
    user, _ = fixtures.factory()
    services.dispatch_run_batch()
    offer = Offer.objects.get(job=job)
    services.job_cancel(job_id=job.id, sme=sme, user=sme_user)
    response = client_for(user).post(f"/api/v1/offers/{offer.id}/accept", {}, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "offer_withdrawn"


def test_dispatch_misses_put_the_job_on_the_grab_board(settings):
    settings.DISPATCH_MISSES_TO_BOARD = 2
    job = fixtures.job(mode="dispatch")
    factories = [fixtures.factory(lat=36.27 + i * 0.01, lng=120.03) for i in range(3)]
    for _ in range(2):
        services.dispatch_run_batch()
        offer = Offer.objects.get(job=job, status="pending")
        holder = next(f for f in factories if f[1].id == offer.factory_id)
        services.offer_decline(offer_id=offer.id, factory=holder[1], user=holder[0], reason="no")
    # then: the third factory can see it on its board (and so could grab it)
    job.refresh_from_db()
    assert (job.dispatch_misses, job.on_board) == (2, True)
    third = next(f for f in factories if not Offer.objects.filter(job=job, factory=f[1]).exists())
    board = client_for(third[0]).get("/api/v1/board").json()
    assert [row["id"] for row in board["results"]] == [job.id]


def test_dispatch_factory_letting_offers_expire_is_switched_offline_with_a_reason():
    user, company = fixtures.factory()
    for _ in range(3):
        job = fixtures.job(mode="dispatch")
        services.dispatch_run_batch()
        assert Offer.objects.get(job=job).factory_id == company.id
        # when: the offer runs out
        services.offers_expire(now=timezone.now() + timedelta(seconds=61))
    # then
    profile = company.factory_profile.__class__.objects.get(company=company)
    assert (profile.online, profile.consecutive_offer_expiries) == (False, 3)
    assert "3 dispatch offers expired in a row" in profile.offline_reason
    notes = client_for(user).get("/api/v1/notifications").json()["results"]
    assert [n["kind"] for n in notes] == ["switched_offline"]
    # nobody else sees them
    assert client_for(fixtures.factory()[0]).get("/api/v1/notifications").json()["count"] == 0
    assert client_for(fixtures.sme()[0]).get("/api/v1/notifications").json()["count"] == 0
    assert client_for(None).get("/api/v1/notifications").status_code == 401
    assert list(StreamEvent.objects.filter(type="notification").values_list("company_id", flat=True)) == [company.id]


def test_dispatch_never_offers_a_factory_beyond_its_capacity():
    # given: 1,000 pieces a day for 3 days, and six jobs of 600 due in 3 days
    _, company = fixtures.factory(capabilities=[("velcro_sewing", 12, 1000, 100, 0)])
    owner = fixtures.sme()
    for _ in range(6):
        fixtures.job(owner, mode="dispatch", quantity=600, days=3)
    # when: batches run until nothing more is offered
    for _ in range(5):
        services.dispatch_run_batch()
    # then: four jobs (2,400 pieces) at most, never the 3,600 asked
    offered = sum(Offer.objects.filter(factory=company, status="pending").values_list("quantity", flat=True))
    assert offered == 2400


def test_dispatch_counts_every_offer_a_factory_receives_in_a_batch(django_capture_on_commit_callbacks):
    # given: one factory and three jobs it can take in one batch (one per round)
    busy_user, busy = fixtures.factory(lat=36.27, lng=120.03, capabilities=[("velcro_sewing", 12, 10000, 100, 0)])
    owner = fixtures.sme()
    jobs = [fixtures.job(owner, mode="dispatch", quantity=500) for _ in range(3)]
    # when: the batch commits (its counts are written after the commit, not under its lock)
    with django_capture_on_commit_callbacks(execute=True):
        batch = services.dispatch_run_batch()
        assert FactoryProfile.objects.get(company=busy).offers_received == 0
    # then: three offers received, so accepting one is a third of them
    assert batch.offers_made == 3
    assert Offer.objects.filter(factory=busy, status="pending").count() == 3
    profile = FactoryProfile.objects.get(company=busy)
    assert profile.offers_received == 3
    offer = Offer.objects.filter(factory=busy, job=jobs[0]).get()
    services.offer_accept(offer_id=offer.id, factory=busy, user=busy_user)
    profile.refresh_from_db()
    assert profile.acceptance_rate == round(1 / 3, 3)


def test_dispatch_split_job_is_divided_and_assigned_once_covered():
    job = fixtures.job(mode="dispatch", quantity=10000, allow_split=True, days=1.5)
    factories = [
        fixtures.factory(lat=36.27 + i * 0.01, lng=120.03, capabilities=[("velcro_sewing", 12, 4000, 100, 0)])
        for i in range(3)
    ]
    services.dispatch_run_batch()
    offers = list(Offer.objects.filter(job=job, status="pending"))
    # then: the shares sum to the job, each within what a factory can make in 1.5 days
    assert sum(o.quantity for o in offers) == 10000
    assert all(o.quantity <= 5999 and o.split for o in offers)
    for offer in offers:
        user, company = next(f for f in factories if f[1].id == offer.factory_id)
        services.offer_accept(offer_id=offer.id, factory=company, user=user)
    assert Job.objects.get(id=job.id).status == "assigned"
    assert sum(Assignment.objects.filter(job=job).values_list("quantity", flat=True)) == 10000


def test_dispatch_only_factory_with_offer_may_answer_it():
    job = fixtures.job(mode="dispatch")
    fixtures.factory()
    other_user, _ = fixtures.factory(lat=40.0, lng=116.4)
    sme_user, _ = fixtures.sme()
    services.dispatch_run_batch()
    offer = Offer.objects.get(job=job)
    assert client_for(other_user).post(f"/api/v1/offers/{offer.id}/accept", {}, format="json").status_code == 404
    assert client_for(other_user).post(f"/api/v1/offers/{offer.id}/decline", {}, format="json").status_code == 404
    assert client_for(sme_user).post(f"/api/v1/offers/{offer.id}/accept", {}, format="json").status_code == 403
    assert client_for(sme_user).get("/api/v1/offers").status_code == 403
    assert Offer.objects.get(id=offer.id).status == "pending"


@pytest.mark.django_db(transaction=True)
def test_dispatch_overlapping_batches_never_make_two_live_offers_for_one_job():
    jobs = [fixtures.job(mode="dispatch") for _ in range(5)]
    for i in range(6):
        fixtures.factory(lat=36.27 + i * 0.01, lng=120.03)
    results = fixtures.concurrently(services.dispatch_run_batch, 4)
    # then: every job has exactly one live offer, however the batches interleaved
    for job in jobs:
        assert Offer.objects.filter(job=job, status="pending").count() == 1
    assert sum(b.offers_made for b in results if b) == 5
    assert DispatchBatch.objects.count() >= 1


def test_dispatch_offer_accept_rechecks_capacity():
    # given: an offer, then the factory fills its capacity on the grab board
    user, company = fixtures.factory(capabilities=[("velcro_sewing", 12, 1000, 100, 0)])
    dispatched = fixtures.job(mode="dispatch", quantity=2000, days=3)
    services.dispatch_run_batch()
    offer = Offer.objects.get(job=dispatched)
    grabbed = fixtures.job(quantity=900, days=3)
    services.board_accept(job_id=grabbed.id, factory=company, user=user)  # 2,000 offered + 900 fits in 2,999
    other = fixtures.job(quantity=500, days=3)
    with pytest.raises(ConflictError):
        services.board_accept(job_id=other.id, factory=company, user=user)  # the pending offer holds its share
    # when / then: the offer itself is still good
    assignment = services.offer_accept(offer_id=offer.id, factory=company, user=user)
    assert assignment.quantity == 2000


def test_dispatch_offer_sized_to_full_capacity_can_be_accepted_before_it_expires():
    # given: a split job the batch divides up to the factories' full capacity
    job = fixtures.job(mode="dispatch", quantity=10000, allow_split=True, days=1.5)
    pairs = [
        fixtures.factory(lat=36.27 + i * 0.01, lng=120.03, capabilities=[("velcro_sewing", 12, 4000, 100, 0)])
        for i in range(3)
    ]
    services.dispatch_run_batch()
    offers = list(Offer.objects.filter(job=job, status="pending"))
    # when: the factories answer 59 seconds later (capacity before the deadline has shrunk since)
    Offer.objects.filter(job=job).update(planned_at=timezone.now() - timedelta(seconds=59))
    for offer in offers:
        user, company = next(p for p in pairs if p[1].id == offer.factory_id)
        services.offer_accept(offer_id=offer.id, factory=company, user=user)
    # then
    assert Job.objects.get(id=job.id).status == "assigned"


def test_dispatch_offer_of_a_factory_gone_offline_is_409_not_404():
    job = fixtures.job(mode="dispatch")
    user, company = fixtures.factory()
    services.dispatch_run_batch()
    offer = Offer.objects.get(job=job)
    factory_services.factory_profile_update(company=company, online=False)
    response = client_for(user).post(f"/api/v1/offers/{offer.id}/accept", {}, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "offer_not_eligible"


def test_dispatch_batch_that_finds_nothing_is_counted_not_stored():
    # given: no open dispatch job
    from orders import selectors

    before = selectors.dispatch_empty_batches()
    # when: two batches run
    services.dispatch_run_batch()
    services.dispatch_run_batch()
    # then: no row, two more counted
    assert DispatchBatch.objects.count() == 0
    assert selectors.dispatch_empty_batches() == before + 2


@pytest.mark.django_db(transaction=True)
def test_dispatch_batch_works_out_its_greedy_baseline_once_its_offers_are_committed(monkeypatch):
    # given: a dispatch job and a factory, and a look at the moment the baseline is worked out
    from django.db import connection

    from orders.services import dispatch

    job = fixtures.job(mode="dispatch", quantity=1000)
    fixtures.factory(lat=36.27, lng=120.03)
    seen = {}
    record = dispatch._record_baseline

    def observed(batch, greedy):
        seen.update(in_transaction=connection.in_atomic_block, offers=Offer.objects.filter(batch=batch).count())
        record(batch, greedy)

    monkeypatch.setattr(dispatch, "_record_baseline", observed)
    # when
    batch = services.dispatch_run_batch()
    # then: the offer was committed before the baseline, which the record then holds
    assert seen == {"in_transaction": False, "offers": 1}
    stored = DispatchBatch.objects.get(id=batch.id)
    assert stored.greedy_cost == batch.greedy_cost >= stored.total_cost
    assert stored.baseline_ms > 0
    assert _pending(job) != []


def test_admin_shows_a_batch_greedy_baseline_or_a_dash_until_it_is_worked_out():
    # given: a batch whose baseline is recorded, and one whose worker died before it was
    from django.contrib import admin
    from django.test import Client

    done = DispatchBatch.objects.create(jobs=1, factories=1, total_cost=10.0, greedy_cost=1234.5, baseline_ms=12)
    pending = DispatchBatch.objects.create(jobs=1, factories=1, total_cost=10.0)
    staff = fixtures.admin_user()
    staff.is_superuser = True
    staff.save()
    browser = Client()
    browser.force_login(staff)
    # when
    pages = [browser.get(f"/admin/orders/dispatchbatch/{b.id}/change/") for b in (done, pending)]
    shown = [admin.site._registry[DispatchBatch].greedy(b) for b in (done, pending)]
    # then
    assert [page.status_code for page in pages] == [200, 200]
    assert shown == ["1,234.5 (12 ms)", "-"]
    assert "1,234.5 (12 ms)" in pages[0].content.decode()


def test_dispatch_batch_leaves_foreign_key_checks_deferred_for_the_rest_of_a_transaction():
    # given: a batch run inside a longer transaction (the test's); the batch asks for its
    # offers' checks early (SET CONSTRAINTS ALL IMMEDIATE), and must hand the mode back
    from django.db import IntegrityError, connection, transaction

    fixtures.job(mode="dispatch", quantity=1000)
    fixtures.factory(lat=36.27, lng=120.03)
    services.dispatch_run_batch()
    # when: a later write in the same transaction points at a job that does not exist yet
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO orders_boardentry (job_id, factory_id, distance_km, deadline, created_at) "
            "SELECT 999999999, factory_id, 1, now(), now() FROM orders_offer LIMIT 1"
        )
        # then: its check waits for the commit, as the schema declares (asked for now, it fails)
        with pytest.raises(IntegrityError), transaction.atomic():
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("DELETE FROM orders_boardentry WHERE job_id = 999999999")


def test_a_baseline_that_fails_leaves_the_record_empty_and_the_batch_standing(caplog):
    # given: a batch recorded without its baseline yet
    from orders.services import dispatch

    batch = DispatchBatch.objects.create(jobs=1, factories=1, total_cost=10.0)

    def broken():
        raise RuntimeError("greedy broke")

    # when
    dispatch._record_baseline(batch, broken)
    # then: nothing raised; the record keeps an empty baseline, and the log says why
    assert DispatchBatch.objects.get(id=batch.id).greedy_cost is None
    assert "greedy baseline not recorded" in caplog.text
