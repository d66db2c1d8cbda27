"""Ctrl-C on `make run` ends cleanly: the worker and beat of the Procfile, run by the same
runner as `make run` (bin/procfile), stop warmly, nothing is SIGKILLed, and it exits 0."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, process_env


def _background_lines() -> str:
    # The Procfile's own worker and beat lines (web binds the developer's port 8000).
    lines = (ROOT / "Procfile").read_text().splitlines()
    return "\n".join(line for line in lines if line.startswith(("worker:", "beat:"))) + "\n"


@pytest.mark.slow
def test_ctrl_c_stops_worker_and_beat_warmly_and_exits_0(transactional_db, tmp_path):
    # given: worker and beat under bin/procfile on the test database and, as `make run` without
    # REDIS_URL, the filesystem broker (the slowest to stop); the worker ready
    env = {k: v for k, v in process_env().items() if k != "REDIS_URL"}
    env.update(VAR_DIR=str(tmp_path / "var"), PATH=f"{Path(sys.executable).parent}:{env['PATH']}")
    (tmp_path / "Procfile").write_text(_background_lines())
    log = tmp_path / "run.log"
    with open(log, "w") as out:
        runner = subprocess.Popen(  # noqa: S603
            [sys.executable, "bin/procfile", "start", "--no-prefix", "-f", str(tmp_path / "Procfile"), "-d", str(ROOT)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own group, as in a terminal
        )
        try:
            deadline = time.monotonic() + 60
            while " ready." not in log.read_text() or "beat: Starting" not in log.read_text():
                assert runner.poll() is None and time.monotonic() < deadline, log.read_text()[-3000:]
                time.sleep(0.2)
            time.sleep(1)
            # when: Ctrl-C, which the terminal sends to the foreground process group
            started = time.monotonic()
            os.killpg(runner.pid, signal.SIGINT)
            returncode = runner.wait(timeout=40)
            took = time.monotonic() - started
        finally:
            if runner.poll() is None:
                os.killpg(runner.pid, signal.SIGKILL)
    output = log.read_text()
    # then: both stopped by themselves, warmly, and the run exits 0
    assert returncode == 0, output[-3000:]
    assert "SIGKILL" not in output, output[-3000:]
    assert "signal 15" not in output and "rc=-" not in output, output[-3000:]
    assert "Warm shutdown" in output and "cold shutdown" not in output
    assert "worker.1 stopped (rc=0)" in output and "beat.1 stopped (rc=0)" in output
    assert took < 18, took  # well inside bin/procfile's 20 s
