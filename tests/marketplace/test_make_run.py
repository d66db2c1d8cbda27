"""`make run` (bin/run) with nothing configured runs what production runs: an embedded
PostgreSQL under var/, with web, worker and beat on it; a management command beside it finds
the same database through var/env; Ctrl-C leaves no process behind; a second run finds the
data of the first."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil
import pytest

from conftest import ROOT

# What a newcomer's shell does not have: make run chooses every one of these itself.
UNSET = (
    "DATABASE_URL",
    "REDIS_URL",
    "SECRET_KEY",
    "PAYMENT_PROVIDER",
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS",
)


def _newcomer_env(var: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in UNSET}
    env["VAR_DIR"] = str(var)
    return env


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _http(method: str, url: str, body: dict | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(  # noqa: S310 - our own server on 127.0.0.1
        url,
        method=method,
        data=json.dumps(body).encode() if body else None,
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read())


def _processes_of(var: Path) -> list[psutil.Process]:
    """Processes started for this var/ (they inherit VAR_DIR, PostgreSQL too) that still run."""
    found = []
    for process in psutil.process_iter():
        try:
            if process.environ().get("VAR_DIR") == str(var):
                found.append(process)
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
    return found


def _left_behind(var: Path) -> list[str]:
    return [f"{p.pid} {' '.join(p.cmdline())}" for p in _processes_of(var)]


class Run:
    """bin/run in a session of its own, as a terminal runs it; Ctrl-C goes to the whole group."""

    def __init__(self, var: Path, port: int, log: Path):
        self.log, self.var = log, var
        with open(log, "w") as out:
            self.process = subprocess.Popen(  # noqa: S603
                [sys.executable, "bin/run", "--port", str(port)],
                cwd=ROOT,
                env=_newcomer_env(var),
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def output(self) -> str:
        return self.log.read_text()

    def wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while "Ready; Ctrl-C stops everything" not in self.output():
            assert self.process.poll() is None and time.monotonic() < deadline, self.output()[-4000:]
            time.sleep(0.5)

    def ctrl_c(self) -> int:
        os.killpg(self.process.pid, signal.SIGINT)
        return self.process.wait(timeout=60)

    def kill(self) -> None:
        """After a failure: Ctrl-C, then whatever still runs for this var/ (honcho starts each
        process in a session of its own, out of reach of a signal to this group)."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
            try:
                self.process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
        for process in _processes_of(self.var):
            process.kill()


@pytest.mark.slow
def test_make_run_serves_on_the_embedded_postgresql_stops_clean_and_keeps_its_data(tmp_path):
    var, port = tmp_path / "var", _free_port()
    base = f"http://127.0.0.1:{port}"
    first = Run(var, port, tmp_path / "first.log")
    try:
        # given: a first run, from nothing
        first.wait_ready(timeout=240)
        # then: it serves on PostgreSQL, with the filesystem broker
        status, health = _http("GET", f"{base}/healthz")
        assert status == 200
        assert (health["db"], health["database"], health["broker"]) == ("ok", "postgresql", "filesystem")
        # and the logins and addresses come last, once
        output = first.output()
        assert output.count("Demo logins") == 1 and output.count(f"{base}/admin/") == 1
        after = output.rsplit("=" * 78, 1)[1].strip().splitlines()
        # only our own requests, and the news the service logs of its own (a dispatch offer)
        assert all(' - "GET /healthz HTTP/1.1" 200' in line or "dispatch batch " in line for line in after), after
        assert "AXES: BEGIN" not in output and "No hostname was supplied" not in output
        # when: a company registers, and a management command runs beside it as the README shows
        status, _ = _http(
            "POST",
            f"{base}/api/v1/auth/register",
            {"username": "kept_sme", "password": "kept-pass-2026", "company": {"name": "Kept", "kind": "sme"}},
        )
        assert status == 201
        command = subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", "check_ledger"],
            cwd=ROOT,
            env=_newcomer_env(var),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert command.returncode == 0, command.stdout + command.stderr
        assert "ledger OK" in command.stdout
        # and Ctrl-C
        assert first.ctrl_c() == 0, first.output()[-4000:]
    finally:
        first.kill()
    # then: everything stopped by itself, PostgreSQL too, nothing killed
    assert "PostgreSQL stopped" in first.output()
    assert "SIGKILL" not in first.output()
    assert _left_behind(var) == []
    assert not (var / "postgres" / "postmaster.pid").exists()

    # given: a second run on the same var/
    second = Run(var, port, tmp_path / "second.log")
    try:
        second.wait_ready(timeout=180)
        # then: the database was not made again, and the first run's company is there
        assert "Creating the embedded PostgreSQL" not in second.output()
        status, tokens = _http(
            "POST", f"{base}/api/v1/auth/token", {"username": "kept_sme", "password": "kept-pass-2026"}
        )
        assert status == 200 and tokens["access"]
        assert second.ctrl_c() == 0, second.output()[-4000:]
    finally:
        second.kill()
    assert _left_behind(var) == []

    # and with make run stopped, a command says so in one line
    stopped = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "check_ledger"],
        cwd=ROOT,
        env=_newcomer_env(var),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert stopped.returncode == 1
    assert stopped.stderr.count("\n") == 1 and "not running: start `make run` first" in stopped.stderr, stopped.stderr
