from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from conftest import client_for
from core.errors import ConflictError, ForbiddenError
from orders import services as order_services
from orders.models import Assignment, Job
from payments import ledger
from payments.gateways import TransferRequest, TransferState, TransferStatus, gateway
from payments.models import LedgerTransaction, Payment, SandboxOperation, SettlementBatch, SettlementLine
from payments.services import settlement
from tests import fixtures

pytestmark = pytest.mark.django_db


def _soon():
    return timezone.now() + timedelta(seconds=1)


def _balances(company_id):
    return (
        ledger.account_balance(f"payable:factory:{company_id}"),
        ledger.account_balance(f"payouts_in_transit:factory:{company_id}"),
        ledger.account_balance(f"paid_out:factory:{company_id}"),
    )


def test_settlement_build_twice_for_the_same_cutoff_is_the_same_batch():
    # given: two completed assignments of one factory (15,000 fen each less 5%)
    pair = fixtures.factory()
    first = fixtures.completed_assignment(pair)
    second = fixtures.completed_assignment(pair)
    cutoff = _soon()
    # when
    built = settlement.settlement_build(cutoff=cutoff)
    again = settlement.settlement_build(cutoff=cutoff)
    # then
    assert [b.id for b in built] == [b.id for b in again]
    batch = built[0]
    assert (batch.factory_id, batch.status, batch.total_fen, batch.built_by_id) == (
        pair[1].id,
        "pending_review",
        28500,
        None,
    )
    assert sorted(batch.lines.values_list("assignment_id", "amount_fen")) == [(first.id, 14250), (second.id, 14250)]
    assert SettlementBatch.objects.count() == 1
    assert list(batch.history.values_list("action", flat=True)) == ["built"]


def test_settlement_builder_cannot_approve_and_another_admin_can(eager_celery_live):
    pair = fixtures.factory()
    fixtures.completed_assignment(pair)
    builder, checker = fixtures.admin_user(), fixtures.admin_user()
    batch = settlement.settlement_build(cutoff=_soon(), user=builder)[0]
    # when: the builder tries
    refused = client_for(builder).post(f"/api/v1/admin/settlements/{batch.id}/approve", {}, format="json")
    # then
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "four_eyes"
    assert SettlementBatch.objects.get(id=batch.id).status == "pending_review"
    # when: a second admin approves; the payout goes through the sandbox and its webhook
    approved = client_for(checker).post(f"/api/v1/admin/settlements/{batch.id}/approve", {}, format="json")
    # then
    assert approved.status_code == 200
    batch.refresh_from_db()
    assert (batch.status, batch.approved_by_id) == ("paid", checker.id)
    assert _balances(pair[1].id) == (0, 0, 14250)
    assert list(batch.history.values_list("action", flat=True)) == [
        "built",
        "approved",
        "payout_sending",  # the line, then the batch
        "payout_sent",
        "payout_paid",
        "paid",
    ]
    wallet = client_for(pair[0]).get("/api/v1/wallet").json()
    assert (wallet["payable_fen"], wallet["paid_out_fen"]) == (0, 14250)
    assert ledger.ledger_check().balanced


def test_settlement_system_built_batch_can_be_approved_by_any_admin(django_capture_on_commit_callbacks):
    pair = fixtures.factory()
    fixtures.completed_assignment(pair)
    batch = settlement.settlement_build(cutoff=_soon())[0]
    # when: any admin approves; approval itself moves no money and queues the payout task
    with django_capture_on_commit_callbacks() as queued:
        settlement.settlement_approve(batch_id=batch.id, admin=fixtures.admin_user())
    assert len(queued) == 1
    assert _balances(pair[1].id) == (14250, 0, 0)
    # then: the payout task moves payable to in transit until the gateway confirms
    settlement.settlement_payout(batch_id=batch.id)
    batch.refresh_from_db()
    assert batch.status == "paying"
    assert _balances(pair[1].id) == (0, 14250, 0)


def test_settlement_rejected_batch_lines_are_in_the_next_batch():
    pair = fixtures.factory()
    assignment = fixtures.completed_assignment(pair)
    admin = fixtures.admin_user()
    first = settlement.settlement_build(cutoff=_soon())[0]
    # when
    with pytest.raises(Exception) as no_reason:
        settlement.settlement_reject(batch_id=first.id, admin=admin, reason=" ")
    rejected = settlement.settlement_reject(batch_id=first.id, admin=admin, reason="line 3 looks wrong")
    later = fixtures.completed_assignment(pair)
    second = settlement.settlement_build(cutoff=_soon() + timedelta(seconds=1))[0]
    # then
    assert no_reason.value.code == "invalid"
    assert rejected.status == "rejected"
    assert second.id != first.id
    assert sorted(second.lines.values_list("assignment_id", flat=True)) == sorted([assignment.id, later.id])
    assert second.total_fen == 28500
    assert list(first.history.values_list("action", "reason")) == [("built", ""), ("rejected", "line 3 looks wrong")]
    assert _balances(pair[1].id) == (28500, 0, 0)


