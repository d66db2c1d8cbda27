"""Where a mix request's CPU goes: the load bench's stack held at one rate, CPU per process.

Run: ``.venv/bin/python bench/mix_cpu.py`` (PostgreSQL and Redis as in ``make test``;
``BENCH_RATE``, default 60/s asked, and ``BENCH_SECONDS``, default 40). It starts the stack of
``bench/load.py`` on that bench's world, drives the mix alone at the one rate, and reads every
process's CPU time from ``/proc`` before and after the middle of the run (the first 8 s and the
last 4 s left out); it prints each group's share of a core and its milliseconds per request
(web, Celery worker, beat, PostgreSQL, Redis, the load generator), then the mix's latencies at
that rate. PostgreSQL and Redis are the machine's, so their CPU includes anything else they
serve meanwhile. The kernel's share (loopback TCP) is in none of the groups.
"""

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import load  # noqa: E402

RATE = float(os.environ.get("BENCH_RATE", "60"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "40"))
GROUPS = (  # the first whose words are all in a process's command line names it
    ("web", ("gunicorn",)),
    ("celery worker", ("celery", "worker")),
    ("beat", ("celery", "beat")),
    ("postgres", ("postgres",)),
    ("redis", ("redis",)),
    ("load generator", ("load_users",)),
)


def _group(command: str) -> str | None:
    return next((name for name, words in GROUPS if all(word in command for word in words)), None)


def cpu_seconds() -> dict[tuple[str, str], float]:
    """(group, pid) -> user + system CPU seconds so far, for every process of a group."""
    tick = os.sysconf("SC_CLK_TCK")
    found = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
            command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:  # gone meanwhile
            continue
        group = _group(command)
        if group:
            fields = stat.rsplit(")", 1)[1].split()
            found[(group, pid)] = (int(fields[11]) + int(fields[12])) / tick
    return found


def measure(folder: Path) -> tuple[dict[str, float], float]:
    """Run the mix at RATE; returns CPU seconds per group over the measured window, and its length."""
    runner = [sys.executable, str(load.ROOT / "bench" / "load_users.py"), str(folder / "plan.json")]
    generator = subprocess.Popen([*runner, str(folder / "out.json")], cwd=load.ROOT)  # noqa: S603
    time.sleep(8)  # ramp-up, and the step's own 2 s
    before, started = cpu_seconds(), time.monotonic()
    time.sleep(SECONDS - 12)
    after, window = cpu_seconds(), time.monotonic() - started
    generator.wait()
    used: dict[str, float] = {}
    for key, seconds in after.items():
        used[key[0]] = used.get(key[0], 0.0) + seconds - before.get(key, 0.0)
    return used, window


def main() -> int:
    env = load.setup()
    tokens = load.build_world()
    folder = Path(tempfile.mkdtemp(prefix="bench-mix-cpu-"))
    procs = load.start_stack(env, folder)
    plan = {"base": f"http://127.0.0.1:{load.PORT}", **tokens, "phases": ["mixed"], "rates": [RATE]}
    (folder / "plan.json").write_text(json.dumps({**plan, "seconds": SECONDS, "p99_ms": load.P99_MS}))
    try:
        used, window = measure(folder)
    finally:
        for proc in procs:
            os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            proc.wait(timeout=30)
    stats = json.loads((folder / "out.json").read_text())["mixed"][0]["stats"]
    rate = stats["all"]["rate"]
    print(f"\n混合负载 {RATE:.0f}/s（实际 {rate:.1f} 次/秒），{window:.0f} 秒内各进程的 CPU：")
    print(f"the mix at {RATE:.0f}/s asked: {rate:.1f} requests a second; CPU over {window:.0f} s:")
    for group, seconds in sorted(used.items(), key=lambda item: -item[1]):
        share, per_request = 100 * seconds / window, 1000 * seconds / window / rate
        print(f"  {group:16} {share:5.0f}% 核 / of a core  {per_request:6.2f} ms/请求 request")
    print("延迟 / latency, p50 / p95 / p99 ms:")
    for name, row in sorted(stats.items()):
        print(f"  {name:28} {row['rate']:6.1f}/s  {row['p50']:5.0f} / {row['p95']:5.0f} / {row['p99']:5.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
