"""Fault injection against the real stack at its default settings (``make chaos``; issues 16
and 27).

Brings up a private PostgreSQL and Redis in a temporary folder (tests/servers.py), the web
process (gunicorn, 2 uvicorn workers), and the Celery worker and two beats exactly as the
Procfile runs them: each under ``bin/keep-running``, the supervisor that starts a process
again when it dies. Every restart it makes is counted per phase: after a deliberate kill one
is expected, anywhere else it is a finding. No sweep or lease setting is overridden.

A bounded workload runs over HTTP (SMEs post, pay on the sandbox pay page — some webhooks
delayed so they are in flight when a fault strikes — and cancel; factories take, produce and
deliver; SMEs accept), and an admin builds and approves settlement batches every 15 s (the
payouts). The gateway's webhooks reach the web through a relay the bench can cut. Faults,
one after another: worker SIGKILLs, a beat killed, the leading beat frozen (SIGSTOP) for a
minute, Redis stopped, PostgreSQL restarted and stopped for 20 s, gunicorn worker kills, and
the webhook endpoint unreachable for 6 minutes. After each the bench waits for the sweeps and
checks with SQL: every charge recorded (paid jobs open or later), every cancel refunded once,
every approved batch paid once, the ledger balanced and the reconciliation tied out.

It prints a table per phase: requests, 5xx by code, dropped connections, worker and beat
restarts, stuck and lost counts, the longest pay → open, the longest refund and payout
completion, and seconds to recover. Everything talks to 127.0.0.1 only and stops by itself;
the folder is removed at the end. Takes about 15 minutes.
"""

import contextlib
import json
import os
import random
import shutil
import signal
import socket
import struct
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

from tests.servers import PrivatePostgres, PrivateRedis, free_port  # noqa: E402

WEB_PORT, RELAY_PORT = free_port(), free_port()
BASE = f"http://127.0.0.1:{WEB_PORT}"
PHASE_SECONDS = 20
FREEZE_SECONDS = 60
WEBHOOK_OUTAGE_SECONDS = 360
RECOVERY_TIMEOUT = 180
SETTLE_EVERY_SECONDS = 15
SPEC = {"width_mm": 25, "color": "black", "stitch": "box_x"}
SUPERVISOR_LINE = "keep-running: "  # what bin/keep-running says each time it starts a command again


def _procfile() -> dict[str, list[str]]:
    """The Procfile's commands, as a deployment runs them (``exec`` dropped)."""
    commands = {}
    for line in (ROOT / "Procfile").read_text().splitlines():
        name, _, command = line.partition(":")
        if command.strip():
            commands[name.strip()] = command.strip().removeprefix("exec ").split()
    return commands


class Relay:
    """The path from the gateway to the webhook endpoint: a TCP relay to the web process that
    the bench can cut (connections are then refused, as an unreachable endpoint's are)."""

    def __init__(self, port: int, target: int):
        self.port, self.target = port, target
        self.up = True
        self.listener = socket.create_server(("127.0.0.1", port))
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.up:
                client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                client.close()  # a reset: the delivery is not received
                continue
            threading.Thread(target=self._pipe_both, args=(client,), daemon=True).start()

    def _pipe_both(self, client):
        try:
            upstream = socket.create_connection(("127.0.0.1", self.target), timeout=10)
        except OSError:
            client.close()
            return
        for source, sink in ((client, upstream), (upstream, client)):
            threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pipe(source, sink):
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)


