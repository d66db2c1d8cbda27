"""Grab accepts while dispatch batches run: does a batch make other requests wait?

Run: ``make bench`` (or ``.venv/bin/python bench/accept_under_dispatch.py``; PostgreSQL as in
``make test``). In its own database (``<DATABASE_URL name>_accept``, made anew) it builds the
10,000 jobs x 2,000 factories city of ``bench/matching.py`` and, beside it, four verified
factories in a town 130 km away, out of the city's reach, and an
SME whose open grab jobs they take. Then it times ``POST /api/v1/board/{id}/accept``
through the whole Django stack in this process (middleware, auth, view, services, the
outbox's after-commit numbering; no network), one accept after another:

- first with no batch running;
- then while another process runs 10,000 x 2,000 dispatch batches back to back (each batch
  offers the whole city again: between batches that process deletes the offers and their
  events, as if they had expired).

The batches write nothing to the takers, so this asks whether a batch makes a company it
does not write to wait. ``BENCH_TAKERS_INSIDE=1`` puts the takers in the city's middle
instead, where each batch offers them dispatch jobs and each grab job is on about 2,000
factories' boards (so each accept withdraws it from 2,000 boards).

It prints p50, p95 and p99 of each phase, how many batches ran during the second, and the
ratio of the p99s. Target: the p99 while batches run within 1.5x of the p99 without.
Both phases share the machine's two cores with whatever else runs on it; the batch process
takes one of them for itself, which is part of what is measured.
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from common import bench_admin, fast_passwords, fresh_database, verified_factory  # noqa: E402

ACCEPTS = int(os.environ.get("BENCH_ACCEPTS", "150"))
CENTRE = (36.264, 120.033)
# The takers' town: 1.2 degrees of latitude (about 130 km) north of the city, out of reach of
# its factories and jobs (40 km radii), so the batches write nothing to them or their SME.
TOWN = (CENTRE[0] + 1.2, CENTRE[1])
INSIDE = os.environ.get("BENCH_TAKERS_INSIDE") == "1"  # the takers in the city's middle instead


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("SECRET_KEY", "bench-secret-key-not-for-production-0123456789")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
    os.environ.setdefault("PAYMENT_PROVIDER", "sandbox")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    import django

    django.setup()


def build_city() -> None:
    import numpy as np
    from django.core.management import call_command
    from matching import seed_database
    from matching_solver import SEED, build_instance

    call_command("migrate", verbosity=0)
    jobs, factories, candidates = build_instance(np.random.default_rng(SEED), 10_000, 2_000)
    seed_database(jobs, factories, candidates)
    from django.db import connection

    with connection.cursor() as cursor:  # the ids seed_database chose by hand are taken
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('marketplace_company', 'id'), "
            "(SELECT max(id) FROM marketplace_company))"
        )


def build_takers(count: int):
    """Four factories in their town (or the city's middle), and ``count`` small open grab jobs
    beside them."""
    from django.utils import timezone

    from accounts.services import company_register
    from catalogue.models import Process
    from orders.models import Job
    from orders.services.board import board_rebuild_all

    fast_passwords()
    admin = bench_admin()
    where = CENTRE if INSIDE else TOWN
    takers = [
        verified_factory(
            admin,
            username=f"taker-{n}",
            name=f"Taker {n}",
            lat=where[0] + 0.01 * n,
            lng=where[1],
            radius_km=40,
            per_day=1_000_000,
        )
        for n in range(4)
    ]
    sme_user, sme = company_register(
        username="grab-sme",
        password="bench-pass-2026",
        company_name="Grab SME",
        kind="sme",
        lat=where[0],
        lng=where[1],
    )
    process = Process.objects.get(code="velcro_sewing")
    now = timezone.now()
    Job.objects.bulk_create(
        Job(
            sme=sme,
            created_by=sme_user,
            process=process,
            spec={"width_mm": 25, "color": "black", "stitch": "box_x"},
            quantity=100,
            unit_price_fen=15,
            total_fen=1_500,
            deadline=now + timedelta(days=5),
            lat=where[0],
            lng=where[1],
            mode="grab",
            status="open",
        )
        for _ in range(count)
    )
    board_rebuild_all()
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return takers, list(Job.objects.filter(mode="grab", status="open").order_by("id").values_list("id", flat=True))


def batches_forever() -> None:
    """The second process: dispatch batches back to back until killed, each over the whole
    city (the previous batch's offers and their events deleted, as if they had expired)."""
    from django.db import connection

    from marketplace.celery import worker_start_up
    from orders.services import dispatch_run_batch

    worker_start_up()
    runs = 0
    while True:
        batch = dispatch_run_batch()
        runs += 1
        print(f"batch {runs}: {batch.offers_made} offers", flush=True)
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM core_event WHERE type = 'offer.created'")
            cursor.execute("DELETE FROM orders_offer")
            cursor.execute("UPDATE factories_factoryprofile SET offers_received = 0 WHERE offers_received > 0")


class WaitSampler:
    """What the accepts' own PostgreSQL backend is waiting for, every 20 ms (pg_stat_activity):
    a lock wait there would be the batch making the request wait; an IO wait (WALSync) is the
    disk flushing the commit."""

    def __init__(self, url: str):
        import threading

        from django.db import connection

        connection.ensure_connection()
        self.pid = connection.connection.info.backend_pid
        self.url, self.counts, self.samples = url, {}, 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run)

    def _run(self) -> None:
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            while not self.stop.is_set():
                row = conn.execute(
                    "SELECT state, wait_event_type, wait_event FROM pg_stat_activity WHERE pid = %s", [self.pid]
                ).fetchone()
                if row and row[0] == "active":
                    self.samples += 1
                    if row[1] is not None:
                        key = f"{row[1]}:{row[2]}"
                        self.counts[key] = self.counts.get(key, 0) + 1
                time.sleep(0.02)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()

    def summary(self) -> str:
        waits = ", ".join(f"{key} {n}" for key, n in sorted(self.counts.items())) or "none"
        locks = sum(n for key, n in self.counts.items() if key.startswith("Lock:"))
        return f"{self.samples} samples of the accepts' backend at work; lock waits {locks}; waits seen: {waits}"


def time_accepts(clients, job_ids) -> list[float]:
    timings = []
    for n, job_id in enumerate(job_ids):
        client = clients[n % len(clients)]
        started = time.perf_counter()
        response = client.post(f"/api/v1/board/{job_id}/accept", {}, format="json")
        timings.append(time.perf_counter() - started)
        assert response.status_code == 201, response.content[:300]
    return timings


def figures(timings) -> str:
    ordered = sorted(timings)

    def at(p):
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] * 1000

    return f"p50 {statistics.median(timings) * 1000:6.1f} ms, p95 {at(95):6.1f} ms, p99 {at(99):6.1f} ms"


