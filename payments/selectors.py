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


def settlement_list(*, factory_id=None, status=None):
    from payments.models import SettlementBatch

    queryset = SettlementBatch.objects.select_related("factory").prefetch_related("lines")
    if factory_id is not None:
        queryset = queryset.filter(factory_id=factory_id)
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("-cutoff", "-id")


RECONCILIATION_COLUMNS = (
    "paid_in",
    "released",
    "to_factories",
    "commission",
    "refunds_owed",
    "refunds_sent",
    "paid_out",
    "escrow_change",
)


def reconciliation_by_day() -> dict:
    """Per local day, what came in and where it went, from the ledger's legs (one query).

    paid_in       money captured into escrow
    released      escrow released on accepted work (to factories, commission, rejected pieces)
    to_factories  factories' payable earned;  commission  the platform's share
    refunds_owed  escrow owed back to SMEs (cancel, expiry, rejected pieces)
    refunds_sent  refunds the gateway has sent;  paid_out  payouts the gateway confirmed
    escrow_change paid in less everything that left escrow

    A day ties out when paid_in = escrow_change + to_factories + commission + the refunds
    owed from escrow; the totals tie out when the escrow change adds up to the escrow held now.
    """
    from django.db.models.functions import TruncDate
    from django.utils import timezone

    from payments.models import LedgerAccount, LedgerLeg

    rows = (
        LedgerLeg.objects.annotate(day=TruncDate("transaction__created_at", tzinfo=timezone.get_current_timezone()))
        .values("day", "transaction__kind", "account__kind")
        .annotate(total=Sum("amount_fen"))
        .order_by("day")
    )
    days: dict = {}
    for row in rows:
        day = days.setdefault(row["day"], dict.fromkeys(RECONCILIATION_COLUMNS, 0) | {"refunds_from_escrow": 0})
        kind, account, total = row["transaction__kind"], row["account__kind"], row["total"]
        if kind == "payment_captured" and account == "escrow":
            day["paid_in"] += total
        if kind == "release" and account == "escrow":
            day["released"] -= total
        if kind == "release" and account == "factory_payable":
            day["to_factories"] += total
        if kind == "release" and account == "commission_revenue":
            day["commission"] += total
        if kind in ("release", "refund") and account == "sme_refunds":
            day["refunds_owed"] += total
        if kind == "refund" and account == "escrow":
            day["refunds_from_escrow"] -= total
        if kind == "refund_sent" and account == "gateway_clearing":
            day["refunds_sent"] += total
        if kind == "payout_paid" and account == "paid_out":
            day["paid_out"] += total
        if account == "escrow":
            day["escrow_change"] += total
    lines = []
    for day, figures in sorted(days.items()):
        release_refunds = figures["refunds_owed"] - figures["refunds_from_escrow"]
        ties = figures["paid_in"] == (
            figures["escrow_change"]
            + figures["to_factories"]
            + figures["commission"]
            + release_refunds
            + figures["refunds_from_escrow"]
        )
        lines.append({"day": day, **{c: figures[c] for c in RECONCILIATION_COLUMNS}, "ties_out": ties})
    totals = {c: sum(line[c] for line in lines) for c in RECONCILIATION_COLUMNS}
    held = (
        LedgerAccount.objects.filter(kind=LedgerAccount.Kind.ESCROW).aggregate(total=Sum("balance_fen"))["total"] or 0
    )
    totals["ties_out"] = all(line["ties_out"] for line in lines) and totals["escrow_change"] == held
    return {"days": lines, "totals": totals, "escrow_held": held}
