"""The beat tasks of payments (payments/tasks.py)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from orders import services
from payments.models import Refund, SettlementBatch
from payments.services import settlement
from payments.tasks import money_sweep_task
from tests import fixtures

pytestmark = pytest.mark.django_db


def test_money_sweep_redrives_lost_refunds_and_payouts():
    user, company = fixtures.sme()
    cancelled = fixtures.job((user, company))
    services.job_cancel(job_id=cancelled.id, sme=company, user=user)  # its refund task was "lost"
    Refund.objects.update(created_at=timezone.now() - timedelta(minutes=10))
    pair = fixtures.factory()
    fixtures.completed_assignment(pair)
    batch = settlement.settlement_build(cutoff=timezone.now() + timedelta(seconds=1))[0]
    SettlementBatch.objects.filter(id=batch.id).update(
        status="approved", updated_at=timezone.now() - timedelta(minutes=10)
    )
    # when
    swept = money_sweep_task()
    # then
    assert swept == 2
    assert Refund.objects.get(key=f"refund:job:{cancelled.id}").status == "succeeded"
    assert SettlementBatch.objects.get(id=batch.id).status == "paying"
