"""The reverse proxy of docker-compose.yml (deploy/nginx.conf), run for real in front of a real
web process: its body limit answers in the API's error shape, the client it reports is the one
the lockout keys on (TRUSTED_PROXIES=1), the WebSocket goes through it, and its access log
holds no ticket. Only the addresses differ from the file: compose's ``web:8000`` and port 80
become this machine's."""

import http.client
import json
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
from websockets.sync.client import connect

from conftest import ROOT, client_for
from tests import fixtures
from tests.fixtures import user_checkable_by_a_web_process
from tests.servers import free_port

pytestmark = pytest.mark.slow

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
CONFIG = Path(ROOT, "deploy/nginx.conf")
PASSWORD = "Velcro-2026-strong"


def _config_for(web_port: int, port: int, folder: Path) -> Path:
    text = CONFIG.read_text()
    for old, new in (
        ("server web:8000;", f"server 127.0.0.1:{web_port};"),
        ("listen 80;", f"listen 127.0.0.1:{port};"),
        ("access_log /dev/stdout main;", f"access_log {folder}/access.log main;"),
    ):
        assert old in text, old
        text = text.replace(old, new)
    temp = "".join(f"    {kind}_temp_path {folder}/{kind};\n" for kind in ("client_body", "proxy"))
    text = text.replace("http {\n", "http {\n" + temp, 1)
    path = folder / "nginx.conf"
    path.write_text(text)
    return path


@pytest.fixture
def proxy(start_web, tmp_path):
    """(proxy port, web process, nginx folder): nginx from deploy/nginx.conf in front of a web
    process that trusts one proxy."""
    if not Path(NGINX).exists():
        pytest.fail("nginx is missing: apt-get install nginx-light (make test installs it)")
    web = start_web(TRUSTED_PROXIES="1")
    folder = tmp_path / "nginx"
    folder.mkdir()
    port = free_port()
    config = _config_for(web.port, port, folder)
    flags = f"daemon off; pid {folder}/nginx.pid; user root; error_log {folder}/error.log;"
    checked = subprocess.run([NGINX, "-t", "-c", str(config), "-g", flags], capture_output=True, text=True)  # noqa: S603
    assert checked.returncode == 0, checked.stderr
    process = subprocess.Popen([NGINX, "-c", str(config), "-g", flags])  # noqa: S603
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            assert process.poll() is None and time.monotonic() < deadline, (folder / "error.log").read_text()
            time.sleep(0.1)
    yield port, web, folder
    process.terminate()
    process.wait(timeout=10)


def _post(port, path, body: bytes, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("POST", path, body=body, headers={"Content-Type": "application/json", **(headers or {})})
    response = conn.getresponse()
    return response.status, response.read()


def test_proxy_refuses_a_body_over_1_mib_in_the_error_shape_before_the_web_process(proxy):
    port, web, _ = proxy
    status, body = _post(port, "/api/v1/auth/token", b"{" + b" " * (2 * 1024 * 1024) + b"}")
    assert status == 413
    error = json.loads(body)["error"]
    assert (error["code"], error["fields"]) == ("request_too_large", {})
    assert "/api/v1/auth/token" not in web.log_path.read_text()  # the web process never saw it


def test_proxy_lockout_keys_on_the_address_the_proxy_saw_whatever_the_client_forges(proxy):
    port, _, _ = proxy
    user_checkable_by_a_web_process("victim", PASSWORD)
    statuses = []
    for n in range(6):
        password = PASSWORD if n == 5 else f"nope-{n}-xxxxx"
        body = json.dumps({"username": "victim", "password": password}).encode()
        statuses.append(_post(port, "/api/v1/auth/token", body, {"X-Forwarded-For": f"198.51.100.{n}"})[0])
    assert statuses == [401, 401, 401, 401, 429, 429]


def test_proxy_passes_the_websocket_and_logs_no_ticket(proxy):
    port, _, folder = proxy
    user, _ = fixtures.factory()
    ticket = client_for(user).post("/api/v1/realtime/ticket").json()["ticket"]
    with connect(f"ws://127.0.0.1:{port}/ws/v1/events?ticket={ticket}") as ws:
        assert json.loads(ws.recv(timeout=5))["type"] == "ready"
    time.sleep(0.5)
    log = (folder / "access.log").read_text()
    assert re.search(r'"GET /ws/v1/events HTTP/1.1" 101 ', log), log
    assert ticket not in log
