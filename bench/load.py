"""Mixed-load benchmark: SMEs posting and paying, factories reading the board and grabbing,
against the real stack, at arrival rates stepped up until it saturates.

Run: ``make bench`` (or ``.venv/bin/python bench/load.py``; PostgreSQL and Redis as in
``make test``). In its own database (``<DATABASE_URL name>_load``, made anew) it registers 20
SMEs and 60 verified factories around Jiaozhou through the services, starts the stack
(gunicorn with 3 uvicorn workers serving ``marketplace.asgi``, a Celery worker, beat, the
sandbox gateway calling back over HTTP, Redis), and drives it with locust
(``bench/load_users.py``, headless, in its own process) at fixed rates: first ``/healthz``
alone, then ``GET /api/v1/wallet`` alone (the cheapest authenticated read of the mix: what
every API request costs before its own work), then the mix (per SME: post a job, pay it,
list and read jobs; per factory, three times as many: the board, a grab of its nearest job
half the time, offers, wallet). Each step runs 20 s. Prints per step and endpoint
p50/p95/p99 and failures, the sustainable rate (the highest step whose p99 over all requests
is at most 200 ms, with under 1% failures and at least 90% of the rate achieved) of each
phase, and the mix's as a share of ``/healthz``'s and of the wallet's; then checks by SQL
that no job has more winners than pieces and that the ledger balances.
Targets on 2 cores: the mix at a fixed 75 requests a second keeps its p99 within 200 ms, and
its sustainable rate is reported against the wallet alone's (``/healthz`` is one ``SELECT 1``
and a ping, so it says little of what limits the platform; its rate is still printed).

The load generator shares the machine's two cores with the stack, so the figures are a
floor of what the stack does on its own.
"""

import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from common import bench_admin, fast_passwords, fresh_database, verified_factory  # noqa: E402

PORT = int(os.environ.get("BENCH_PORT", "8472"))
# Up to 500/s: /healthz is stepped until it saturates too (with 250/s the last step, this
# machine's /healthz still answered at p99 71 ms, so its "sustainable rate" was the list's end).
_DEFAULT_RATES = "10,20,30,40,50,60,70,75,80,90,100,130,160,200,250,320,400,500"
FIXED_RATE = 75.0  # the mix's yardstick: at this arrival rate its p99 stays within P99_MS
RATES = [float(r) for r in os.environ.get("BENCH_RATES", _DEFAULT_RATES).split(",")]
SECONDS = float(os.environ.get("BENCH_SECONDS", "20"))
P99_MS = 200.0
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/10")
WEB_WORKERS = os.environ.get("BENCH_WEB_WORKERS", "3")


def setup() -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": fresh_database("load"),
        "REDIS_URL": REDIS_URL,
        "SECRET_KEY": os.environ.get("SECRET_KEY") or "bench-secret-key-not-for-production-0123456789",
        "DJANGO_SETTINGS_MODULE": "marketplace.settings",
        "PYTHONPATH": str(ROOT),
        "PAYMENT_PROVIDER": "sandbox",
        "PAYMENT_WEBHOOK_BASE_URL": f"http://127.0.0.1:{PORT}",
        "SECURE_SSL_REDIRECT": "0",
        "DEBUG": "0",
        "THROTTLE_ANON": "1000000/min",  # the load comes from one address
        "THROTTLE_USER": "1000000/min",
    }
    os.environ.update(env)
    import django
    import redis
    from django.core.management import call_command

    redis.Redis.from_url(REDIS_URL).flushdb()
    django.setup()
    call_command("migrate", verbosity=0)
    return env


def build_world() -> dict:
    from rest_framework_simplejwt.tokens import RefreshToken

    from accounts.services import company_register

    fast_passwords()
    rng = random.Random(20261201)
    admin = bench_admin("load-admin")
    tokens = {"smes": [], "factories": []}
    for n in range(20):
        user, _ = company_register(
            username=f"load-sme-{n}",
            password="load-pass-2026",
            company_name=f"SME {n}",
            kind="sme",
            lat=36.264 + rng.uniform(-0.05, 0.05),
            lng=120.033 + rng.uniform(-0.05, 0.05),
        )
        tokens["smes"].append(str(RefreshToken.for_user(user).access_token))
    for n in range(60):
        user, _ = verified_factory(
            admin,
            username=f"load-factory-{n}",
            name=f"Factory {n}",
            lat=36.264 + rng.uniform(-0.1, 0.1),
            lng=120.033 + rng.uniform(-0.1, 0.1),
            radius_km=40,
            per_day=200_000,
        )
        tokens["factories"].append(str(RefreshToken.for_user(user).access_token))
    return tokens


def start_stack(env: dict, folder: Path) -> list[subprocess.Popen]:
    python = Path(sys.executable).parent

    def spawn(name, args):
        log = open(folder / f"{name}.log", "w")  # noqa: SIM115 - kept open while it runs
        return subprocess.Popen(  # noqa: S603
            args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )

    procs = [
        spawn(
            "web",
            [
                str(python / "gunicorn"),
                "marketplace.asgi:application",
                "-k",
                "marketplace.server.UvicornWorker",
                "--bind",
                f"127.0.0.1:{PORT}",
                "--workers",
                WEB_WORKERS,
            ],
        ),
        spawn("worker", [sys.executable, "-m", "celery", "-A", "marketplace", "worker", "--concurrency", "2"]),
        spawn("beat", [sys.executable, "-m", "celery", "-A", "marketplace", "beat", "-s", str(folder / "beat")]),
    ]
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=2)  # noqa: S310
            return procs
        except OSError:
            if time.monotonic() > deadline:
                raise SystemExit("the web process did not start") from None
            time.sleep(0.2)


