"""The embedded default holds: with no DATABASE_URL or REDIS_URL (SQLite, the filesystem
broker), a real worker and beat run beside `simulate` and nobody meets "database is locked"."""

import os
import subprocess
import sys
import time

import pytest

from conftest import ROOT


@pytest.mark.slow
def test_simulate_runs_beside_a_worker_and_beat_on_the_embedded_default(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(VAR_DIR=str(tmp_path / "var"), MATCHING_BATCH_SECONDS="0.5", PYTHONPATH=str(ROOT), LOG_TICKS="1")
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True, timeout=120)  # noqa: S603
    processes = [
        subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "celery", "-A", "marketplace", *args],
            cwd=ROOT,
            env=env,
            stdout=open(tmp_path / f"{args[0]}.log", "w"),  # noqa: SIM115 - closed with the process
            stderr=subprocess.STDOUT,
        )
        for args in (["worker", "--concurrency", "2", "--loglevel", "INFO"], ["beat", "--loglevel", "INFO"])
    ]
    try:
        time.sleep(4)  # beat's dispatch batches are being written by the worker meanwhile
        simulate = subprocess.run(  # noqa: S603
            [*manage, "simulate", "--hours", "12", "--smes", "4", "--factories", "4"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=240,
        )
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=20)
    logs = "".join((tmp_path / f"{name}.log").read_text() for name in ("worker", "beat"))
    assert simulate.returncode == 0, simulate.stdout[-2000:] + simulate.stderr[-2000:]
    assert "money checks           ledger balanced" in simulate.stdout
    assert "database is locked" not in simulate.stderr + logs
    assert "dispatch_run_batch_task" in logs  # the worker really was writing beside it
