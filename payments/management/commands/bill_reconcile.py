"""Compare the gateway's daily trade bill with the ledger (what the daily beat task does),
print the differences and exit non-zero when there are any, or when the check failed."""

from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.readable import yuan
from payments import services
from payments.gateways import GatewayError, NotOffered


def _yuan(fen):
    return "-" if fen is None else yuan(fen)


class Command(BaseCommand):
    help = "对账：某日（默认昨天）网关交易账单与账本比对 / Compare a day's gateway trade bill with the ledger."

    def add_arguments(self, parser):
        parser.add_argument("day", nargs="?", help="YYYY-MM-DD (local date); yesterday by default")

    def handle(self, *args, day=None, **options):
        try:
            bill_date = date.fromisoformat(day) if day else timezone.localdate() - timedelta(days=1)
        except ValueError:
            raise CommandError(f"不是日期 / not a date: {day}") from None
        try:
            differences = services.bill_reconcile(bill_date=bill_date)
        except NotOffered as exc:
            raise CommandError(f"当前网关没有对账单 / {exc}") from None
        except GatewayError as exc:
            raise CommandError(
                f"{bill_date} 对账失败，未比对任何记录 / bill check failed, nothing compared: {exc}"
            ) from None
        for difference in differences:
            self.stdout.write(
                f"{difference.get_kind_display()} {difference.number} 网关 gateway {_yuan(difference.gateway_fen)} "
                f"账本 ledger {_yuan(difference.ledger_fen)} {difference.detail}"
            )
        self.stdout.write(f"{bill_date}: {len(differences)} 处差异 / difference(s)")
        if differences:
            raise CommandError(
                f"账单与账本有 {len(differences)} 处差异 / difference(s) between the bill and the ledger"
            )
