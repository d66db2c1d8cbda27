"""A day of the cluster: SMEs post jobs over time, factories accept and produce, settlement runs."""

from django.core.management.base import BaseCommand, CommandError

from marketplace.report import run_figures, write_report
from marketplace.simulation import money_checks, simulate

BAR_WIDTH = 30


class Command(BaseCommand):
    help = (
        "Simulate a day of the cluster through the real services and print match rate, time to match, "
        "factory utilisation and money checks; --report DIR also writes the dashboard's charts (PNG) and an "
        "index.html summary."
    )

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=int, default=24)
        parser.add_argument("--smes", type=int, default=8)
        parser.add_argument("--factories", type=int, default=6)
        parser.add_argument("--jobs-per-hour", type=int, default=3)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--report", metavar="DIR", help="write the charts (PNG) and index.html into DIR")

    def progress(self, hour, hours, line):
        """A text bar on stderr, redrawn each simulated hour; the hour's line on stdout too
        unless stdout is the same terminal (the bar carries it there)."""
        filled = round(BAR_WIDTH * hour / hours)
        bar = f"\r[{'#' * filled}{'-' * (BAR_WIDTH - filled)}] {hour}/{hours} h  {line.split(': ', 1)[-1]}"
        self.stderr.write(bar, ending="\n" if hour == hours else "", style_func=str)
        self.stderr.flush()
        if not self.stdout.isatty():
            self.stdout.write(line)

    def handle(self, *args, **options):
        if options["hours"] < 1 or options["smes"] < 1 or options["factories"] < 1:
            raise CommandError("--hours, --smes and --factories must be at least 1")
        report = simulate(
            hours=options["hours"],
            smes=options["smes"],
            factories=options["factories"],
            jobs_per_hour=options["jobs_per_hour"],
            seed=options["seed"],
            echo=self.stdout.write,
            progress=self.progress,
        )
        ok, problems, totals = money_checks()
        figures = run_figures(report, hours=options["hours"])
        self.stdout.write("")
        self.stdout.write(f"jobs posted and paid   {figures['posted']}")
        self.stdout.write(
            f"match rate             {figures['match_rate']:.1%} "
            f"({figures['matched']} matched, {report.cancelled} cancelled)"
        )
        self.stdout.write(
            f"time to match          p50 {figures['p50_h']:.1f} h, p95 {figures['p95_h']:.1f} h (simulated hours)"
        )
        self.stdout.write(
            f"factory utilisation    {figures['utilisation']:.1%}: {figures['booked']:,} pieces booked over "
            f"{figures['capacity']:,} the lines can make by their deadlines (the dashboard's calendar)"
        )
        self.stdout.write(f"assignments completed  {report.completed}; settlement batches {report.batches}")
        first_pass = report.lots_accepted_first / max(1, report.lots_inspected)
        self.stdout.write(
            f"inspection             first-pass acceptance {first_pass:.1%} "
            f"({report.lots_accepted_first} of {report.lots_inspected} lots by GB/T 2828.1), "
            f"{report.reinspections} re-inspected after rework"
        )
        self.stdout.write(f"steps                  {dict(sorted(report.steps.items()))}")
        self.stdout.write(
            f"money                  paid in {totals['paid_in'] / 100:,.2f} CNY, to factories "
            f"{totals['to_factories'] / 100:,.2f}, commission {totals['commission'] / 100:,.2f}, "
            f"refunds owed {totals['refunds_owed'] / 100:,.2f}"
        )
        if options["report"]:
            paths = write_report(
                options["report"], report=report, figures=figures, totals=totals, ok=ok, hours=options["hours"]
            )
            self.stdout.write(f"report                 {paths[-1]} and {len(paths) - 1} charts")
        if not ok:
            for problem in problems:
                self.stderr.write(f"FAIL {problem}")
            raise CommandError("money checks failed")
        self.stdout.write("money checks           ledger balanced, reconciliation ties out")
