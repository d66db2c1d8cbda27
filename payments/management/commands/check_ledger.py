"""Verify every ledger invariant; exit non-zero and name the culprit when one fails."""

from django.core.management.base import BaseCommand, CommandError

from payments import selectors


class Command(BaseCommand):
    help = "Verify every ledger invariant (balanced transactions, cached balances, no negatives, no stray escrow)."

    def handle(self, *args, **options):
        report = selectors.ledger_check_report()
        self.stdout.write(f"{report.accounts} accounts, {report.transactions} transactions checked")
        if not report.balanced:
            for problem in report.problems:
                self.stderr.write(f"FAIL {problem}")
            raise CommandError(f"ledger check failed: {len(report.problems)} problem(s)")
        self.stdout.write("ledger OK")