def _approved_batch(pair, pieces=1):
    for _ in range(pieces):
        fixtures.completed_assignment(pair)
    batch = settlement.settlement_build(cutoff=_soon())[0]
    SettlementBatch.objects.filter(id=batch.id).update(status="approved")
    return batch


def _request(line):
    return TransferRequest(
        key=line.payout_key, factory_id=line.batch.factory_id, amount_fen=line.amount_fen, remark="r", payee=None
    )


def test_settlement_payout_run_twice_pays_once(settings):
    # given: an approved batch of one line
    pair = fixtures.factory()
    batch = _approved_batch(pair)
    # when: the payout task runs; the transfer is accepted and in transit
    settlement.settlement_payout(batch_id=batch.id)
    assert _balances(pair[1].id) == (0, 14250, 0)
    # when: it runs again (a redelivered task): the gateway answers from its book
    settlement.settlement_payout(batch_id=batch.id)
    assert _balances(pair[1].id) == (0, 14250, 0)
    # and the gateway's news of it arrives (twice)
    line = batch.lines.get()
    for _ in range(2):
        settlement.payout_transfer_changed(key=line.payout_key, state="paid", reference="r")
    # then: one transfer at the gateway, money moved once each way
    assert SandboxOperation.objects.filter(kind="payout").count() == 1
    assert LedgerTransaction.objects.filter(kind="payout").count() == 1
    assert LedgerTransaction.objects.filter(kind="payout_paid").count() == 1
    assert _balances(pair[1].id) == (0, 0, 14250)
    assert SettlementBatch.objects.get(id=batch.id).status == "paid"
    assert list(batch.lines.values_list("payout_status", "active")) == [("paid", True)]


def test_settlement_payout_crash_between_gateway_and_commit_pays_once():
    pair = fixtures.factory()
    batch = _approved_batch(pair)
    # given: a worker started the payout and called the gateway, then died before recording it
    (line_id,) = settlement._payout_start(batch_id=batch.id)
    line = SettlementLine.objects.select_related("batch").get(id=line_id)
    first_call = gateway().transfer(_request(line))
    # when: the task is delivered again (acks_late) and runs from the top, and the sweep asks
    settlement.settlement_payout(batch_id=batch.id)
    settlement.payout_reconcile(line_id=line_id)
    # then: the gateway saw one transfer (the rerun replayed its key) and the ledger moved once
    assert SandboxOperation.objects.filter(kind="payout").count() == 1
    line.refresh_from_db()
    assert (line.payout_status, line.payout_reference) == ("paid", first_call.reference)
    assert LedgerTransaction.objects.filter(kind="payout").count() == 1
    # and the gateway's notification (even twice) changes nothing more
    for _ in range(2):
        settlement.payout_transfer_changed(key=line.payout_key, state="paid", reference=first_call.reference)
    assert _balances(pair[1].id) == (0, 0, 14250)
    assert SettlementBatch.objects.get(id=batch.id).status == "paid"


def test_settlement_refused_transfer_returns_the_line_to_the_next_batch(settings):
    pair = fixtures.factory()
    batch = _approved_batch(pair)
    settings.SANDBOX_FAIL = {"payout"}
    # when
    settlement.settlement_payout(batch_id=batch.id)
    # then: the batch failed, the money is back in payable, the line left the batch
    batch.refresh_from_db()
    assert batch.status == "failed"
    assert "told to fail" in batch.reason
    assert _balances(pair[1].id) == (14250, 0, 0)
    line = batch.lines.get()
    assert (line.payout_status, line.active) == ("returned", False)
    assert ledger.ledger_check().balanced
    # when: the gateway works again and the next day's batch is built and approved
    settings.SANDBOX_FAIL = set()
    following = settlement.settlement_build(cutoff=_soon() + timedelta(days=1))[0]
    # then: it holds the same assignment, and pays it
    assert list(following.lines.values_list("assignment_id", "amount_fen")) == [(line.assignment_id, 14250)]
    settlement.settlement_approve(batch_id=following.id, admin=fixtures.admin_user())
    settlement.settlement_payout(batch_id=following.id)
    settlement.payout_reconcile(line_id=following.lines.get().id)  # the gateway's book: paid
    assert SettlementBatch.objects.get(id=following.id).status == "paid"
    assert _balances(pair[1].id) == (0, 0, 14250)
    assert ledger.ledger_check().balanced


