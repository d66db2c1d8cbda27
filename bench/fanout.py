"""The board's fan-out: what posting and taking one grab job costs as the factories in its
range grow.

Run: ``make bench`` (or ``.venv/bin/python bench/fanout.py``; PostgreSQL as in ``make test``).
In its own database (``<DATABASE_URL name>_fanout``, made anew) it places 60 verified
factories around Jiaozhou, all in range of the jobs it posts, opens grab jobs to their
boards (``board_job_publish``, what paying for a job runs) and has one factory take each
(``board_accept``); then it adds factories up to 600 and does the same, in the same run. For
each density it prints the rows written to the event table (``core_event``) and the time,
per job posted and per job taken (medians of ``JOBS`` jobs), and the ratio between the two
densities. docs/capacity.md uses these figures for the choice of per-factory board events.
"""

import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import common  # noqa: E402
from common import bench_admin, fast_passwords, verified_factory  # noqa: E402

JOBS = int(os.environ.get("BENCH_JOBS", "15"))
DENSITIES = (60, 600)
CENTRE = (36.264, 120.033)


def setup_django() -> None:
    common.setup_django("fanout")


def event_rows() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM core_event")
        return cursor.fetchone()[0]


def one_job(sme_user, sme, taker) -> tuple[int, float, int, float]:
    """Post one grab job to the boards and have ``taker`` take it: (rows, seconds) of each."""
    from django.db import transaction
    from django.utils import timezone

    from catalogue.models import Process
    from orders.models import Job
    from orders.services import board_accept
    from orders.services.board import board_job_publish

    job = Job.objects.create(
        sme=sme,
        created_by=sme_user,
        process=Process.objects.get(code="velcro_sewing"),
        spec={"width_mm": 25, "color": "black", "stitch": "box_x"},
        quantity=100,
        unit_price_fen=15,
        total_fen=1_500,
        deadline=timezone.now() + timedelta(days=5),
        lat=CENTRE[0],
        lng=CENTRE[1],
        mode="grab",
        status="open",
    )
    rows = event_rows()
    started = time.perf_counter()
    with transaction.atomic():
        board_job_publish(job)
    posted_s, posted_rows = time.perf_counter() - started, event_rows() - rows
    rows = event_rows()
    started = time.perf_counter()
    board_accept(job_id=job.id, factory=taker[1], user=taker[0])
    taken_s, taken_rows = time.perf_counter() - started, event_rows() - rows
    return posted_rows, posted_s, taken_rows, taken_s


def main() -> int:
    setup_django()
    import random

    from accounts.services import company_register

    fast_passwords()
    admin = bench_admin()
    rng = random.Random(20261207)
    sme_user, sme = company_register(
        username="fanout-sme", password="bench-pass-2026", company_name="SME", kind="sme", lat=CENTRE[0], lng=CENTRE[1]
    )
    factories = []
    results = {}
    print(f"board fan-out: one grab job posted and taken, median of {JOBS} jobs per density")
    for density in DENSITIES:
        while len(factories) < density:
            n = len(factories)
            factories.append(
                verified_factory(
                    admin,
                    username=f"fanout-{n}",
                    name=f"Factory {n}",
                    lat=CENTRE[0] + rng.uniform(-0.1, 0.1),
                    lng=CENTRE[1] + rng.uniform(-0.1, 0.1),
                    radius_km=40,
                    per_day=1_000_000,
                )
            )
        runs = [one_job(sme_user, sme, factories[i % len(factories)]) for i in range(JOBS)]
        posted_rows = statistics.median(r[0] for r in runs)
        taken_rows = statistics.median(r[2] for r in runs)
        posted_ms = statistics.median(r[1] for r in runs) * 1000
        taken_ms = statistics.median(r[3] for r in runs) * 1000
        results[density] = (posted_rows + taken_rows, posted_ms + taken_ms)
        print(
            f"  {density:>4} factories in range: posted {posted_rows:>4.0f} event rows in {posted_ms:6.1f} ms, "
            f"taken {taken_rows:>4.0f} rows in {taken_ms:6.1f} ms"
        )
    (rows_low, ms_low), (rows_high, ms_high) = results[DENSITIES[0]], results[DENSITIES[1]]
    print(
        f"  {DENSITIES[1]} vs {DENSITIES[0]} factories: {rows_high / rows_low:.1f}x the event rows, "
        f"{ms_high / ms_low:.1f}x the time per job posted and taken"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
