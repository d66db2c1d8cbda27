"""Board benchmark: how long ``GET /api/v1/board`` takes as the city's open jobs grow.

Run: ``make bench`` (or ``.venv/bin/python bench/board.py`` with DATABASE_URL set). In its own
database (``<DATABASE_URL name>_board``, made anew) it places one factory and 20 neighbours
around Jiaozhou, gives the factory some booked work, then grows the open grab jobs of the
cluster (velcro sewing, and a share of other processes the factory cannot do, spread over
the whole cluster and beyond its radius) to 50, 500, 5,000 and 20,000, and for each size
times the board's first page (50 rows) through the whole Django stack in this process
(middleware, auth, view, serializer; no network). Prints p50 and p95 per size and the ratio
of each p50 to the p50 at 50 jobs. Target: p50 at 5,000 within 1.5x of the p50 at 50.
Rows are bulk-inserted (benchmark set-up, not the production write path), then ANALYZEd.
"""

import os
import random
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

SIZES = [50, 500, 5_000, 20_000]
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "40"))
CENTRE = (36.264, 120.033)


def setup_django() -> None:
    common.setup_django("board")


def build_factories(rng):
    """The factory whose board is read, 20 neighbours, and an SME; returns (user, sme, factory)."""
    from accounts.services import company_register

    fast_passwords()
    admin = bench_admin()
    pairs = [
        verified_factory(
            admin,
            username=f"board-factory-{n}",
            name=f"Factory {n}",
            lat=CENTRE[0] + rng.uniform(-0.05, 0.05),
            lng=CENTRE[1] + rng.uniform(-0.05, 0.05),
            radius_km=30,
            per_day=20_000,
            minimum=100,
        )
        for n in range(21)
    ]
    sme_user, sme = company_register(
        username="board-sme", password="bench-pass-2026", company_name="SME", kind="sme", lat=CENTRE[0], lng=CENTRE[1]
    )
    return pairs[0], (sme_user, sme), pairs[1:]


def add_jobs(rng, sme_pair, count: int) -> None:
    """``count`` more open grab jobs: 70% velcro within 40 km (some beyond the factory's 30 km),
    30% of processes it does not do; prices and deadlines vary so some fail its rules."""
    from django.utils import timezone

    from catalogue.models import Process
    from orders.models import Job

    processes = {p.code: p for p in Process.objects.all()}
    others = [p for code, p in processes.items() if code != "velcro_sewing"]
    now = timezone.now()
    rows = []
    for _ in range(count):
        process = processes["velcro_sewing"] if rng.random() < 0.7 else rng.choice(others)
        quantity = rng.randint(200, 6_000)
        price = rng.choice([10, 12, 15, 18])
        rows.append(
            Job(
                sme=sme_pair[1],
                created_by=sme_pair[0],
                process=process,
                spec={"width_mm": 25, "color": "black", "stitch": "box_x"},
                quantity=quantity,
                unit_price_fen=price,
                total_fen=quantity * price,
                deadline=now + timedelta(hours=rng.uniform(6, 240)),
                lat=CENTRE[0] + rng.uniform(-0.35, 0.35),
                lng=CENTRE[1] + rng.uniform(-0.35, 0.35),
                mode="grab",
                allow_split=rng.random() < 0.2,
                status="open",
            )
        )
    Job.objects.bulk_create(rows, batch_size=2_000)


def publish_all() -> float:
    """Every factory's board rebuilt from the open jobs (``manage.py board_rebuild``'s path);
    returns the seconds it took."""
    from orders.services.board import board_rebuild_all

    started = time.perf_counter()
    board_rebuild_all()
    return time.perf_counter() - started


def publish_one(rng, sme_pair) -> float:
    """What opening one more job costs on the write side: its fan-out to the boards."""
    from django.db import transaction

    from orders.models import Job
    from orders.services.board import board_job_publish

    add_jobs(rng, sme_pair, 1)
    job = Job.objects.select_related("process").latest("id")
    started = time.perf_counter()
    with transaction.atomic():
        board_job_publish(job)
    return time.perf_counter() - started


def book_some_work(factory_pair, sme_pair) -> None:
    """The factory holds three shares, so its free capacity is not its whole line."""
    from django.utils import timezone

    from orders.models import Assignment, Job

    for quantity, days in ((8_000, 1), (12_000, 3), (30_000, 6)):
        job = Job.objects.create(
            sme=sme_pair[1],
            created_by=sme_pair[0],
            process_id=Job.objects.filter(process__code="velcro_sewing").values_list("process_id", flat=True).first(),
            spec={},
            quantity=quantity,
            unit_price_fen=15,
            total_fen=quantity * 15,
            deadline=timezone.now() + timedelta(days=days),
            lat=CENTRE[0],
            lng=CENTRE[1],
            status="assigned",
        )
        Assignment.objects.create(job=job, factory=factory_pair[1], quantity=quantity, unit_price_fen=15)


def analyze() -> None:
    """The planner's statistics, as autovacuum keeps them on a live database. Right after a
    bulk set-up they still describe the empty tables: PostgreSQL then sorted the factory's
    whole board for each page (20,000 open jobs: 7 ms) instead of walking its index."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def time_board(client) -> list[float]:
    timings = []
    for n in range(REQUESTS + 5):
        started = time.perf_counter()
        response = client.get("/api/v1/board")
        elapsed = time.perf_counter() - started
        assert response.status_code == 200, response.content[:300]
        if n >= 5:  # warm-up
            timings.append(elapsed)
    return timings, response.json()["count"]


def main() -> int:
    setup_django()
    from django.conf import settings
    from rest_framework.test import APIClient
    from rest_framework_simplejwt.tokens import RefreshToken

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]  # the in-process client's host
    rng = random.Random(20261201)
    factory_pair, sme_pair, _ = build_factories(rng)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(factory_pair[0]).access_token}")
    print(f"board benchmark: GET /api/v1/board, first page, {REQUESTS} requests per size, in-process")
    have, p50s = 0, {}
    for size in SIZES:
        add_jobs(rng, sme_pair, max(0, size - have))
        if have == 0:
            book_some_work(factory_pair, sme_pair)
        have = size
        rebuild_s = publish_all()
        analyze()
        one_ms = statistics.median(publish_one(rng, sme_pair) for _ in range(5)) * 1000
        have += 5
        timings, count = time_board(client)
        p50s[size] = statistics.median(timings)
        p95 = sorted(timings)[int(0.95 * (len(timings) - 1))]
        print(
            f"  {size:>6,} open jobs ({count:>5,} on this board): p50 {p50s[size] * 1000:7.1f} ms, "
            f"p95 {p95 * 1000:7.1f} ms, p50 / p50 at 50: {p50s[size] / p50s[SIZES[0]]:.2f}x; "
            f"opening a job (fan-out) {one_ms:.1f} ms; rebuilding all 21 boards {rebuild_s * 1000:,.0f} ms"
        )
    ratio = p50s[5_000] / p50s[50]
    print(f"target p50 at 5,000 within 1.5x of the p50 at 50: {'met' if ratio <= 1.5 else 'NOT met'} ({ratio:.2f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
