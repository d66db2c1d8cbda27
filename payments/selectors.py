"""Reads for money: a job's payment, a factory's balances, settlement batches, the daily
reconciliation and the ledger check."""

import logging

from django.db.models import Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from payments import chart, ledger, seams
from payments.gateways import GatewayError, PaymentInfo, gateway
from payments.models import LedgerAccount, LedgerLeg, Payment, PayoutAccount, SettlementBatch, SettlementLine

logger = logging.getLogger(__name__)


def pay_url(payment: Payment, *, request=None) -> str:
    """Where the payment is paid (the gateway's default checkout: the sandbox's page, WeChat
    Pay's QR code), while it requires payment (a declined one cannot be paid again at the
    gateway's page); "" otherwise, or while the gateway cannot be reached (the page is asked
    for again)."""
    if payment.status != Payment.Status.REQUIRES_PAYMENT:
        return ""
    try:
        return gateway().checkout(PaymentInfo.of(payment), request=request).url
    except GatewayError as exc:
        logger.warning("payment %s: no checkout now: %s", payment.id, exc)
        return ""


def payment_summary(payment: Payment | None, *, request=None, payer: bool = True) -> dict | None:
    """The ``payment`` object of a job (API.md): id, status, amount and where to pay.

    ``pay_url`` is a bearer link (whoever holds it can pay or decline): it is given only to
    the ``payer`` (the job's SME) and only while the payment can still be paid; "" otherwise.
    """
    if payment is None:
        return None
    return {
        "id": payment.id,
        "status": payment.status,
        "amount_fen": payment.amount_fen,
        "refunded_fen": payment.refunded_fen,
        "currency": payment.currency,
        "pay_url": pay_url(payment, request=request) if payer else "",
    }


def payments_by_job(job_ids) -> dict[int, Payment]:
    """The payment of each job, in one query."""
    return {payment.job_id: payment for payment in Payment.objects.filter(job_id__in=list(job_ids))}


def factory_balances(*, company_id: int) -> dict:
    """A factory's money in the ledger: earned and unpaid, on its way, and paid out."""
    codes = {
        "payable_fen": chart.payable(company_id),
        "in_transit_fen": chart.in_transit(company_id),
        "paid_out_fen": chart.paid_out(company_id),
    }
    balances = ledger.account_balances(list(codes.values()))
    return {name: balances[code] for name, code in codes.items()}


def sme_balances(*, company_id: int) -> dict:
    """What an SME's payments became, from the ledger's legs on its jobs (one query), in fen:

    paid_fen          captured into escrow
    escrow_fen        held in escrow now (for jobs not yet finished)
    released_fen      released on accepted work: to the factories and the platform's commission
    refunded_fen      owed back to the SME (cancelled or expired jobs, pieces not accepted)
    refunds_sent_fen  of that, what the gateway has sent back

    Without corrections (reversals), paid_fen = escrow_fen + released_fen + refunded_fen."""
    jobs = Payment.objects.filter(sme_id=company_id).values("job_id")
    rows = (
        LedgerLeg.objects.filter(transaction__job_id__in=jobs)
        .values("transaction__kind", "account__kind")
        .annotate(total=Sum("amount_fen"))
    )
    figures = dict.fromkeys(("paid_fen", "escrow_fen", "released_fen", "refunded_fen", "refunds_sent_fen"), 0)
    Kind = LedgerAccount.Kind
    for row in rows:
        kind, account, total = row["transaction__kind"], row["account__kind"], row["total"]
        if account == Kind.ESCROW:
            figures["escrow_fen"] += total
            if kind == chart.TxKind.PAYMENT_CAPTURED:
                figures["paid_fen"] += total
        if account in (Kind.FACTORY_PAYABLE, Kind.COMMISSION_REVENUE) and kind in (
            chart.TxKind.RELEASE,
            chart.TxKind.REVERSAL,
        ):
            figures["released_fen"] += total
        if account == Kind.SME_REFUNDS:
            figures["refunded_fen"] += total  # owed and not yet sent ...
        if account == Kind.GATEWAY_CLEARING and kind == chart.TxKind.REFUND_SENT:
            figures["refunds_sent_fen"] += total
    figures["refunded_fen"] += figures["refunds_sent_fen"]  # ... and sent
    return figures


def ledger_check_report() -> ledger.LedgerReport:
    """Every ledger invariant, with the escrow of finished jobs (asked of the jobs' owner
    through the ``finished_job_ids`` seam) required to be empty."""
    return ledger.ledger_check(finished_job_ids=seams.finished_job_ids())


def settlement_list(*, factory_id=None, status=None):
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


def payable_after_cutoff(*, cutoff) -> tuple[int, int]:
    """Releases into factories' payable at or after ``cutoff`` that no live batch holds yet:
    (how many, total fen). They are due in the next day's batch."""
    held = SettlementLine.objects.filter(active=True).values("release_key")
    legs = LedgerLeg.objects.filter(
        transaction__kind=chart.TxKind.RELEASE,
        transaction__created_at__gte=cutoff,
        account__kind=LedgerAccount.Kind.FACTORY_PAYABLE,
        amount_fen__gt=0,
    ).exclude(transaction__key__in=held)
    summary = legs.aggregate(total=Sum("amount_fen"))
    return legs.count(), summary["total"] or 0


def settlement_batch_review(*, batch: SettlementBatch) -> dict:
    """What an approver checks on a batch's page, in fen: per line the job, process and
    pieces it pays for (asked of the jobs' owner through ``assignments_described``), what
    the SME paid for the accepted pieces (gross), the commission and what the factory gets
    (net, the line's amount), from the line's release transaction; the payee; the totals."""
    lines = list(batch.lines.order_by("id"))
    legs = LedgerLeg.objects.filter(transaction__key__in=[line.release_key for line in lines]).values_list(
        "transaction__key", "account__kind", "amount_fen"
    )
    commission: dict[str, int] = {}
    for key, kind, amount in legs:
        if kind == LedgerAccount.Kind.COMMISSION_REVENUE:
            commission[key] = commission.get(key, 0) + amount
    described = seams.assignments_described(assignment_ids=[line.assignment_id for line in lines]) or {}
    rows = []
    for line in lines:
        about = described.get(line.assignment_id, {})
        fee = commission.get(line.release_key, 0)
        rows.append(
            {
                "line": line,
                "job_id": about.get("job_id"),
                "process": about.get("process", ""),
                "pieces": about.get("pieces"),
                "gross_fen": line.amount_fen + fee,
                "commission_fen": fee,
                "net_fen": line.amount_fen,
            }
        )
    active = [row for row in rows if row["line"].active]
    totals = {
        "lines": len(active),
        "pieces": sum(row["pieces"] or 0 for row in active),
        "gross_fen": sum(row["gross_fen"] for row in active),
        "commission_fen": sum(row["commission_fen"] for row in active),
        "net_fen": sum(row["net_fen"] for row in active),
    }
    payee = PayoutAccount.objects.filter(company_id=batch.factory_id).first()
    return {"rows": rows, "totals": totals, "payee": payee}