def main() -> int:
    if sys.argv[1:] == ["--batches"]:
        setup_django(os.environ["DATABASE_URL"])
        batches_forever()
        return 0
    url = fresh_database("accept")
    setup_django(url)
    from django.conf import settings
    from rest_framework.test import APIClient
    from rest_framework_simplejwt.tokens import RefreshToken

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    print("accept under dispatch: building the 10,000 x 2,000 city and the grab jobs ...", flush=True)
    build_city()
    takers, job_ids = build_takers(2 * ACCEPTS + 10)
    clients = []
    for user, _ in takers:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
        clients.append(client)
    time_accepts(clients, job_ids[:10])  # warm-up
    with WaitSampler(url) as quiet_waits:
        quiet = time_accepts(clients, job_ids[10 : 10 + ACCEPTS])
    log = open(Path(tempfile.gettempdir()) / "bench-accept-batches.log", "w")  # noqa: SIM115
    runner = subprocess.Popen(  # noqa: S603
        [sys.executable, __file__, "--batches"],
        env={**os.environ, "DATABASE_URL": url},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 300
        while "batch 1:" not in Path(log.name).read_text():  # the first batch is under way's end
            if runner.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the batch process did not run a batch; see {log.name}")
            time.sleep(0.2)
        before = Path(log.name).read_text().count("batch ")
        with WaitSampler(url) as busy_waits:
            busy = time_accepts(clients, job_ids[10 + ACCEPTS :])
        during = Path(log.name).read_text().count("batch ") - before
    finally:
        runner.kill()
        runner.wait()
    place = "in the city's middle (offered dispatch jobs by the batches)" if INSIDE else "in a town out of its reach"
    print(f"POST /api/v1/board/{{id}}/accept, {ACCEPTS} accepts each, in-process, 4 factories {place}")
    print(f"  no batch running:                 {figures(quiet)}")
    print(f"    {quiet_waits.summary()}")
    print(f"  10,000 x 2,000 batches running:   {figures(busy)} ({during} batches ended meanwhile)")
    print(f"    {busy_waits.summary()}")
    ratio = sorted(busy)[round(0.99 * (len(busy) - 1))] / sorted(quiet)[round(0.99 * (len(quiet) - 1))]
    verdict = "met" if ratio <= 1.5 else "NOT met"
    print(f"target p99 while batches run within 1.5x of p99 without: {verdict} ({ratio:.2f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
