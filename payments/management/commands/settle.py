"""Build the settlement batches due now (what the daily beat task does) and print them."""

from datetime import datetime

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from payments.services.settlement import default_cutoff, settlement_build


class Command(BaseCommand):
    help = "Build the settlement batches due now (one per factory, as the system) and print them."

    def add_arguments(self, parser):
        parser.add_argument("--cutoff", help="ISO date-time; default: start of today (local time)")
        parser.add_argument(
            "--as", dest="as_user", help="build as this admin (who then may not approve them); default: the system"
        )

    def handle(self, *args, **options):
        cutoff = default_cutoff()
        if options["cutoff"]:
            try:
                cutoff = datetime.fromisoformat(options["cutoff"])
            except ValueError:
                raise CommandError("--cutoff must be an ISO date-time, e.g. 2026-11-26T00:00:00+08:00") from None
            if timezone.is_naive(cutoff):
                cutoff = timezone.make_aware(cutoff)
        user = None
        if options["as_user"]:
            user = get_user_model().objects.filter(username=options["as_user"], is_staff=True).first()
            if user is None:
                raise CommandError(f"no platform admin called {options['as_user']!r}")
        batches = settlement_build(cutoff=cutoff, user=user)
        self.stdout.write(f"cutoff {timezone.localtime(cutoff).isoformat()}: {len(batches)} batch(es)")
        for batch in batches:
            self.stdout.write(
                f"  batch {batch.id:>5}  factory {batch.factory_id:>5}  {batch.lines.filter(active=True).count():>4} "
                f"lines  {batch.total_fen / 100:>12,.2f} CNY  {batch.status}"
            )
