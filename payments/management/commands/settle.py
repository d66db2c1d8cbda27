"""Build the settlement batches due now (what the daily beat task does) and print them."""

from datetime import datetime

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.admin import yuan
from payments import selectors
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
        when = timezone.localtime(cutoff).strftime("%Y-%m-%d %H:%M %Z")
        self.stdout.write(f"截止 cutoff {when}: {len(batches)} 个结算批次 batch(es)")
        for batch in batches:
            lines = batch.lines.filter(active=True).count()
            total = yuan(batch.total_fen)
            self.stdout.write(
                f"  #{batch.id:<5} {batch.factory.name:<32} {lines:>4} 行 lines  {total:>14}  {batch.status}"
            )
        later, total = selectors.payable_after_cutoff(cutoff=cutoff)
        if later:
            self.stdout.write(
                f"  {later} 笔收入晚于截止时间，计入下一批次 "
                f"{later} earned after the cutoff, due in the next batch: {yuan(total)}"
            )
        if not batches:
            self.stdout.write(
                "  截止时间前没有未结算的收入。Nothing earned before the cutoff is waiting: batches hold work "
                "accepted before the start of the day (use --cutoff to settle up to another time)."
            )