class Stack:
    """The private servers and the application processes."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.postgres = PrivatePostgres()  # a folder of its own, which the postgres user may enter
        self.redis = PrivateRedis()
        self.procs: dict[str, subprocess.Popen] = {}
        python = Path(sys.executable).parent
        self.env = {
            **os.environ,
            "PATH": f"{python}:{os.environ.get('PATH', '')}",
            "DATABASE_URL": self.postgres.url("chaos"),
            "REDIS_URL": self.redis.url,
            "SECRET_KEY": "chaos-bench-secret-key-" + "x" * 40,
            "DEBUG": "0",
            "PAYMENT_PROVIDER": "sandbox",
            "SANDBOX_TEST_KNOBS": "1",
            "SECURE_SSL_REDIRECT": "0",
            "SESSION_COOKIE_SECURE": "0",
            "CSRF_COOKIE_SECURE": "0",
            "SECURE_HSTS_SECONDS": "0",
            "PAYMENT_WEBHOOK_BASE_URL": f"http://127.0.0.1:{RELAY_PORT}",
            "THROTTLE_ANON": "100000/min",
            "THROTTLE_USER": "100000/min",
            "THROTTLE_LOGIN": "100000/min",
            "LOG_LEVEL": "WARNING",
            "LOG_TICKS": "1",  # the bench reads the beats' "Sending due task" lines
            "PYTHONPATH": str(ROOT),
        }
        for name in ("PAYMENT_RECONCILE_SECONDS", "MONEY_SWEEP_SECONDS", "WEBHOOK_SWEEP_SECONDS", "BEAT_LEASE_SECONDS"):
            self.env.pop(name, None)  # the defaults, whatever the calling shell says

    def migrate(self):
        self.postgres.create_database("chaos")
        subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=self.env, check=True)

    def start_app(self):
        self.procs["web"] = self._spawn(
            [
                sys.executable,
                "-m",
                "gunicorn",
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
        procfile = _procfile()
        self.procs["worker"] = self._spawn(procfile["worker"], "worker")
        for name in ("beat1", "beat2"):  # two beats on one host: a schedule file each
            self.procs[name] = self._spawn([*procfile["beat"], "-s", str(self.folder / f"{name}-schedule")], name)
        _wait_http(f"{BASE}/healthz", 60)

    def log(self, name: str) -> str:
        return (self.folder / f"{name}.log").read_text(errors="replace")

    def restarts(self, name: str) -> int:
        return sum(1 for line in self.log(name).splitlines() if line.startswith(SUPERVISOR_LINE))

    def supervised(self, name: str) -> int | None:
        """The pid of the command bin/keep-running runs now (its session leader)."""
        out = subprocess.run(["pgrep", "-P", str(self.procs[name].pid)], capture_output=True, text=True)
        pids = [int(pid) for pid in out.stdout.split()]
        return next((pid for pid in pids if _comm(pid) != "sleep"), None)

    def kill_worker(self):
        pid = self.supervised("worker")
        if pid:
            _signal_group(pid, signal.SIGKILL)  # the worker and its pool: the kernel's OOM kill

    def beat_leader(self) -> tuple[str | None, int | None]:
        """The beat holding the lease (its holder names the process), and its pid."""
        from core.models import Lease

        with contextlib.suppress(Exception):
            holder = Lease.objects.get(name="beat").holder
            pid = int(holder.split(":")[1])
            for name in ("beat1", "beat2"):
                if self.supervised(name) == pid:
                    return name, pid
        return None, None

    def kill_gunicorn_worker(self):
        out = subprocess.run(["pgrep", "-P", str(self.procs["web"].pid)], capture_output=True, text=True)
        workers = [int(pid) for pid in out.stdout.split()]
        if workers:
            _signal(max(workers), signal.SIGKILL)  # the master starts another

    def _spawn(self, args, name):
        log = open(self.folder / f"{name}.log", "ab")  # noqa: SIM115 - closed with the process
        return subprocess.Popen(
            args, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def stop_all(self):
        for name, proc in list(self.procs.items()):
            child = self.supervised(name) if name != "web" else None
            _signal(proc.pid, signal.SIGTERM)  # keep-running stops its command warmly
            try:
                proc.wait(timeout=25)
            except subprocess.TimeoutExpired:
                _signal_group(proc.pid, signal.SIGKILL)
            if child:
                _signal_group(child, signal.SIGKILL)
        self.redis.close()
        self.postgres.close()


def _comm(pid: int) -> str:
    with contextlib.suppress(OSError):
        return Path(f"/proc/{pid}/comm").read_text().strip()
    return ""


def _signal(pid: int, sig):
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)


def _signal_group(pid: int, sig):
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, sig)


def _status(url: str, timeout: float = 30) -> int:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - our own local server
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except (urllib.error.URLError, OSError):
        return 0


def _wait_http(url: str, seconds: float):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if _status(url, timeout=2) == 200:
            return
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
    """Three SMEs, three verified online factories and an admin, made through the services."""
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
    return smes, factories, admin


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
    for _ in range(60):  # wait until it opens (the webhook, or the sweep)
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


def _settle(admin, stop: threading.Event):
    """The admin desk: build the batches due and approve them, every SETTLE_EVERY_SECONDS."""
    from django.db import connection
    from django.utils import timezone

    from payments.models import SettlementBatch
    from payments.services.settlement import settlement_approve, settlement_build

    while not stop.wait(SETTLE_EVERY_SECONDS):
        try:
            settlement_build(cutoff=timezone.now())
            for batch_id in SettlementBatch.objects.filter(status="pending_review").values_list("id", flat=True):
                settlement_approve(batch_id=batch_id, admin=admin)
        except Exception:  # noqa: BLE001 - PostgreSQL may be down: the next round tries again
            connection.close()


def run_workload(smes, factories, admin, stats: Counter, seed: int):
    stop = threading.Event()

    def lane(n):
        rng = random.Random(seed * 10 + n)  # a reproducible workload
        sme = Client(stats, smes[n % len(smes)][0])
        factory = Client(stats, factories[n % len(factories)][0])
        while not stop.is_set():
            _journey(sme, factory, rng, stop)

    threads = [threading.Thread(target=lane, args=(n,), daemon=True) for n in range(4)]
    threads.append(threading.Thread(target=_settle, args=(admin, stop), daemon=True))
    for thread in threads:
        thread.start()
    return stop, threads


# --- the invariants and the times ------------------------------------------------------


def pay_to_open(since) -> tuple[int, float]:
    """Of the charges made since ``since``: how many opened through the reconciliation sweep
    (before any payment.succeeded webhook for them reached the web), and the longest time from the
    charge at the gateway to the job opening, in seconds."""
    from orders.models import JobHistory
    from payments.models import GatewayMessage, Payment, SandboxOperation

    charges = {
        int(key.split(":")[1]): at
        for key, at in SandboxOperation.objects.filter(kind="charge", created_at__gte=since).values_list(
            "key", "created_at"
        )
    }
    by_webhook = {}  # payment -> when its first payment.succeeded webhook reached the web
    for pid, at in GatewayMessage.objects.filter(
        event_type="payment.succeeded", processed_at__isnull=False, error=""
    ).values_list("payload__data__payment_id", "received_at"):
        if pid is not None:
            by_webhook[int(pid)] = min(at, by_webhook.get(int(pid), at))
    jobs = dict(Payment.objects.filter(id__in=charges).values_list("id", "job_id"))
    opened = dict(
        JobHistory.objects.filter(job_id__in=jobs.values(), action="paid").values_list("job_id", "created_at")
    )
    waits = [(opened[jobs[pid]] - at).total_seconds() for pid, at in charges.items() if jobs[pid] in opened]
    swept = sum(
        1 for pid in charges if jobs[pid] in opened and (pid not in by_webhook or by_webhook[pid] > opened[jobs[pid]])
    )
    return swept, round(max(waits, default=0.0), 1)


def money_completion(since) -> tuple[float, float]:
    """The longest refund (made since ``since``: owed to done) and payout (approved since
    ``since``: approved to paid), in seconds; unfinished ones count as stuck."""
    from payments.models import Refund, SettlementBatch, SettlementHistory

    refunds = [
        (done - made).total_seconds()
        for made, done in Refund.objects.filter(created_at__gte=since, completed_at__isnull=False).values_list(
            "created_at", "completed_at"
        )
    ]
    approved = dict(
        SettlementHistory.objects.filter(action="approved", created_at__gte=since).values_list("batch_id", "created_at")
    )
    paid = dict(SettlementBatch.objects.filter(id__in=approved, paid_at__isnull=False).values_list("id", "paid_at"))
    payouts = [(paid[batch] - at).total_seconds() for batch, at in approved.items() if batch in paid]
    return round(max(refunds, default=0.0), 1), round(max(payouts, default=0.0), 1)


def invariants() -> dict:
    """What must hold once the sweeps have run, read from the database."""
    from django.db import connection
    from django.db.models import Sum

    from orders.models import Job
    from payments import ledger, selectors
    from payments.models import LedgerTransaction, Payment, Refund, SandboxOperation, SettlementBatch, SettlementLine

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
    unrecorded = [pid for pid in charged if pid not in recorded]
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
    refunds_pending = Refund.objects.filter(status="pending").count()
    payouts_pending = SettlementBatch.objects.filter(status__in=["approved", "paying"]).count()
    # One transfer per settlement line (key payout:line:<id>): every paid line booked once.
    paid = set(SettlementLine.objects.filter(payout_status="paid").values_list("id", flat=True))
    payouts_booked = Counter(
        int(key.split(":")[2])
        for key in LedgerTransaction.objects.filter(kind="payout_paid").values_list("key", flat=True)
    )
    paid_twice = sum(1 for line in paid | set(payouts_booked) if payouts_booked[line] != 1)
    report = selectors.ledger_check_report()
    totals = selectors.reconciliation_by_day()["totals"]
    return {
        "stuck": len(unrecorded) + paid_not_open + refunds_pending + payouts_pending,
        "lost": unrefunded + paid_twice + len(unrecorded),
        "fen_unrecorded": sum(charged[pid] for pid in unrecorded),
        "balanced": report.balanced and totals["ties_out"],
        "paid_in": Payment.objects.filter(status__in=["succeeded", "partially_refunded", "refunded"]).aggregate(
            t=Sum("amount_fen")
        )["t"]
        or 0,
    }


def settled(state: dict) -> bool:
    return state["stuck"] == 0 and state["lost"] == 0 and state["balanced"]


# --- the faults ------------------------------------------------------------------------


def _kill_worker_three_times(stack, notes):
    for _ in range(3):
        stack.kill_worker()
        time.sleep(3)


def _kill_beat_leader(stack, notes):
    name, pid = stack.beat_leader()
    if pid:
        _signal_group(pid, signal.SIGKILL)
    notes.append(f"killed {name}")


def _freeze_beat_leader(stack, notes):
    """SIGSTOP the leading beat for FREEZE_SECONDS (it keeps its sockets and its database
    session), then SIGCONT it: a standby must take over, and the old leader send nothing."""
    name, pid = stack.beat_leader()
    if not pid:
        notes.append("no leader found")
        return
    other = "beat2" if name == "beat1" else "beat1"
    sent = "Sending due task dispatch-batch"
    standby_before, leader_before = stack.log(other).count(sent), stack.log(name).count(sent)
    _signal(pid, signal.SIGSTOP)
    frozen_at = time.monotonic()
    took_over = None
    while time.monotonic() - frozen_at < FREEZE_SECONDS:
        if took_over is None and stack.log(other).count(sent) > standby_before:
            took_over = time.monotonic() - frozen_at
        time.sleep(0.5)
    batches_meanwhile = stack.log(other).count(sent) - standby_before
    _signal(pid, signal.SIGCONT)
    time.sleep(10)
    woken_sent = stack.log(name).count(sent) - leader_before
    notes.append(
        f"{name} frozen {FREEZE_SECONDS} s: {other} took over after "
        f"{'never' if took_over is None else f'{took_over:.1f} s'}, sent {batches_meanwhile} dispatch batches "
        f"meanwhile; {name}, woken, sent {woken_sent} in the next 10 s"
    )


def _redis_outage(stack, notes):
    stack.redis.stop()
    time.sleep(10)
    stack.redis.start()


def _postgres_restart(stack, notes):
    stack.postgres.stop()
    time.sleep(3)
    stack.postgres.start()
    notes.append(_first_answer())


def _postgres_outage(stack, notes):
    stack.postgres.stop()
    time.sleep(20)
    stack.postgres.start()
    notes.append(_first_answer())


def _first_answer() -> str:
    started = time.monotonic()
    status = _status(f"{BASE}/healthz")
    return f"first /healthz after PostgreSQL returned: {status} in {time.monotonic() - started:.2f} s"


def _gunicorn_kills(stack, notes):
    for _ in range(2):
        stack.kill_gunicorn_worker()
        time.sleep(2)


FAULTS = [
    # (name, fault, seconds of load after it, supervisor restarts it causes on purpose)
    ("none (baseline)", None, PHASE_SECONDS / 2, {}),
    ("worker SIGKILL x3", _kill_worker_three_times, PHASE_SECONDS / 2, {"worker": 3}),
    ("beat leader killed", _kill_beat_leader, PHASE_SECONDS / 2, {"beat": 1}),
    (f"beat leader frozen {FREEZE_SECONDS} s", _freeze_beat_leader, PHASE_SECONDS / 2, {}),
    ("Redis stopped 10 s", _redis_outage, PHASE_SECONDS / 2, {}),
    ("PostgreSQL restarted", _postgres_restart, PHASE_SECONDS / 2, {}),
    ("PostgreSQL stopped 20 s", _postgres_outage, PHASE_SECONDS / 2, {}),
    ("gunicorn worker SIGKILL x2", _gunicorn_kills, PHASE_SECONDS / 2, {}),
    (f"webhooks unreachable {WEBHOOK_OUTAGE_SECONDS // 60} min", "webhooks", PHASE_SECONDS / 2, {}),
]


def phase(stack, relay, smes, factories, admin, fault, after, seed) -> dict:
    from django.utils import timezone

    started = timezone.now()
    restarts_before = {name: stack.restarts(name) for name in ("worker", "beat1", "beat2")}
    stats, notes = Counter(), []
    stop, threads = run_workload(smes, factories, admin, stats, seed)
    time.sleep(PHASE_SECONDS / 2)
    if fault == "webhooks":
        relay.up = False
        time.sleep(WEBHOOK_OUTAGE_SECONDS)
        relay.up = True
    elif fault is not None:
        fault(stack, notes)
    time.sleep(after)
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    load_over = time.monotonic()
    state = {}
    while time.monotonic() - load_over < RECOVERY_TIMEOUT:
        try:
            state = invariants()
        except Exception:  # noqa: BLE001 - the database may still be coming back
            state = {}
        if state and settled(state):
            break
        time.sleep(1)
    restarts = {name: stack.restarts(name) - before for name, before in restarts_before.items()}
    for name, before in restarts_before.items():  # what the supervisor said: a restart's exit status
        lines = [line for line in stack.log(name).splitlines() if line.startswith(SUPERVISOR_LINE)]
        notes += [f"{name}: {line.split(';')[0]}" for line in lines[before:]]
    refund_max, payout_max = money_completion(started) if state else ("?", "?")
    return {
        "requests": sum(stats.values()),
        "5xx": ", ".join(f"{code}×{n}" for code, n in sorted(stats.items()) if code >= 500) or "0",
        "dropped": stats[0],
        "worker_restarts": restarts["worker"],
        "beat_restarts": restarts["beat1"] + restarts["beat2"],
        "recover_s": round(time.monotonic() - load_over, 1),
        "by_sweep_and_max_wait": pay_to_open(started) if state else ("?", "?"),
        "refund_max": refund_max,
        "payout_max": payout_max,
        "notes": notes,
        **(state or {"stuck": "?", "lost": "?", "fen_unrecorded": "?", "balanced": False}),
    }


def main() -> int:
    folder = Path(tempfile.mkdtemp(prefix="chaos-"))
    stack = Stack(folder)
    os.environ.update({k: v for k, v in stack.env.items() if k not in ("PYTHONPATH", "PATH")})
    os.environ["DJANGO_SETTINGS_MODULE"] = "marketplace.settings"
    rows = []
    try:
        stack.postgres.start()
        stack.redis.start()
        stack.migrate()
        import logging

        import django

        django.setup()
        logging.disable(logging.WARNING)  # the bench's own sends and connections failing on purpose
        smes, factories, admin = _cast()
        relay = Relay(RELAY_PORT, WEB_PORT)
        stack.start_app()
        for seed, (name, fault, after, expected) in enumerate(FAULTS, start=1):
            row = phase(stack, relay, smes, factories, admin, fault, after, seed)
            row["expected_restarts"] = expected
            rows.append((name, row))
            print(f"  {name}: {row}", flush=True)
    finally:
        stack.stop_all()
        if os.environ.get("CHAOS_KEEP"):
            print(f"logs kept in {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    return report(rows)


def report(rows) -> int:
    header = (
        f"{'phase':<28} {'requests':>8} {'5xx':>10} {'dropped':>7} {'worker rst':>10} {'beat rst':>8} "
        f"{'stuck':>5} {'lost':>4} {'ledger':>6} {'by sweep':>8} {'pay→open max s':>14} "
        f"{'refund max s':>12} {'payout max s':>12} {'recover s':>9}"
    )
    print(header)
    failed = False
    for name, row in rows:
        ledger_ok = "ok" if row["balanced"] else "FAIL"
        expected = row["expected_restarts"]
        worker = f"{row['worker_restarts']}{'*' if expected.get('worker') else ''}"
        beat = f"{row['beat_restarts']}{'*' if expected.get('beat') else ''}"
        print(
            f"{name:<28} {row['requests']:>8} {row['5xx']:>10} {row['dropped']:>7} {worker:>10} "
            f"{beat:>8} {row['stuck']:>5} {row['lost']:>4} {ledger_ok:>6} "
            f"{row['by_sweep_and_max_wait'][0]:>8} {row['by_sweep_and_max_wait'][1]:>14} "
            f"{row['refund_max']:>12} {row['payout_max']:>12} {row['recover_s']:>9}"
        )
        unexpected = (row["worker_restarts"] - expected.get("worker", 0)) + (
            row["beat_restarts"] - expected.get("beat", 0)
        )
        other_5xx = any(
            code != "503" for code in (part.split("×")[0] for part in row["5xx"].split(", ")) if code != "0"
        )
        failed |= row["stuck"] != 0 or row["lost"] != 0 or not row["balanced"] or other_5xx or unexpected > 0
    for name, row in rows:
        for note in row["notes"]:
            print(f"  {name}: {note}")
    print(
        "* the supervisor's restarts after the phase's own kills (expected); any other restart is a finding. "
        "stuck: charges not recorded or jobs not open, refunds pending, batches approved or paying; "
        "lost: charges never recorded, cancels not refunded, batches not paid exactly once"
    )
    print(
        "every fault recovered: money recorded, refunds and payouts made once, ledger balanced, no unexpected restart"
        if not failed
        else "FAILURES above"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
