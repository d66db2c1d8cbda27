"""``core.bodylimit`` as an ASGI wrapper (the real server's 413 is in
tests/marketplace/test_front_door_server.py): which limit a path gets, and what the
application behind it sees of a body within and beyond it."""

import asyncio
import json

import pytest
from django.core.exceptions import ImproperlyConfigured

from core.bodylimit import RequestBodyLimit
from marketplace.settings_frontdoor import body_limits


def _run(wrapper, path, chunks, headers=()):
    """Send ``chunks`` as one request's body through ``wrapper``; (what the app received, what went out)."""
    incoming = [{"type": "http.request", "body": c, "more_body": i < len(chunks) - 1} for i, c in enumerate(chunks)]
    seen, sent = [], []

    async def app(scope, receive, send):
        while True:
            message = await receive()
            seen.append(message)
            if message["type"] == "http.disconnect" or not message.get("more_body"):
                break
        if seen[-1]["type"] != "http.disconnect":
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b"ok"})

    async def receive():
        return incoming.pop(0)

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "path": path, "headers": list(headers)}
    wrapper.app = app
    asyncio.run(wrapper(scope, receive, send))
    return seen, sent


def _wrapper():
    return RequestBodyLimit(None, default=10, by_prefix={"/api/v1/uploads/": 100, "/api/v1/uploads/big/": 1000})


def test_bodylimit_longest_prefix_decides():
    wrapper = _wrapper()
    assert [wrapper.limit_for(p) for p in ("/api/v1/jobs", "/api/v1/uploads/a", "/api/v1/uploads/big/b")] == [
        10,
        100,
        1000,
    ]


def test_bodylimit_body_within_a_prefixs_larger_limit_reaches_the_app():
    seen, sent = _run(_wrapper(), "/api/v1/uploads/photo", [b"x" * 60, b"y" * 40])
    assert [m["type"] for m in seen] == ["http.request", "http.request"]
    assert sent[0]["status"] == 200


def test_bodylimit_counted_body_beyond_the_limit_is_413_and_the_app_sees_a_disconnect():
    seen, sent = _run(_wrapper(), "/api/v1/jobs", [b"x" * 8, b"y" * 8, b"z" * 8])
    assert [m["type"] for m in seen] == ["http.request", "http.disconnect"]  # the bytes past the limit never reach it
    assert sent[0]["status"] == 413
    assert (b"connection", b"close") in sent[0]["headers"]
    assert json.loads(sent[1]["body"])["error"]["code"] == "request_too_large"


def test_bodylimit_declared_length_beyond_the_limit_is_413_before_anything_is_read():
    seen, sent = _run(_wrapper(), "/api/v1/jobs", [b"x"], headers=[(b"content-length", b"11")])
    assert seen == []
    assert sent[0]["status"] == 413


def test_bodylimit_setting_reads_prefixes_and_refuses_nonsense():
    assert body_limits("/api/v1/uploads/=20971520, /x/=5") == {"/api/v1/uploads/": 20971520, "/x/": 5}
    assert body_limits("") == {}
    with pytest.raises(ImproperlyConfigured):
        body_limits("uploads=12")
    with pytest.raises(ImproperlyConfigured):
        body_limits("/uploads/=12MB")
