"""The event stream over a real WebSocket: a real web process (gunicorn + uvicorn serving
``marketplace.asgi``), a real client (``websockets``), changes committed by this test
process, and with Redis the channel layer in between (without it, the web process's tail of
the outbox table)."""

import contextlib
import json
import socket
import struct
import time

import pytest
from django.db import transaction
from rest_framework_simplejwt.tokens import RefreshToken
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from accounts.services import notification_send, password_change
from conftest import client_for, wait_for
from core.models import StreamEvent
from core.outbox import events_emit
from orders import services
from orders.models import Offer
from realtime.models import Connection
from tests import fixtures

pytestmark = pytest.mark.slow


def bearer(user) -> dict:
    return {"Authorization": f"Bearer {RefreshToken.for_user(user).access_token}"}


def open_socket(web, user=None, *, after=None, ticket=None):
    query = []
    if ticket is not None:
        query.append(f"ticket={ticket}")
    if after is not None:
        query.append(f"after={after}")
    url = web.ws_url + ("?" + "&".join(query) if query else "")
    return connect(url, additional_headers=bearer(user) if user is not None and ticket is None else None)


def events(ws, *, seconds: float) -> list[dict]:
    """Every event (pings and the ``ready`` frame left out) that arrives within ``seconds``."""
    got, deadline = [], time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        try:
            message = json.loads(ws.recv(timeout=left))
        except TimeoutError:
            break
        if message["type"] not in ("ping", "ready"):
            got.append(message)
    return got


def first(ws, type_: str, *, seconds: float) -> tuple[dict, float]:
    """The first event of ``type_`` and when it arrived (monotonic)."""
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        message = json.loads(ws.recv(timeout=left))
        if message["type"] == type_:
            return message, time.monotonic()
    pytest.fail(f"no {type_} within {seconds} s")


def close_code(ws) -> int:
    """The code the server closes ``ws`` with, within 5 s. Heartbeat pings the server sent
    before it closed may come first (a ping already on its way when the password changed);
    any other frame fails the test."""
    deadline = time.monotonic() + 5
    with ws, pytest.raises(ConnectionClosed) as closed:
        while True:
            frame = json.loads(ws.recv(timeout=max(0.01, deadline - time.monotonic())))
            assert frame["type"] == "ping", frame
    return closed.value.rcvd.code


@pytest.fixture
def web(start_web):
    return start_web()


def _dispatch_world():
    """A dispatch job that one factory can take and another (no such capability) cannot."""
    taker_user, taker = fixtures.factory(lat=36.27, lng=120.03)
    other_user, other = fixtures.factory(capabilities=[("embroidery", 50, 4000, 100, 0)])
    job = fixtures.job(mode="dispatch", quantity=1000)
    return taker_user, taker, other_user, job


def test_socket_factory_receives_its_offer_within_the_batch_window(start_web, start_worker, start_beat):
    # given: the whole stack: web, a worker and beat making dispatch batches every 2 s
    web = start_web()
    taker_user, taker, other_user, _ = _dispatch_world()
    with open_socket(web, taker_user) as taker_ws, open_socket(web, other_user) as other_ws:
        start_worker()
        start_beat()
        # when: the next batch offers the job
        created, received_at = first(taker_ws, "offer.created", seconds=30)
        wall_received = time.time()
        # then: the offer, everything needed to decide, within the 2-second window of its commit
        offer = Offer.objects.get(id=created["data"]["id"])
        assert offer.factory_id == taker.id
        assert created["data"]["job"]["process"] == "velcro_sewing"
        assert created["data"]["job"]["spec"] == fixtures.VELCRO_SPEC
        assert created["data"]["quantity"] == 1000
        assert created["data"]["amount_fen"] == 15000
        assert created["data"]["distance_km"] > 0
        assert wall_received - offer.created_at.timestamp() < 2.0
        assert created["seq"] == StreamEvent.objects.get(company_id=taker.id, type="offer.created").seq
        # and the other factory's socket hears nothing of it
        assert events(other_ws, seconds=1.5) == []


