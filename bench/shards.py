"""Sharded dispatch benchmark: one round of two independent pieces on one worker, then on two.

Run: ``make bench`` (or ``.venv/bin/python bench/shards.py``; PostgreSQL and Redis as in
``make test``). In the matching bench's database it seeds two cities of
``BENCH_SHARD_JOBS`` x ``BENCH_SHARD_FACTORIES`` (default 2,000 x 500, bench/matching.py's
instance) about 130 km apart, so no factory of one reaches the other: two pieces
(orders.services.shards). It starts real Celery workers (``--pool solo``, one task at a time
each) on its own Redis database, sends the beat's task (``dispatch_run_batch_task``) and
times the round from sending until both pieces' offers are committed and numbered; each
count of workers gets one warm-up round, then ``BENCH_ROUNDS`` (3) timed ones, all offers
taken back in between. Prints the median per count of workers and the speed-up.
Target on 2 cores: two workers at least 1.6x faster than one.
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

JOBS = int(os.environ.get("BENCH_SHARD_JOBS", "2000"))
FACTORIES = int(os.environ.get("BENCH_SHARD_FACTORIES", "500"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
SOUTH_DEGREES = 1.2  # the second city, about 130 km south


def seed() -> None:
    import dataclasses

    from matching import seed_database
    from matching_solver import SEED, build_instance

    rng = np.random.default_rng(SEED)
    first = build_instance(rng, JOBS, FACTORIES)
    jobs, factories, candidates = build_instance(rng, JOBS, FACTORIES)
    offset = 100_000  # the second city's factory ids
    jobs = [dataclasses.replace(j, lat=j.lat - SOUTH_DEGREES) for j in jobs]
    factories = [dataclasses.replace(f, id=f.id + offset, lat=f.lat - SOUTH_DEGREES) for f in factories]
    candidates = [dataclasses.replace(c, factory_id=c.factory_id + offset) for c in candidates]
    seed_database(*first)
    seed_database(jobs, factories, candidates, fresh=False)


def reset() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE orders_offer, orders_dispatchbatch, core_event RESTART IDENTITY CASCADE")


def start_workers(count: int, folder: Path) -> list:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    workers = []
    for n in range(count):
        log = folder / f"worker{count}-{n}.log"
        args = [sys.executable, "-m", "celery", "-A", "marketplace", "worker", "--pool", "solo", "--loglevel", "INFO"]
        args += ["--without-gossip", "--without-mingle", "--without-heartbeat", "-n", f"bench{count}-{n}@%h"]
        with open(log, "w") as out:
            proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603
        workers.append((proc, log))
    deadline = time.monotonic() + 60
    while not all("ready." in log.read_text() for _, log in workers):
        if time.monotonic() > deadline:
            for proc, _ in workers:
                proc.kill()
            raise SystemExit("the workers did not start:\n" + "".join(log.read_text() for _, log in workers))
        time.sleep(0.2)
    return workers


def one_round(expected_batches: int) -> float:
    from core.models import StreamEvent
    from orders.models import DispatchBatch
    from orders.tasks import dispatch_run_batch_task

    reset()
    started = time.perf_counter()
    dispatch_run_batch_task.delay()
    deadline = time.monotonic() + 120
    while True:  # a light poll (every 20 ms) so the watching takes little of the two cores
        done = DispatchBatch.objects.filter(offers_made__gt=0).count() >= expected_batches
        if done and not StreamEvent.objects.filter(seq__isnull=True).exists():
            return time.perf_counter() - started
        if time.monotonic() > deadline:
            raise SystemExit("the round did not finish in 120 s")
        time.sleep(0.02)


def main() -> None:
    os.environ["REDIS_URL"] = REDIS_URL
    from matching import setup_django

    setup_django()
    from marketplace.celery import app
    from orders.services import dispatch_pieces

    seed()
    pieces = dispatch_pieces()
    print(f"sharded dispatch benchmark: 2 cities of {JOBS} jobs x {FACTORIES} factories, {len(pieces)} pieces")
    if len(pieces) != 2:
        raise SystemExit("expected two pieces")
    medians = {}
    with tempfile.TemporaryDirectory() as folder:
        for count in (1, 2):
            app.control.purge()
            workers = start_workers(count, Path(os.environ.get("BENCH_LOGS") or folder))
            try:
                one_round(2)  # warm-up
                times = [one_round(2) for _ in range(ROUNDS)]
            finally:
                for proc, _ in workers:
                    proc.terminate()
                    proc.wait(timeout=30)
            medians[count] = statistics.median(times)
            shown = ", ".join(f"{t * 1000:.0f}" for t in times)
            print(f"  {count} worker(s): round median {medians[count] * 1000:8.1f} ms  (rounds: {shown} ms)")
    print(f"  speed-up with two workers: {medians[1] / medians[2]:.2f}x (target at least 1.6x)")
    reset()


if __name__ == "__main__":
    main()
