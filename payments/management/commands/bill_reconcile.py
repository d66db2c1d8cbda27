"""Compare the gateway's daily trade bill with the ledger (what the daily beat task does), print the
differences and exit non-zero when there are any."""

from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from payments import services
from payments.gateway import GatewayError


class Command(BaseCommand):
    help = "Compare the gateway's trade bill of a day (default: yesterday) with the ledger; list the differences."

    def add_arguments(self, parser):
        parser.add_argument("day", nargs="?", help="YYYY-MM-DD (local date); yesterday by default")

    def handle(self, *args, day=None, **options):
        try:
            bill_date = date.fromisoformat(day) if day else timezone.localdate() - timedelta(days=1)
        except ValueError:
            raise CommandError(f"not a date: {day}") from None
        try:
            differences = services.bill_reconcile(bill_date=bill_date)
        except GatewayError as exc:
            raise CommandError(str(exc)) from None
        for difference in differences:
            self.stdout.write(
                f"{difference.kind} {difference.number} gateway={difference.gateway_fen} "
                f"ledger={difference.ledger_fen} {difference.detail}"
            )
        self.stdout.write(f"{bill_date}: {len(differences)} difference(s)")
        if differences:
            raise CommandError(f"{len(differences)} difference(s) between the bill and the ledger")