def test_socket_reconnect_with_after_gets_the_missed_withdrawal_exactly_once(web):
    # given: a factory that saw its offer, then lost its connection
    taker_user, taker, _, job = _dispatch_world()
    with open_socket(web, taker_user) as ws:
        services.dispatch_run_batch()
        created, _ = first(ws, "offer.created", seconds=5)
    # when: the SME cancels meanwhile (the offer is withdrawn), and the phone comes back
    services.job_cancel(job_id=job.id, sme=job.sme, user=job.created_by, reason="changed my mind")
    with open_socket(web, taker_user, after=created["seq"]) as ws:
        replayed = [json.loads(ws.recv(timeout=3)) for _ in range(2)]
        got = [replayed[0], *events(ws, seconds=2)]
        # a later event still arrives once, after the replay
        notification_send(company_id=taker.id, kind="hello", message="你好 hello")
        later = events(ws, seconds=2)
    # then: the missed events first, then the ready frame that says where live ones start
    assert replayed[1] == {"type": "ready", "at": replayed[1]["at"], "last_seq": replayed[0]["seq"]}
    withdrawn = [e for e in got if e["type"] == "offer.withdrawn"]
    assert len(withdrawn) == 1
    assert withdrawn[0]["data"]["offer_id"] == created["data"]["id"]
    assert [e["seq"] for e in got] == list(range(created["seq"] + 1, created["seq"] + 1 + len(got)))
    assert [(e["type"], e["seq"]) for e in later] == [("notification", got[-1]["seq"] + 1)]


def test_socket_without_after_sends_only_new_events(web):
    user, company = fixtures.factory()
    notification_send(company_id=company.id, kind="old", message="旧 old")
    with open_socket(web, user) as ws:
        assert events(ws, seconds=0.5) == []
        notification_send(company_id=company.id, kind="new", message="新 new")
        got = events(ws, seconds=2)
    assert [e["data"]["kind"] for e in got] == ["new"]


@pytest.mark.parametrize(
    "how", ["bogus ticket", "used ticket", "no credentials", "bad bearer", "admin without company"]
)
def test_socket_refuses_bad_credentials_with_4401(web, how):
    user, _ = fixtures.factory()
    if how == "bogus ticket":
        ws = open_socket(web, ticket="not-a-ticket")
    elif how == "used ticket":
        ticket = client_for(user).post("/api/v1/realtime/ticket").json()["ticket"]
        with open_socket(web, ticket=ticket) as first_use:
            assert events(first_use, seconds=0.3) == []  # the first use is accepted and stays open
        ws = open_socket(web, ticket=ticket)
    elif how == "no credentials":
        ws = open_socket(web)
    elif how == "bad bearer":
        ws = connect(web.ws_url, additional_headers={"Authorization": "Bearer abc.def.ghi"})
    else:
        ws = open_socket(web, fixtures.admin_user())
    assert close_code(ws) == 4401


def test_socket_ticket_opens_the_stream_of_the_users_company(web):
    user, company = fixtures.sme()
    ticket = client_for(user).post("/api/v1/realtime/ticket").json()["ticket"]
    with open_socket(web, ticket=ticket) as ws:
        notification_send(company_id=company.id, kind="k", message="消息 message")
        got = events(ws, seconds=2)
    assert [e["type"] for e in got] == ["notification"]


def test_socket_bad_after_is_closed_with_4400(web):
    user, _ = fixtures.factory()
    assert close_code(open_socket(web, user, after="-3")) == 4400


def test_socket_never_sends_events_of_a_rolled_back_transaction(web):
    user, company = fixtures.factory()
    with open_socket(web, user) as ws:
        # when: a change and its event roll back, then another commits
        with pytest.raises(RuntimeError), transaction.atomic():
            notification_send(company_id=company.id, kind="rolled_back", message="回滚 rolled back")
            raise RuntimeError("the change fails")
        notification_send(company_id=company.id, kind="committed", message="提交 committed")
        got = events(ws, seconds=2)
    # then: only the committed one, with the next number
    assert [(e["data"]["kind"], e["seq"]) for e in got] == [("committed", 1)]
    assert list(StreamEvent.objects.filter(company_id=company.id).values_list("data__kind", flat=True)) == ["committed"]


def test_socket_answers_acks_and_refuses_other_messages(web):
    user, company = fixtures.factory()
    with open_socket(web, user) as ws:
        notification_send(company_id=company.id, kind="k", message="消息 message")
        got = events(ws, seconds=2)
        ws.send(json.dumps({"ack": got[-1]["seq"]}))
        ws.send("not json")
        error = json.loads(ws.recv(timeout=3))
    assert error["type"] == "error" and error["code"] == "bad_message"
    wait_for(lambda: not Connection.objects.filter(company_id=company.id).exists(), message="socket closed")


