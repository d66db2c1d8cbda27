"""The front door through the real web process (gunicorn with uvicorn workers serving
``marketplace.asgi``), where issue 28 found it open: request bodies bounded before they are
read (M3), one policy for who the client is (L6), and no ticket in any log line."""

import http.client
import json
import os
import socket
import threading
import time
from pathlib import Path

import pytest
from websockets.sync.client import connect

from conftest import client_for
from tests import fixtures
from tests.fixtures import user_checkable_by_a_web_process

pytestmark = pytest.mark.slow

LIMIT = 1_048_576  # REQUEST_BODY_MAX_BYTES's default
HUGE = 1_536 * 1024 * 1024  # the attacker's 1.5 GB
CHUNK = b"a" * (1024 * 1024)  # one buffer, sent again and again: nothing of 1.5 GB is held here
PASSWORD = "Velcro-2026-strong"


class TempGrowth:
    """The peak of what the web process holds in its temporary directory, sampled every few
    milliseconds: the named files in it and the unnamed ones its processes keep open there
    (Python's TemporaryFile is unlinked at birth, O_TMPFILE on Linux, so only /proc sees it)."""

    def __init__(self, master_pid: int, folder: Path):
        self.master_pid, self.folder, self.peak = master_pid, str(folder), 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def _pids(self) -> list[int]:
        children = []
        for task in Path(f"/proc/{self.master_pid}/task").iterdir():
            children += (task / "children").read_text().split()
        return [self.master_pid, *map(int, children)]

    def _held(self) -> int:
        sizes = {}
        for pid in self._pids():
            fds = Path(f"/proc/{pid}/fd")
            for fd in list(fds.iterdir()) if fds.exists() else []:
                try:
                    if os.readlink(fd).startswith(self.folder):
                        stat = os.stat(fd)
                        sizes[stat.st_ino] = stat.st_size
                except OSError:  # closed meanwhile
                    continue
        for entry in os.scandir(self.folder):
            if entry.is_file(follow_symlinks=False):
                sizes[entry.inode()] = entry.stat().st_size
        return sum(sizes.values())

    def _run(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, self._held())
            time.sleep(0.005)