def test_settlement_payout_rerun_after_the_gateway_paid_is_not_refused(settings):
    pair = fixtures.factory()
    batch = _approved_batch(pair)
    (line_id,) = settlement._payout_start(batch_id=batch.id)
    gateway().transfer(_request(SettlementLine.objects.select_related("batch").get(id=line_id)))  # paid; worker died
    settings.SANDBOX_FAIL = {"payout"}  # and now the gateway refuses new transfers
    # when: the task runs again
    settlement.settlement_payout(batch_id=batch.id)
    # then: the gateway answers from its book; the line is not returned, and is paid once asked
    assert SettlementLine.objects.get(id=line_id).payout_status == "sending"
    settlement.payout_reconcile(line_id=line_id)
    assert SettlementLine.objects.get(id=line_id).payout_status == "paid"
    assert SettlementBatch.objects.get(id=batch.id).status == "paid"
    assert SandboxOperation.objects.filter(kind="payout").count() == 1


def test_settlement_paid_news_for_a_returned_line_is_not_booked_but_flagged(settings):
    pair = fixtures.factory()
    batch = _approved_batch(pair)
    settings.SANDBOX_FAIL = {"payout"}
    settlement.settlement_payout(batch_id=batch.id)
    line = batch.lines.get()
    before = _balances(pair[1].id)
    # when: a (hypothetical) "paid" arrives for the line already returned to payable
    settlement.payout_transfer_changed(key=line.payout_key, state="paid", reference="late")
    # then: nothing is booked twice; the batch's trail tells an admin
    assert _balances(pair[1].id) == before == (14250, 0, 0)
    assert batch.history.filter(action="duplicate_payout_risk").count() == 1
    assert ledger.ledger_check().balanced


def test_settlement_batch_with_a_paid_and_a_returned_line_is_paid_with_a_note():
    pair = fixtures.factory()
    batch = _approved_batch(pair, pieces=2)
    first, second = batch.lines.order_by("id")
    settlement._payout_start(batch_id=batch.id)
    # when: the gateway pays one line and returns the other
    settlement.payout_apply(line_id=first.id, status=TransferStatus(TransferState.PAID, reference="p1"))
    assert SettlementBatch.objects.get(id=batch.id).status == "paying"  # one line still open
    settlement.payout_apply(line_id=second.id, status=TransferStatus(TransferState.RETURNED, reason="FAIL"))
    # then
    batch.refresh_from_db()
    assert batch.status == "paid"
    assert "1" in batch.reason
    assert _balances(pair[1].id) == (14250, 0, 14250)
    assert SettlementLine.objects.filter(batch=batch, active=True).count() == 1
    assert ledger.ledger_check().balanced


def test_settlement_total_is_checked_against_the_ledger_on_approval():
    pair = fixtures.factory()
    fixtures.completed_assignment(pair)
    batch = settlement.settlement_build(cutoff=_soon())[0]
    SettlementLine.objects.filter(batch=batch).update(amount_fen=15000)
    SettlementBatch.objects.filter(id=batch.id).update(total_fen=15000)
    with pytest.raises(ConflictError) as error:
        settlement.settlement_approve(batch_id=batch.id, admin=fixtures.admin_user())
    assert error.value.code == "batch_ledger_mismatch"
    assert SettlementBatch.objects.get(id=batch.id).status == "pending_review"


def test_settlement_four_eyes_also_binds_the_last_changer():
    pair = fixtures.factory()
    fixtures.completed_assignment(pair)
    batch = settlement.settlement_build(cutoff=_soon())[0]
    changer = fixtures.admin_user()
    SettlementBatch.objects.filter(id=batch.id).update(last_changed_by=changer)
    with pytest.raises(ForbiddenError):
        settlement.settlement_approve(batch_id=batch.id, admin=changer)


def test_auto_accept_moves_money_exactly_like_a_manual_accept():
    # given: two identical deliveries, one accepted by hand, one left past the window
    pair = fixtures.factory()
    manual = fixtures.completed_assignment(pair)
    owner = fixtures.sme()
    job = fixtures.job(owner, quantity=1000, unit_price_fen=15)
    auto = order_services.board_accept(job_id=job.id, factory=pair[1], user=pair[0])
    order_services.assignment_materials_sent(assignment_id=auto.id, company=owner[1], user=owner[0])
    order_services.assignment_materials_received(
        assignment_id=auto.id, company=pair[1], user=pair[0], quantity_received=1000
    )
    order_services.assignment_deliver(assignment_id=auto.id, company=pair[1], user=pair[0], quantity_delivered=1000)
    Assignment.objects.filter(id=auto.id).update(delivered_at=timezone.now() - timedelta(hours=73))
    # when
    assert order_services.assignments_auto_accept_due() == 1
    # then
    legs = {}
    for assignment in (manual, auto):
        release = LedgerTransaction.objects.get(key=f"release:assignment:{assignment.id}")
        legs[assignment.id] = sorted((leg.account.kind, leg.amount_fen) for leg in release.legs.all())
    assert legs[manual.id] == legs[auto.id]
    assert Job.objects.get(id=job.id).status == "completed"
    assert Assignment.objects.get(id=auto.id).quantity_accepted == 1000


