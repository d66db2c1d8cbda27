"""The gateway's daily trade bill compared with our ledger. Each payment the bill shows
must be a capture in the ledger for the same amount, each refund a refund sent for the same
amount, and each capture or refund we booked that day must be in the bill. What disagrees
is stored as a ``BillDifference`` (listed in the admin); running the day again replaces the
day's list, so a fixed difference disappears. Every run leaves a ``BillCheck``: passed,
differences, or failed (the bill could not be fetched or read, so nothing was compared: a
failure, never "no differences")."""

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from payments.gateways import GatewayError, NotOffered, gateway
from payments.models import BillCheck, BillDifference, LedgerLeg, Payment, Refund

K = BillDifference.Kind


def _day(bill_date: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(bill_date, time.min))  # Asia/Shanghai, the bill's day
    return start, start + timedelta(days=1)


def _booked(keys) -> dict[str, int]:
    """The amount of each ledger transaction named (its positive legs)."""
    amounts: dict[str, int] = {}
    for key, fen in LedgerLeg.objects.filter(transaction__key__in=list(keys), amount_fen__gt=0).values_list(
        "transaction__key", "amount_fen"
    ):
        amounts[key] = amounts.get(key, 0) + fen
    return amounts


def bill_compare(rows, bill_date: date, *, provider: str) -> list[dict]:
    differences = {}

    def differ(kind, number, gateway_fen, ledger_fen, detail):
        fields = {"gateway_fen": gateway_fen, "ledger_fen": ledger_fen, "detail": detail[:300]}
        differences.setdefault((kind, number[:64]), fields)

    in_bill = {"payment": set(), "refund": set()}
    keys = {}
    for row in rows:
        if row.ledger_key:
            keys[row] = row.ledger_key
        else:
            differ(K.NOT_IN_LEDGER, row.number, row.fen, None, f"a {row.kind} that is not one of our numbers")
    booked = _booked(keys.values())
    for row, key in keys.items():
        in_bill[row.kind].add(key)
        if key not in booked:
            differ(K.NOT_IN_LEDGER, row.number, row.fen, None, f"{row.kind} {row.reference}: no {key} in the ledger")
        elif booked[key] != row.fen:
            differ(K.AMOUNT, row.number, row.fen, booked[key], f"{row.kind} {row.reference}: {key}")
    start, end = _day(bill_date)
    captured = Payment.objects.filter(provider=provider, succeeded_at__gte=start, succeeded_at__lt=end)
    for payment in captured.only("id", "amount_fen"):
        key = f"payment:{payment.id}:captured"
        if key not in in_bill["payment"]:
            differ(K.NOT_IN_BILL, key, None, payment.amount_fen, f"payment {payment.id} captured, not in the bill")
    sent = Refund.objects.filter(
        payment__provider=provider, status=Refund.Status.SUCCEEDED, completed_at__gte=start, completed_at__lt=end
    )
    for refund in sent.only("key", "amount_fen"):
        if f"{refund.key}:sent" not in in_bill["refund"]:
            differ(K.NOT_IN_BILL, refund.key, None, refund.amount_fen, f"refund {refund.key} sent, not in the bill")
    return [{"kind": kind, "number": number, **fields} for (kind, number), fields in differences.items()]


def bill_reconcile(*, bill_date: date) -> list[BillDifference]:
    """Download the day's bill from the gateway, compare, and store the day's differences
    and its check. A bill that cannot be had or read is recorded as a failed check and
    raised (the task logs it; the admin shows it)."""
    adapter = gateway()
    try:
        rows = adapter.daily_bill(bill_date)
    except NotOffered:
        raise
    except GatewayError as exc:
        BillCheck.objects.update_or_create(
            provider=adapter.name,
            bill_date=bill_date,
            defaults={"outcome": BillCheck.Outcome.FAILED, "rows": 0, "differences": 0, "error": str(exc)[:500]},
        )
        raise
    differences = bill_compare(rows, bill_date, provider=adapter.name)
    with transaction.atomic():
        BillDifference.objects.filter(provider=adapter.name, bill_date=bill_date).delete()
        stored = BillDifference.objects.bulk_create(
            [BillDifference(provider=adapter.name, bill_date=bill_date, **fields) for fields in differences]
        )
        BillCheck.objects.update_or_create(
            provider=adapter.name,
            bill_date=bill_date,
            defaults={
                "outcome": BillCheck.Outcome.DIFFERENCES if stored else BillCheck.Outcome.PASSED,
                "rows": len(rows),
                "differences": len(stored),
                "error": "",
            },
        )
    return stored