def _post_streaming(port: int, path: str, *, total: int, chunked: bool) -> tuple[int, dict, int]:
    """POST ``total`` bytes of body to ``path``, streamed from one small buffer, reading the
    answer as it comes; stops sending once the server has answered or closed. Returns
    (status, JSON body, bytes of body sent)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=120)
    length = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {total}"
    head = f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n{length}\r\n\r\n"
    sock.sendall(head.encode())
    answer = bytearray()
    done = threading.Event()

    def read():
        try:
            while chunk := sock.recv(65536):
                answer.extend(chunk)
        except OSError:
            pass
        done.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    sent = 0
    try:
        while sent < total and not done.is_set() and b"\r\n\r\n" not in answer:
            piece = CHUNK[: min(len(CHUNK), total - sent)]
            sock.sendall(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
            sent += len(piece)
        if sent >= total and chunked:
            sock.sendall(b"0\r\n\r\n")
    except OSError:  # the server closed the connection: it reads no more
        pass
    reader.join(timeout=60)
    sock.close()
    head, _, body = bytes(answer).partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    return status, json.loads(body), sent


@pytest.mark.parametrize("chunked", [True, False], ids=["chunked", "content-length"])
def test_body_of_1_5_gb_is_refused_with_413_before_it_reaches_the_disk(start_web, tmp_path, chunked):
    # given: the web process, its temporary files in a folder of their own
    folder = tmp_path / "web-tmp"
    folder.mkdir()
    web = start_web(TMPDIR=str(folder))
    # when: an anonymous 1.5 GB login body comes, with or without a Content-Length
    with TempGrowth(web.pid, folder) as growth:
        status, body, sent = _post_streaming(web.port, "/api/v1/auth/token", total=HUGE, chunked=chunked)
    # then: 413 in the error shape; the disk grew by less than the limit (by nothing at all),
    # and the server stopped reading long before the end
    assert status == 413
    assert body["error"]["code"] == "request_too_large"
    assert str(LIMIT) in body["error"]["message"]
    assert growth.peak < LIMIT, growth.peak
    assert sent < 64 * LIMIT, sent


def test_body_within_the_limit_still_reaches_the_view(start_web):
    web = start_web()
    user_checkable_by_a_web_process("lin", PASSWORD)
    padding = "x" * (LIMIT - 200)
    conn = http.client.HTTPConnection("127.0.0.1", web.port, timeout=30)
    body = json.dumps({"username": "lin", "password": PASSWORD, "pad": padding})
    conn.request("POST", "/api/v1/auth/token", body=body, headers={"Content-Type": "application/json"})
    response = conn.getresponse()
    # the login serializer ignores the unknown field: the body was read and the password checked
    assert response.status == 200, response.read()


def _login(port, username, password, forwarded):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    body = json.dumps({"username": username, "password": password})
    headers = {"Content-Type": "application/json", "X-Forwarded-For": forwarded}
    conn.request("POST", "/api/v1/auth/token", body=body, headers=headers)
    response = conn.getresponse()
    return response.status, json.loads(response.read())


def test_lockout_holds_against_a_forged_x_forwarded_for_from_127_0_0_1(start_web):
    # given: the web process with no trusted proxy (TRUSTED_PROXIES=0, the default), an account
    web = start_web()
    user_checkable_by_a_web_process("victim", PASSWORD)
    # when: five wrong passwords from 127.0.0.1, each claiming another client address
    wrong = [_login(web.port, "victim", f"nope-{n}-xxxxx", f"198.51.100.{n}")[0] for n in range(5)]
    status, body = _login(web.port, "victim", PASSWORD, "198.51.100.99")
    # then: they are one client, the socket's; the right password is locked out too
    assert wrong == [401, 401, 401, 401, 429]
    assert (status, body["error"]["code"]) == (429, "locked_out")


def test_one_trusted_proxy_keys_the_lockout_on_the_address_it_appended(start_web):
    # given: one trusted proxy in front (TRUSTED_PROXIES=1), which appends the address it saw
    web = start_web(TRUSTED_PROXIES="1")
    user_checkable_by_a_web_process("victim", PASSWORD)
    # when: five wrong passwords from one real client, forging what comes before the proxy's entry
    wrong = [_login(web.port, "victim", f"nope-{n}-xxxxx", f"10.0.0.{n}, 203.0.113.7")[0] for n in range(5)]
    # then: that client is locked out whatever it forges; another real client is not
    assert wrong == [401, 401, 401, 401, 429]
    assert _login(web.port, "victim", PASSWORD, "10.9.9.9, 203.0.113.7")[0] == 429
    assert _login(web.port, "victim", PASSWORD, "203.0.113.8")[0] == 200


def test_socket_ticket_never_reaches_a_log_line(start_web):
    # given: the web process with its access log, a user and a ticket
    web = start_web()
    user, _ = fixtures.factory()
    ticket = client_for(user).post("/api/v1/realtime/ticket").json()["ticket"]
    # when: the socket opens with it, and a request carries a ticket in its query string
    with connect(f"{web.ws_url}?ticket={ticket}&after=0") as ws:
        assert json.loads(ws.recv(timeout=5))["type"] == "ready"
    conn = http.client.HTTPConnection("127.0.0.1", web.port, timeout=30)
    conn.request("GET", f"/healthz?ticket={ticket}")
    assert conn.getresponse().status == 200
    time.sleep(0.5)  # the log lines are written as the responses complete
    log = web.log_path.read_text()
    # then: both lines are logged, the ticket in neither
    assert ticket not in log
    assert '"WebSocket /ws/v1/events?ticket=[redacted]&after=0" [accepted]' in log
    assert '"GET /healthz?ticket=[redacted] HTTP/1.1" 200' in log
