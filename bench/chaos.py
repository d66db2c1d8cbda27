"""Fault injection against the real stack (``make chaos``; issue 16).

Brings up a private PostgreSQL (port 55432) and Redis (56379) in a temporary folder, the web
process (gunicorn, 2 workers), a supervised Celery worker and two beats against them, runs a
bounded workload over HTTP (SMEs post, pay on the sandbox pay page — some webhooks delayed so
they are in flight when a fault strikes — and cancel; factories take, produce and deliver;
SMEs accept), and injects, one after another: worker SIGKILLs, a beat kill, a Redis
stop/start, a PostgreSQL restart and gunicorn worker kills. After each it waits for the
sweeps and checks with SQL: every charge the gateway made is recorded (paid jobs open or
later, cancelled ones refunded), every cancel refunded once, the ledger balanced, and money
in = held + released + refunded (the reconciliation ties out). It prints a table per fault:
requests, 5xx, dropped connections, stuck payments, fen the platform has not recorded,
unrefunded cancels, ledger, and seconds to recover. Everything talks to 127.0.0.1 only and
stops by itself; the folder is removed at the end.
"""

import contextlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PG_PORT, REDIS_PORT, WEB_PORT = 55432, 56379, 58000
BASE = f"http://127.0.0.1:{WEB_PORT}"
RECONCILE_SECONDS = 5
PHASE_SECONDS = 20
RECOVERY_TIMEOUT = 90
SPEC = {"width_mm": 25, "color": "black", "stitch": "box_x"}


def _pg_bin(name: str) -> str:
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    if not found:
        sys.exit(f"{name} not found (PostgreSQL server binaries)")
    return str(found[-1])