def test_socket_heartbeat_is_sent(start_web):
    web = start_web(REALTIME_PING_SECONDS="0.3")
    user, _ = fixtures.factory()
    with open_socket(web, user) as ws:
        ready = json.loads(ws.recv(timeout=3))
        message = json.loads(ws.recv(timeout=3))
    assert (ready["type"], ready["last_seq"]) == ("ready", 0)
    assert message["type"] == "ping"
    assert "seq" not in message
    # and their times are at +08:00, as every time a client reads (API.md "Times")
    assert ready["at"].endswith("+08:00") and message["at"].endswith("+08:00")


def test_socket_without_redis_tails_the_table(start_web):
    # given: a web process with the embedded default's fan-out (no channel layer)
    web = start_web(REDIS_URL="")
    user, company = fixtures.factory()
    with open_socket(web, user) as ws:
        # when: another process (this test) commits an event
        notification_send(company_id=company.id, kind="k", message="消息 message")
        got = events(ws, seconds=2)
    # then
    assert [e["type"] for e in got] == ["notification"]


def test_socket_hub_survives_a_quiet_spell_with_redis(web):
    # given: a socket, and nothing happening for longer than the channel layer's 5 s wait
    user, company = fixtures.factory()
    with open_socket(web, user) as ws:
        assert events(ws, seconds=7) == []
        # when: an event comes after the quiet spell
        notification_send(company_id=company.id, kind="k", message="消息 message")
        started = time.monotonic()
        got, _ = first(ws, "notification", seconds=5)
        # then: it arrives at once, and the hub never restarted
        assert time.monotonic() - started < 1.0
    assert "realtime hub failed" not in web.log_path.read_text()


def test_socket_closes_when_the_password_changes(start_web):
    web = start_web(REALTIME_PING_SECONDS="0.3")
    user, _ = fixtures.factory()
    with open_socket(web, user) as ws:
        json.loads(ws.recv(timeout=3))  # ready
        password_change(user=user, old_password="pw-Secret-123", new_password="another-Secret-456")
        assert close_code(ws) == 4401


@pytest.mark.parametrize("after", ["%C2%B2", "1e3", "-1", "9" * 19])
def test_socket_malformed_after_is_4400_and_spends_the_ticket(web, after):
    user, _ = fixtures.factory()
    ticket = client_for(user).post("/api/v1/realtime/ticket").json()["ticket"]
    assert close_code(connect(f"{web.ws_url}?ticket={ticket}&after={after}")) == 4400
    # a ticket is good for one handshake (issue 28): the refused one spent it
    assert close_code(open_socket(web, ticket=ticket)) == 4401


@pytest.mark.parametrize("change", ["password changed", "deactivated"])
def test_socket_ticket_issued_before_a_password_change_or_deactivation_is_refused(web, change):
    # given: a ticket, fresh and unused
    user, _ = fixtures.factory()
    ticket = client_for(user).post("/api/v1/realtime/ticket").json()["ticket"]
    # when: the password changes (or an admin deactivates the user) within its 60 s
    if change == "password changed":
        password_change(user=user, old_password="pw-Secret-123", new_password="another-Secret-456")
    else:
        type(user).objects.filter(id=user.id).update(is_active=False)
    # then: the ticket opens nothing, and no live socket is recorded
    assert close_code(open_socket(web, ticket=ticket)) == 4401
    assert not Connection.objects.filter(user=user).exists()


def test_socket_after_beyond_the_stream_is_4400(web):
    user, company = fixtures.factory()
    notification_send(company_id=company.id, kind="k", message="消息 message")
    assert close_code(open_socket(web, user, after=5)) == 4400
    assert not Connection.objects.filter(company_id=company.id).exists()


def test_socket_phone_gone_during_replay_leaves_no_live_socket(web):
    # given: a long backlog to replay
    user, company = fixtures.factory()
    events_emit([(company.id, "notification", {"kind": "k", "message": "消息 " * 40, "data": {}}, "")] * 3000)
    # when: the phone drops the connection while the replay is being sent
    with contextlib.suppress(OSError, ConnectionClosed), open_socket(web, user, after=1) as ws:
        ws.socket.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        ws.socket.close()  # a reset, not a goodbye
    # then: the server lets the socket go: no presence is left to silence the pushes
    wait_for(lambda: not Connection.objects.filter(company_id=company.id).exists(), message="socket released")
