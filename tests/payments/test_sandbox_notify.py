"""The sandbox gateway's notifications (payments.gateways.sandbox.delivery): like
WeChat Pay's (API v3 支付通知, https://pay.weixin.qq.com/wiki/doc/apiv3/apis/chapter3_1_5.shtml)
a notification that was not received (an answer other than 2xx, no answer) is sent again on
the schedule 15s/15s/30s/3m/10m/20m/30m/30m/30m/60m/3h/3h/3h/6h/6h (24 h 4 min in all), and
one that was received (200 or 204) is not sent again. The endpoint here is a stand-in that
answers what the test tells it to; the gateway side is a real worker process."""

import base64
import json
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import redis

from conftest import wait_for
from payments.gateways.sandbox.delivery import (
    SANDBOX_NOTIFY_HOP_SECONDS,
    SANDBOX_NOTIFY_SCHEDULE,
    sandbox_send,
    sandbox_webhook_deliver_task,
)

SCALE = 0.01


class _Endpoint(BaseHTTPRequestHandler):
    """Answers each delivery with the next of ``answers`` (None: drops the connection)."""

    answers: list = []
    calls: list = []

    def do_POST(self):  # noqa: N802 - http.server's name
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).calls.append((time.monotonic(), self.path, body["id"], self.headers["X-Signature"]))
        answer = type(self).answers.pop(0) if type(self).answers else 200
        if answer is None:
            self.close_connection = True
            self.connection.close()
            return
        self.send_response(answer)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def endpoint():
    _Endpoint.answers, _Endpoint.calls = [], []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Endpoint)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server, _Endpoint
    server.shutdown()
    server.server_close()


def test_sandbox_notify_schedule_is_wechat_pays():
    assert len(SANDBOX_NOTIFY_SCHEDULE) == 15
    assert sum(SANDBOX_NOTIFY_SCHEDULE) == 24 * 3600 + 4 * 60
    assert SANDBOX_NOTIFY_SCHEDULE[:6] == (15, 15, 30, 3 * 60, 10 * 60, 20 * 60)


@pytest.mark.slow
def test_sandbox_calls_again_on_the_schedule_until_a_2xx(start_worker, endpoint):
    # given: a worker whose sandbox gateway calls the stand-in, on the schedule compressed 100x;
    # the endpoint is down (503), refuses (400), drops the connection, then takes it (204)
    server, handler = endpoint
    handler.answers = [503, 400, None, 204]
    worker = start_worker(PAYMENT_WEBHOOK_BASE_URL=f"http://127.0.0.1:{server.server_port}", SANDBOX_NOTIFY_SCALE=SCALE)
    # when: the gateway sends a notification
    event_id = sandbox_send("payment.succeeded", {"payment_id": 1, "charge_id": "ch_1"})
    wait_for(lambda: len(handler.calls) >= 4, timeout=30, message="four deliveries")
    # then: the same event, signed afresh each time, at least the schedule's waits apart
    time.sleep(SANDBOX_NOTIFY_SCHEDULE[3] * SCALE + 1.5)  # when a fifth would have come
    assert [(path, sent_id) for _, path, sent_id, _ in handler.calls] == [
        ("/api/v1/payments/webhooks/sandbox", event_id)
    ] * 4
    gaps = [later[0] - earlier[0] for earlier, later in zip(handler.calls, handler.calls[1:], strict=False)]
    for gap, planned in zip(gaps, SANDBOX_NOTIFY_SCHEDULE, strict=False):
        assert planned * SCALE <= gap < planned * SCALE + 2.0
    assert worker.poll() is None


def test_sandbox_waits_longer_than_a_hop_in_hops(endpoint, settings):
    # given: a retry due in 3 hours (the 11th wait of the schedule)
    server, handler = endpoint
    settings.PAYMENT_WEBHOOK_BASE_URL = f"http://127.0.0.1:{server.server_port}"
    queue = redis.Redis.from_url(settings.REDIS_URL)
    queue.delete("celery")
    due = time.time() + SANDBOX_NOTIFY_SCHEDULE[10]
    # when: a message for it arrives before it is due
    result = sandbox_webhook_deliver_task.apply(
        args=("payment.succeeded", {"payment_id": 1}, "evt_hop"), kwargs={"attempt": 11, "due": due}
    )
    # then: nothing is delivered yet; the next hop is queued one hop ahead, for the same attempt
    assert result.get() is None
    assert handler.calls == []
    [raw] = queue.lrange("celery", 0, -1)
    message = json.loads(raw)
    args, _, _ = json.loads(base64.b64decode(message["body"]))
    assert args == ["payment.succeeded", {"payment_id": 1}, "evt_hop", 11, due]
    hop = (datetime.fromisoformat(message["headers"]["eta"]) - datetime.now(tz=UTC)).total_seconds()
    assert SANDBOX_NOTIFY_HOP_SECONDS - 5 < hop <= SANDBOX_NOTIFY_HOP_SECONDS
