"""Private Redis and PostgreSQL servers that a test (or bench/chaos.py) may stop and start:
the shared servers on 6379 and 5432 serve every other test run on this machine and are never
touched. Each server lives in a folder of its own on a port of its own, and is stopped (and
its files removed) by ``close()``."""

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_port(port: int, *, up: bool, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as s:
            s.settimeout(0.2)
            listening = s.connect_ex(("127.0.0.1", port)) == 0
        if listening == up:
            return
        time.sleep(0.05)
    raise RuntimeError(f"port {port} did not go {'up' if up else 'down'} in {seconds} s")


class PrivateRedis:
    """``redis-server`` without persistence: a restart loses every message, as a Redis that
    was replaced does (the worst case for the broker)."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen | None = None

    def start(self) -> "PrivateRedis":
        self.proc = subprocess.Popen(  # noqa: S603
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],  # noqa: S607
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        _wait_port(self.port, up=True)
        return self

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None
        _wait_port(self.port, up=False)

    close = stop


def _pg_bin(name: str) -> str:
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    if not found:
        raise RuntimeError(f"{name} not found (the PostgreSQL server binaries)")
    return str(found[-1])


def _as_postgres(args: list[str]) -> list[str]:
    # initdb and postgres refuse to run as root: as root the cluster belongs to postgres
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


class PrivatePostgres:
    """A PostgreSQL cluster of its own (initdb in a temporary folder, trust auth, user
    postgres) on 127.0.0.1:``port``; ``stop()`` is a fast shutdown, as a restart does."""

    def __init__(self, port: int | None = None, folder: Path | None = None):
        self.port = port or free_port()
        self.folder = Path(folder or tempfile.mkdtemp(prefix="private-pg-"))
        self.data = self.folder / "data"
        self.running = False

    def url(self, dbname: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{dbname}"

    def start(self) -> "PrivatePostgres":
        if not self.data.exists():
            self.folder.mkdir(parents=True, exist_ok=True)  # its parents must let postgres through
            if os.geteuid() == 0:
                shutil.chown(self.folder, "postgres")
            subprocess.run(  # noqa: S603
                _as_postgres([_pg_bin("initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8"]),
                check=True,
                capture_output=True,
            )
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.data} -c fsync=off"
        subprocess.run(  # noqa: S603
            _as_postgres(
                [_pg_bin("pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(self.data / "log"), "-w", "start"]
            ),
            check=True,
            capture_output=True,
        )
        self.running = True
        return self

    def stop(self) -> None:
        subprocess.run(  # noqa: S603
            _as_postgres([_pg_bin("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"]), capture_output=True
        )
        self.running = False

    def create_database(self, name: str) -> None:
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=self.port, user="postgres", dbname="postgres") as admin:
            admin.autocommit = True
            admin.execute(f'CREATE DATABASE "{name}"')

    def close(self) -> None:
        if self.running:
            self.stop()
        with contextlib.suppress(OSError):
            shutil.rmtree(self.folder)