def test_expiry_moves_money_exactly_like_a_cancel(eager_celery):
    cancelled_owner = fixtures.sme()
    cancelled = fixtures.job(cancelled_owner, quantity=500, unit_price_fen=20)
    order_services.job_cancel(job_id=cancelled.id, sme=cancelled_owner[1], user=cancelled_owner[0])
    stale = fixtures.job(quantity=500, unit_price_fen=20, days=0.5)
    Job.objects.filter(id=stale.id).update(deadline=timezone.now() + timedelta(minutes=30))
    # when
    assert order_services.jobs_expire_due() == 1
    # then
    assert Job.objects.get(id=stale.id).status == "expired"
    for job in (cancelled, stale):
        refund = LedgerTransaction.objects.get(key=f"refund:job:{job.id}")
        assert sorted((leg.account.kind, leg.amount_fen) for leg in refund.legs.all()) == [
            ("escrow", -10000),
            ("sme_refunds", 10000),
        ]
        assert Payment.objects.get(job_id=job.id).status == "refunded"


def test_settle_command_builds_and_prints(capsys):
    pair = fixtures.factory()
    fixtures.completed_assignment(pair)
    call_command("settle", "--cutoff", _soon().isoformat())
    out = capsys.readouterr().out
    assert "1 个结算批次 batch(es)" in out
    assert pair[1].name in out
    assert "¥142.50" in out
    assert "pending_review" in out


def test_settle_command_explains_an_empty_result_with_what_is_due_next(capsys):
    fixtures.completed_assignment()
    call_command("settle")  # the default cutoff: the start of today, before the work was accepted
    out = capsys.readouterr().out
    assert "0 个结算批次 batch(es)" in out
    assert "1 earned after the cutoff, due in the next batch: ¥142.50" in out
    assert "Nothing earned before the cutoff is waiting" in out


def test_settle_command_as_an_admin_keeps_four_eyes(capsys):
    pair = fixtures.factory()
    fixtures.completed_assignment(pair)
    builder = fixtures.admin_user()
    call_command("settle", "--cutoff", (timezone.now() + timedelta(seconds=1)).isoformat(), "--as", builder.username)
    batch = SettlementBatch.objects.get()
    assert batch.built_by_id == builder.id
    with pytest.raises(ForbiddenError):
        settlement.settlement_approve(batch_id=batch.id, admin=builder)


def test_settlement_api_role_checks_and_lists():
    pair = fixtures.factory()
    other = fixtures.factory()
    fixtures.completed_assignment(pair)
    batch = settlement.settlement_build(cutoff=_soon())[0]
    admin = fixtures.admin_user()
    # the factory sees its own batches; another factory none; SMEs may not look
    own = client_for(pair[0]).get("/api/v1/settlements").json()
    assert [(b["id"], b["total_fen"], len(b["lines"])) for b in own["results"]] == [(batch.id, 14250, 1)]
    assert client_for(other[0]).get("/api/v1/settlements").json()["count"] == 0
    assert client_for(fixtures.sme()[0]).get("/api/v1/settlements").status_code == 403
    # only admins see and decide all batches
    listed = client_for(admin).get("/api/v1/admin/settlements?status=pending_review").json()
    assert [b["id"] for b in listed["results"]] == [batch.id]
    assert client_for(admin).get("/api/v1/admin/settlements?status=nope").status_code == 400
    for caller in (pair[0], fixtures.sme()[0]):
        assert client_for(caller).get("/api/v1/admin/settlements").status_code == 403
        assert (
            client_for(caller).post(f"/api/v1/admin/settlements/{batch.id}/approve", {}, format="json").status_code
            == 403
        )
    missing = client_for(admin).post("/api/v1/admin/settlements/999999/approve", {}, format="json")
    assert missing.status_code == 404
    rejected = client_for(admin).post(
        f"/api/v1/admin/settlements/{batch.id}/reject", {"reason": "check quantities"}, format="json"
    )
    assert rejected.status_code == 200
    assert rejected.json()["status"] == "rejected"
