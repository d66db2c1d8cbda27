from django.db.models import F, Sum

from payments import ledger
from payments.gateway import gateway
from payments.models import Payment


def payment_summary_for_job(job, *, request=None) -> dict | None:
    """The ``payment`` object of a job (API.md): id, status, amount and where to pay."""
    try:
        payment = job.payment
    except Payment.DoesNotExist:
        return None
    return {
        "id": payment.id,
        "status": payment.status,
        "amount_fen": payment.amount_fen,
        "refunded_fen": payment.refunded_fen,
        "currency": payment.currency,
        "pay_url": gateway().pay_url(payment, request=request) if payment.status != Payment.Status.SUCCEEDED else "",
    }


def wallet_for_factory(*, company_id: int) -> dict:
    """Escrow held for the factory's live shares, its payable, and what was paid out."""
    from orders.models import Assignment

    escrow = (
        Assignment.objects.filter(factory_id=company_id, status__in=Assignment.LIVE).aggregate(
            total=Sum(F("quantity") * F("unit_price_fen"))
        )["total"]
        or 0
    )
    return {
        "escrow_fen": escrow,
        "payable_fen": ledger.account_balance(f"payable:factory:{company_id}"),
        "in_transit_fen": ledger.account_balance(f"payouts_in_transit:factory:{company_id}"),
        "paid_out_fen": ledger.account_balance(f"paid_out:factory:{company_id}"),
        "currency": "CNY",
    }


def finished_job_ids():
    """Jobs whose escrow must be empty: completed, cancelled or expired."""
    from orders.models import Job

    return Job.objects.filter(status__in=["completed", "cancelled", "expired"]).values_list("id", flat=True)
