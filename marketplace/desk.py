"""What needs an operator today, counted for the desk on the admin's index (reads only)."""

from datetime import timedelta

from django.utils import timezone

from orders import selectors as order_selectors
from orders.models import Job
from payments.models import Payment, Refund, SettlementBatch

# A payment still unpaid this long after it was made has outlived the reconciliation sweep.
STUCK_AFTER = timedelta(hours=1)


def desk_counts(*, now=None) -> dict[str, int]:
    now = now or timezone.now()
    return {
        "batches_to_review": SettlementBatch.objects.filter(status=SettlementBatch.Status.PENDING_REVIEW).count(),
        "payouts_failed": SettlementBatch.objects.filter(status=SettlementBatch.Status.FAILED).count(),
        "disputes": Job.objects.filter(status=Job.Status.DISPUTED).count(),
        "refunds_failed": Refund.objects.filter(status=Refund.Status.FAILED).count(),
        "payments_stuck": Payment.objects.filter(
            status=Payment.Status.REQUIRES_PAYMENT, created_at__lt=now - STUCK_AFTER
        ).count(),
        "empty_dispatch_batches": order_selectors.dispatch_empty_batches(),
    }