def _as_postgres(args: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


class Stack:
    """The private servers and the application processes, each in its own process group."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.pgdata = folder / "pg"
        self.procs: dict[str, subprocess.Popen] = {}
        self.env = {
            **os.environ,
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{PG_PORT}/chaos",
            "REDIS_URL": f"redis://127.0.0.1:{REDIS_PORT}/0",
            "SECRET_KEY": "chaos-bench-secret-key-" + "x" * 40,
            "DEBUG": "0",
            "PAYMENT_PROVIDER": "sandbox",
            "SANDBOX_TEST_KNOBS": "1",
            "SECURE_SSL_REDIRECT": "0",
            "SESSION_COOKIE_SECURE": "0",
            "CSRF_COOKIE_SECURE": "0",
            "SECURE_HSTS_SECONDS": "0",
            "PAYMENT_WEBHOOK_BASE_URL": BASE,
            "PAYMENT_RECONCILE_SECONDS": str(RECONCILE_SECONDS),
            "MONEY_SWEEP_SECONDS": "10",
            "WEBHOOK_SWEEP_SECONDS": "10",
            "MATCHING_BATCH_SECONDS": "2",
            "THROTTLE_ANON": "100000/min",
            "THROTTLE_USER": "100000/min",
            "THROTTLE_LOGIN": "100000/min",
            "LOG_LEVEL": "WARNING",
            "LOG_TICKS": "1",  # the bench finds the leading beat by its ticks
            "PYTHONPATH": str(ROOT),
        }

    # servers -------------------------------------------------------------------------
    def start_postgres(self):
        if not self.pgdata.exists():
            self.pgdata.mkdir(parents=True)
            if os.geteuid() == 0:  # initdb refuses root: the cluster belongs to postgres
                shutil.chown(self.folder, "postgres")
                shutil.chown(self.pgdata, "postgres")
            subprocess.run(  # noqa: S603
                _as_postgres(
                    [_pg_bin("initdb"), "-D", str(self.pgdata), "-U", "postgres", "--auth=trust", "-E", "UTF8"]
                ),
                check=True,
                capture_output=True,
            )
        options = f"-p {PG_PORT} -c listen_addresses=127.0.0.1 -k {self.pgdata}"
        subprocess.run(  # noqa: S603
            _as_postgres(
                [
                    _pg_bin("pg_ctl"),
                    "-D",
                    str(self.pgdata),
                    "-o",
                    options,
                    "-l",
                    str(self.pgdata / "log"),
                    "-w",
                    "start",
                ]
            ),
            check=True,
            capture_output=True,
        )

    def stop_postgres(self):
        subprocess.run(  # noqa: S603
            _as_postgres([_pg_bin("pg_ctl"), "-D", str(self.pgdata), "-m", "fast", "-w", "stop"]), capture_output=True
        )

    def start_redis(self):
        self.procs["redis"] = self._spawn(
            ["redis-server", "--port", str(REDIS_PORT), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            "redis",
        )
        time.sleep(0.5)

    def stop_redis(self):
        self._stop("redis")

    # application ---------------------------------------------------------------------
    def migrate(self):
        import psycopg

        admin = psycopg.connect(host="127.0.0.1", port=PG_PORT, user="postgres", dbname="postgres")
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute("CREATE DATABASE chaos")
        admin.close()
        subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=self.env, check=True
        )

    def start_app(self):
        python = Path(sys.executable).parent
        self.procs["web"] = self._spawn(
            [
                str(python / "gunicorn"),
                "marketplace.asgi:application",
                "-k",
                "marketplace.server.UvicornWorker",
                "--bind",
                f"127.0.0.1:{WEB_PORT}",
                "--workers",
                "2",
            ],
            "web",
        )
        for name, args in (
            ("worker", "worker --loglevel WARNING --concurrency 2"),
            ("beat1", f"beat --loglevel INFO -s {self.folder / 'beat1'}"),
            ("beat2", f"beat --loglevel INFO -s {self.folder / 'beat2'}"),
        ):
            # as the Procfile does: a process that dies is started again
            loop = f"while true; do {python / 'celery'} -A marketplace {args}; sleep 1; done"
            self.procs[name] = self._spawn(["bash", "-c", loop], name)
        _wait_http(f"{BASE}/healthz", 30)

    def children(self, name: str) -> list[int]:
        out = subprocess.run(["pgrep", "-g", str(self.procs[name].pid)], capture_output=True, text=True)  # noqa: S603, S607
        return [int(pid) for pid in out.stdout.split() if int(pid) != self.procs[name].pid]

    def kill_worker(self):
        for pid in self.children("worker"):
            _kill(pid)

    def kill_beat_leader(self):
        # the beat that has sent a task lately is the leader
        for name in ("beat1", "beat2"):
            log = (self.folder / f"{name}.log").read_text(errors="replace")
            if "Sending due task" in log[-4000:]:
                for pid in self.children(name):
                    _kill(pid)
                return name
        return None

    def kill_gunicorn_worker(self):
        workers = self.children("web")
        if workers:
            _kill(max(workers))  # the master restarts it

    def _spawn(self, args, name):
        log = open(self.folder / f"{name}.log", "ab")  # noqa: SIM115 - closed with the process
        return subprocess.Popen(
            args, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )  # noqa: S603

    def _stop(self, name):
        proc = self.procs.pop(name, None)
        if proc is None:
            return
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=15)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)

    def stop_all(self):
        for name in list(self.procs):
            self._stop(name)
        self.stop_postgres()


def _kill(pid: int):
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def _wait_http(url: str, seconds: float):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - our own local server
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.3)
    sys.exit(f"{url} did not answer")


# --- the workload ----------------------------------------------------------------------


class Client:
    """HTTP as the apps speak it; counts statuses (0: the connection dropped)."""

    def __init__(self, stats: Counter, token: str):
        self.stats, self.token = stats, token

    def call(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        url = path if path.startswith("http") else BASE + path
        request = urllib.request.Request(url, data=data, method=method)  # noqa: S310 - local
        request.add_header("Content-Type", "application/json")
        request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                self.stats[response.status] += 1
                return response.status, json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            self.stats[error.code] += 1
            try:
                return error.code, json.loads(error.read() or b"{}")
            except ValueError:
                return error.code, {}
        except (urllib.error.URLError, OSError):
            self.stats[0] += 1
            return 0, {}


def _cast():
    """Three SMEs and three verified, online factories, made through the services."""
    from rest_framework_simplejwt.tokens import RefreshToken

    from accounts.services import company_register
    from factories import services as factory_services
    from tests.fixtures import UserFactory

    admin = UserFactory(username="chaos_admin", is_staff=True)
    smes, factories = [], []
    for n in range(3):
        user, company = company_register(
            username=f"chaos_sme{n}",
            password="Chaos-pass-2026",
            company_name=f"SME {n}",
            kind="sme",
            lat=36.26 + n * 0.01,
            lng=120.03,
        )
        smes.append((str(RefreshToken.for_user(user).access_token), company))
        user, company = company_register(
            username=f"chaos_factory{n}",
            password="Chaos-pass-2026",
            company_name=f"Factory {n}",
            kind="factory",
            lat=36.27 + n * 0.01,
            lng=120.04,
        )
        factory_services.factory_demo_setup(
            company=company, radius_km=40, capabilities=[("velcro_sewing", 12, 1_000_000, 100, 0)], verified_by=admin
        )
        factories.append((str(RefreshToken.for_user(user).access_token), company))
    return smes, factories


def _journey(sme: Client, factory: Client, rng: random.Random, stop: threading.Event):
    """One job from post to acceptance, or to a cancel; any step may meet a fault."""
    deadline = time.time() + 3 * 86400
    status, job = sme.call(
        "POST",
        "/api/v1/jobs",
        {
            "process": "velcro_sewing",
            "quantity": rng.choice([500, 1000, 2000]),
            "spec": SPEC,
            "deadline": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(deadline)),
            "unit_price_fen": 15,
        },
    )
    if status != 201:
        return
    delay = "?delay=6" if rng.random() < 0.3 else ""
    sme.call("POST", job["payment"]["pay_url"] + delay)
    for _ in range(40):  # wait until it opens (the webhook, or the sweep)
        if stop.is_set():
            return
        status, body = sme.call("GET", f"/api/v1/jobs/{job['id']}")
        if status == 200 and body.get("status") == "open":
            break
        time.sleep(0.5)
    else:
        return
    if rng.random() < 0.25:
        sme.call("POST", f"/api/v1/jobs/{job['id']}/cancel", {"reason": "chaos"})
        return
    status, share = factory.call("POST", f"/api/v1/board/{job['id']}/accept", {})
    if status != 201:
        return
    base = f"/api/v1/assignments/{share['id']}"
    quantity = share["quantity"]
    for client, step, body in (
        (sme, "materials-sent", {}),
        (factory, "materials-received", {"quantity_received": quantity}),
        (factory, "deliver", {"quantity_delivered": quantity}),
        (sme, "accept", {"quantity_accepted": quantity, "rating": 5}),
    ):
        if stop.is_set() or client.call("POST", f"{base}/{step}", body)[0] != 200:
            return


def run_workload(smes, factories, seconds: float, stats: Counter, seed: int):
    stop = threading.Event()

    def lane(n):
        rng = random.Random(seed * 10 + n)  # noqa: S311 - a reproducible workload
        sme = Client(stats, smes[n % len(smes)][0])
        factory = Client(stats, factories[n % len(factories)][0])
        while not stop.is_set():
            _journey(sme, factory, rng, stop)

    lanes = [threading.Thread(target=lane, args=(n,), daemon=True) for n in range(4)]
    for thread in lanes:
        thread.start()
    return stop, lanes


# --- the invariants --------------------------------------------------------------------


def pay_to_open(since) -> tuple[int, float]:
    """Of the charges made since ``since``: how many opened through the reconciliation sweep
    (no payment.succeeded webhook was processed for them), and the longest time from the
    charge at the gateway to the job opening, in seconds."""
    from orders.models import JobEvent
    from payments.models import Payment, SandboxOperation, WebhookEvent

    charges = {
        int(key.split(":")[1]): at
        for key, at in SandboxOperation.objects.filter(kind="charge", created_at__gte=since).values_list(
            "key", "created_at"
        )
    }
    by_webhook = {
        int(pid)
        for pid in WebhookEvent.objects.filter(
            event_type="payment.succeeded", processed_at__isnull=False, error=""
        ).values_list("payload__data__payment_id", flat=True)
        if pid is not None
    }
    jobs = dict(Payment.objects.filter(id__in=charges).values_list("id", "job_id"))
    opened = dict(JobEvent.objects.filter(job_id__in=jobs.values(), action="paid").values_list("job_id", "created_at"))
    waits = [(opened[jobs[pid]] - at).total_seconds() for pid, at in charges.items() if jobs[pid] in opened]
    swept = sum(1 for pid in charges if pid not in by_webhook and jobs[pid] in opened)
    return swept, round(max(waits, default=0.0), 1)


def invariants() -> dict:
    """What must hold once the sweeps have run, read from the database."""
    from django.db import connection
    from django.db.models import Sum

    from orders.models import Job
    from payments import ledger, selectors
    from payments.models import Payment, Refund, SandboxOperation

    connection.close()  # a PostgreSQL restart may have cut the bench's own connection
    charged = {
        int(key.split(":")[1]): amount
        for key, amount in SandboxOperation.objects.filter(kind="charge").values_list("key", "amount_fen")
    }
    recorded = set(
        Payment.objects.filter(id__in=charged, status__in=["succeeded", "partially_refunded", "refunded"]).values_list(
            "id", flat=True
        )
    )
    stuck = [pid for pid in charged if pid not in recorded]
    paid_not_open = Job.objects.filter(
        status="awaiting_payment", id__in=Payment.objects.filter(status="succeeded").values("job_id")
    ).count()
    cancelled_paid = Job.objects.filter(
        status="cancelled", id__in=Payment.objects.filter(id__in=charged).values("job_id")
    )
    unrefunded = sum(
        1
        for job_id in cancelled_paid.values_list("id", flat=True)
        if ledger.account_balance(f"escrow:job:{job_id}") != 0
        or not Refund.objects.filter(key=f"refund:job:{job_id}", status="succeeded").exists()
    )
    report = selectors.ledger_check_report()
    totals = selectors.reconciliation_by_day()["totals"]
    return {
        "stuck": len(stuck) + paid_not_open,
        "fen_unrecorded": sum(charged[pid] for pid in stuck),
        "unrefunded": unrefunded,
        "balanced": report.balanced and totals["ties_out"],
        "refunds_pending": Refund.objects.filter(status="pending").count(),
        "paid_in": Payment.objects.filter(status__in=["succeeded", "partially_refunded", "refunded"]).aggregate(
            t=Sum("amount_fen")
        )["t"]
        or 0,
    }


def settled(state: dict) -> bool:
    return state["stuck"] == 0 and state["unrefunded"] == 0 and state["refunds_pending"] == 0 and state["balanced"]


# --- the run ---------------------------------------------------------------------------


def _kill_worker_three_times(stack):
    for _ in range(3):
        stack.kill_worker()
        time.sleep(3)


def _redis_outage(stack):
    stack.stop_redis()
    time.sleep(10)
    stack.start_redis()


def _postgres_restart(stack):
    stack.stop_postgres()
    time.sleep(3)
    stack.start_postgres()


def _gunicorn_kills(stack):
    for _ in range(2):
        stack.kill_gunicorn_worker()
        time.sleep(2)


FAULTS = [
    ("none (baseline)", None),
    ("worker SIGKILL x3", _kill_worker_three_times),
    ("beat leader killed", lambda stack: stack.kill_beat_leader()),
    ("Redis stopped 10 s", _redis_outage),
    ("PostgreSQL restarted", _postgres_restart),
    ("gunicorn worker SIGKILL x2", _gunicorn_kills),
]


def phase(stack, smes, factories, fault, seed) -> dict:
    from django.utils import timezone

    started = timezone.now()
    stats = Counter()
    stop, lanes = run_workload(smes, factories, PHASE_SECONDS, stats, seed)
    time.sleep(PHASE_SECONDS / 2)
    if fault is not None:
        fault(stack)
    fault_over = time.monotonic()
    time.sleep(PHASE_SECONDS / 2)
    stop.set()
    for thread in lanes:
        thread.join(timeout=30)
    load_over = time.monotonic()
    state = {}
    while time.monotonic() - fault_over < RECOVERY_TIMEOUT:
        try:
            state = invariants()
        except Exception:  # the database may still be coming back  # noqa: BLE001
            state = {}
        if state and settled(state):
            break
        time.sleep(1)
    return {
        "requests": sum(stats.values()),
        "503": stats[503],
        "other_5xx": sum(n for code, n in stats.items() if code >= 500 and code != 503),
        "dropped": stats[0],
        "recover_s": round(time.monotonic() - load_over, 1),
        "by_sweep_and_max_wait": pay_to_open(started),
        **(state or {"stuck": "?", "fen_unrecorded": "?", "unrefunded": "?", "balanced": False}),
    }


def main() -> int:
    folder = Path(tempfile.mkdtemp(prefix="chaos-"))
    stack = Stack(folder)
    os.environ.update({k: v for k, v in stack.env.items() if k != "PYTHONPATH"})
    os.environ["DJANGO_SETTINGS_MODULE"] = "marketplace.settings"
    try:
        stack.start_postgres()
        stack.start_redis()
        stack.migrate()
        import django

        django.setup()
        smes, factories = _cast()
        stack.start_app()
        rows = []
        for seed, (name, fault) in enumerate(FAULTS, start=1):
            row = phase(stack, smes, factories, fault, seed)
            rows.append((name, row))
            print(f"  {name}: {row}", flush=True)
    finally:
        stack.stop_all()
        shutil.rmtree(folder, ignore_errors=True)
    header = (
        f"{'fault':<28} {'requests':>8} {'503':>5} {'other 5xx':>9} {'dropped':>7} {'stuck':>5} "
        f"{'fen lost':>8} {'unrefunded':>10} {'ledger':>7} {'by sweep':>8} {'pay→open max s':>14} {'recover s':>9}"
    )
    print(header)
    failed = False
    for name, row in rows:
        ledger_ok = "ok" if row["balanced"] else "FAIL"
        print(
            f"{name:<28} {row['requests']:>8} {row['503']:>5} {row['other_5xx']:>9} {row['dropped']:>7} "
            f"{row['stuck']:>5} {row['fen_unrecorded']:>8} {row['unrefunded']:>10} {ledger_ok:>7} "
            f"{row['by_sweep_and_max_wait'][0]:>8} {row['by_sweep_and_max_wait'][1]:>14} {row['recover_s']:>9}"
        )
        failed |= row["stuck"] != 0 or row["unrefunded"] != 0 or not row["balanced"] or row["other_5xx"] > 0
    print("every fault recovered: money recorded, refunds once, ledger balanced" if not failed else "FAILURES above")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
