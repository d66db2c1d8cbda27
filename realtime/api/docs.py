"""OpenAPI text and examples of the real-time endpoints (``core.api.schema.operation``)."""

from drf_spectacular.utils import OpenApiExample

from core.api.schema import error_example, operation
from core.events import event_types


def _event_examples() -> list[dict]:
    """A page of the stream as the registered event classes exemplify it (core.events)."""
    with_examples = [cls for cls in event_types().values() if cls.example is not None]
    return [
        {"seq": 40 + n, "type": cls.type, "at": f"2026-06-09T10:00:0{n}+08:00", "data": cls.example}
        for n, cls in enumerate(with_examples[:3])
    ]


ticket = operation(
    "A WebSocket ticket",
    "Any company user: a single-use ticket for `GET ws://…/ws/v1/events?ticket=…`, good for 60 s, "
    "for clients that cannot send an `Authorization` header on the WebSocket handshake. A used, "
    "expired or unknown ticket closes the socket with code 4401. Platform admins have no stream (403).",
    request={},
    response={"ticket": "kT2v0d1mQe3bXn8Yw4s7RzLh5uCj9aPq6GfVtN0oE1I", "expires_at": "2026-06-09T10:01:00+08:00"},
    errors=(error_example(403, "forbidden", "Only a company's users have an event stream."),),
)

events = operation(
    "My company's event stream",
    "Any company user: the events of its company's stream with `seq` > `after`, oldest first, at "
    "most `page_size` (≤ 500) a page; follow `next` until it is null. The same events reach the "
    "WebSocket `/ws/v1/events` live: offers made, withdrawn and expired, jobs joining or leaving "
    "the board, job, share, payment and settlement status changes, each settlement line's payout "
    "(`payout.status_changed`, with what WeChat's confirmation needs while the payee must confirm), "
    "and notifications. Use it to "
    "catch up after being offline, then open the socket with `after=<last seq>`; `last_seq` is the "
    "stream's newest number right now. Another company's events are never listed.",
    response={"results": _event_examples(), "next": None, "last_seq": 42},
    errors=(
        error_example(
            400, "invalid", "after: A valid integer is required.", {"after": ["A valid integer is required."]}
        ),
        error_example(403, "forbidden", "Only a company's users have an event stream."),
    ),
)

devices = operation(
    "My company's phones",
    "Any company user: the phones registered for its company's mobile pushes, oldest first, "
    "paginated. Another company's phones are never listed.",
    response={
        "id": 3,
        "platform": "android",
        "token": "fcm:dGhpcyBpcyBhIHRva2Vu",
        "created_at": "2026-06-09T09:00:00+08:00",
    },
)

device_register = operation(
    "Register a phone for pushes",
    "Any company user: register a phone's push token. While none of the company's apps holds a "
    "socket, an event that needs it (a dispatch offer, a share assigned or delivered, a notification) "
    "also goes out as a mobile push (the sandbox gateway records it in the admin instead of sending). "
    "201 for a new token; 200 when the token was this user's already. A token registered to another "
    "user moves to this user and company only within 10 minutes of a login (a sign-in on that "
    "phone): then 200, the previous user's company gets a `notification` (`kind: device_moved`) "
    "and the previous user no longer receives pushes on it; otherwise 409 "
    "`device_registered_elsewhere` and nothing changes. A phone gets no pushes once its user's "
    "password changed or the user was deactivated, until it is registered again.",
    request={"platform": "android", "token": "fcm:dGhpcyBpcyBhIHRva2Vu"},
    response={
        "id": 3,
        "platform": "android",
        "token": "fcm:dGhpcyBpcyBhIHRva2Vu",
        "created_at": "2026-06-09T09:00:00+08:00",
    },
    response_status="201",
    errors=(
        OpenApiExample(
            "already_registered",
            value={
                "id": 2,
                "platform": "android",
                "token": "fcm:dGhpcyBpcyBhIHRva2Vu",
                "created_at": "2026-06-02T08:30:00+08:00",
            },
            response_only=True,
            status_codes=["200"],
        ),
        error_example(
            400, "invalid", 'platform: "nokia" is not a valid choice.', {"platform": ['"nokia" is not a valid choice.']}
        ),
        error_example(403, "forbidden", "Only a company's users have an event stream."),
        error_example(
            409,
            "device_registered_elsewhere",
            "This phone receives another account's pushes; sign in on it again to move them to you.",
        ),
    ),
)

device_remove = operation(
    "Stop pushes to a phone",
    "Any company user: remove one of its company's phones; no more pushes go to it. Another company's phone is 404.",
    errors=(error_example(404, "not_found", "No such device."),),
)