def sustainable(steps) -> float:
    best = 0.0
    for step in steps:
        total = step["stats"]["all"]
        ok = total["p99"] <= P99_MS and total["failures"] <= 0.01 * max(1, total["requests"])
        if ok and total["rate"] >= 0.9 * step["target"]:
            best = max(best, total["rate"])
    return best


def invariants() -> dict:
    from django.db import connection
    from django.db.models import Count, F, Sum

    from orders.models import Assignment, Job
    from payments.selectors import ledger_check_report

    connection.close()
    over = (
        Job.objects.filter(assignments__status__in=Assignment.COVERING)
        .annotate(covered=Sum("assignments__quantity"), winners=Count("assignments"))
        .filter(covered__gt=F("quantity"))
        .count()
    )
    two_winners = (
        Job.objects.filter(allow_split=False, assignments__status__in=Assignment.COVERING)
        .annotate(winners=Count("assignments"))
        .filter(winners__gt=1)
        .count()
    )
    return {"over_covered": over, "two_winners": two_winners, "ledger": ledger_check_report()}


def main() -> int:
    env = setup()
    print("load benchmark: setting up 20 SMEs and 60 factories ...", flush=True)
    tokens = build_world()
    folder = Path(tempfile.mkdtemp(prefix="bench-load-"))
    procs = start_stack(env, folder)
    plan = {
        "base": f"http://127.0.0.1:{PORT}",
        **tokens,
        "phases": ["healthz", "wallet", "mixed"],
        "rates": RATES,
        "seconds": SECONDS,
        "p99_ms": P99_MS,
    }
    (folder / "plan.json").write_text(json.dumps(plan))
    try:
        subprocess.run(  # noqa: S603
            [
                sys.executable,
                str(ROOT / "bench" / "load_users.py"),
                str(folder / "plan.json"),
                str(folder / "out.json"),
            ],
            cwd=ROOT,
            check=True,
        )
        time.sleep(8)  # webhooks and sweeps settle
    finally:
        for proc in procs:
            os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            proc.wait(timeout=30)
    result = json.loads((folder / "out.json").read_text())
    print("\nper step and endpoint (p50 / p95 / p99 ms, failures):")
    for phase, steps in result.items():
        for step in steps:
            print(f"  {phase} at {step['target']:.0f}/s:")
            for name, row in sorted(step["stats"].items()):
                print(
                    f"    {name:28} {row['requests']:6} req {row['rate']:6.1f}/s  "
                    f"{row['p50']:5.0f} / {row['p95']:5.0f} / {row['p99']:5.0f}  {row['failures']}"
                )
    rates = {phase: sustainable(result.get(phase, [])) for phase in ("mixed", "healthz", "wallet")}
    ratio = rates["mixed"] / rates["healthz"] if rates["healthz"] else 0.0
    of_wallet = rates["mixed"] / rates["wallet"] if rates["wallet"] else 0.0
    print(
        f"\n可持续请求率（p99 ≤ {P99_MS:.0f} ms）：混合 {rates['mixed']:.0f}/s，/healthz {rates['healthz']:.0f}/s，"
        f"仅钱包 {rates['wallet']:.0f}/s；混合/healthz {ratio:.0%}，混合/钱包 {of_wallet:.0%}"
    )
    print(
        f"sustainable rate (p99 <= {P99_MS:.0f} ms): mixed {rates['mixed']:.0f}/s, /healthz {rates['healthz']:.0f}/s,"
        f" GET /wallet alone {rates['wallet']:.0f}/s; mixed / healthz {ratio:.0%}, mixed / wallet {of_wallet:.0%}"
    )
    checks = invariants()
    print(
        f"checks: jobs covered beyond their quantity {checks['over_covered']}, non-split jobs with two winners "
        f"{checks['two_winners']}, ledger {'balanced' if checks['ledger'].balanced else 'NOT balanced'}"
    )
    fixed = next((step for step in result.get("mixed", []) if step["target"] == FIXED_RATE), None)
    if fixed is None:
        print(f"the mix was not run at {FIXED_RATE:.0f}/s (BENCH_RATES); logs in {folder}")
    else:
        p99 = fixed["stats"]["all"]["p99"]
        verdict = "met" if p99 <= P99_MS else "NOT met"
        print(
            f"target: the mix at {FIXED_RATE:.0f}/s asked ({fixed['stats']['all']['rate']:.1f}/s achieved) keeps p99 "
            f"<= {P99_MS:.0f} ms: {verdict} ({p99:.0f} ms); mixed / wallet alone {of_wallet:.0%}; logs in {folder}"
        )
    ok = checks["over_covered"] == 0 and checks["two_winners"] == 0 and checks["ledger"].balanced
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
