"""The periodic sweeps over jobs and shares: auto-accept of deliveries left unanswered,
expiry of jobs past their deadline (orders/services/sweeps.py)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from orders import services
from orders.models import Assignment, Job
from payments import ledger
from payments import services as payment_services
from payments.models import LedgerAccount, Refund
from tests import fixtures

pytestmark = pytest.mark.django_db


def test_auto_accept_one_bad_share_does_not_block_the_others():
    pair = fixtures.factory()
    owners = [fixtures.sme(), fixtures.sme()]
    shares = [fixtures.delivered_share(fixtures.job(o, quantity=100), o, pair, 100) for o in owners]
    Assignment.objects.filter(id__in=[s.id for s in shares]).update(delivered_at=timezone.now() - timedelta(days=4))
    # the first share's escrow is gone (as if a bug had drained it): its release is refused
    LedgerAccount.objects.filter(code=f"escrow:job:{shares[0].job_id}").update(balance_fen=0)
    assert services.assignments_auto_accept_due() == 1
    assert Assignment.objects.get(id=shares[1].id).status == "completed"


def test_unpaid_job_past_its_deadline_is_cancelled_by_the_expiry_task():
    job = fixtures.job(paid=False)
    Job.objects.filter(id=job.id).update(deadline=timezone.now() + timedelta(minutes=30))
    assert services.jobs_expire_due() == 1
    job.refresh_from_db()
    assert (job.status, job.cancel_reason) == ("cancelled", "not paid before the deadline")
    # a payment that still arrives is refunded
    payment_services.payment_captured(payment_id=job.payment.id, provider_ref="late")
    assert ledger.account_balance(f"escrow:job:{job.id}") == 0
    assert Refund.objects.get(key=f"refund:job:{job.id}").amount_fen == job.total_fen
