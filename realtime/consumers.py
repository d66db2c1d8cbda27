"""``WS /ws/v1/events``: a company's event stream over a WebSocket (API.md "Real-time events").

The handshake carries a single-use ``ticket`` (``POST /api/v1/realtime/ticket``) in the query
string, or ``Authorization: Bearer <access>``; without either, or with a bad one, the socket
is accepted and closed at once with code 4401 (a refused HTTP handshake would hide the
reason from the app). With ``after=<seq>`` the events the phone missed come first, oldest
first, then ``{"type": "ready", "last_seq": N}``, then new ones as they happen; without it,
``ready`` and only new ones (those after its ``last_seq``). Each socket keeps the last
``seq`` it sent: an event it has sent is never sent again, and a jump in ``seq`` is filled
from the table first, so the stream is complete and in order. A heartbeat
``{"type": "ping"}`` goes out every REALTIME_PING_SECONDS; ``{"ack": <seq>}`` from the app is
recorded with the socket's presence.
"""

import asyncio
import json
import logging
import random
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.utils import timezone
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError

from accounts.selectors import company_for_user
from realtime import selectors, services
from realtime.hub import hub

logger = logging.getLogger(__name__)

UNAUTHORIZED = 4401
BAD_REQUEST = 4400
REPLAY_PAGE = 500


def _bearer(scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            kind, _, token = value.decode("latin-1").partition(" ")
            return token.strip() if kind.lower() == "bearer" and token.strip() else None
    return None


def authenticate(scope, params) -> tuple[object, object] | None:
    """``(user, company)`` for the handshake's ticket or bearer token, or None."""
    ticket = params.get("ticket", [""])[0]
    if ticket:
        user = services.ticket_redeem(ticket=ticket)
    else:
        token = _bearer(scope)
        if not token:
            return None
        auth = JWTAuthentication()
        try:
            user = auth.get_user(auth.get_validated_token(token.encode()))
        except (InvalidToken, TokenError, AuthenticationFailed):
            return None
    if user is None or not user.is_active:
        return None
    company = company_for_user(user)
    return (user, company) if company is not None else None


class EventsConsumer(AsyncWebsocketConsumer):
    # No channel-layer channel per socket: the process's hub is the one listener.
    channel_layer_alias = None
    company_id: int | None = None
    connection_id: int | None = None

    async def connect(self):
        self.last_seq = 0
        self.queue: asyncio.Queue = asyncio.Queue()
        self.tasks: list[asyncio.Task] = []
        params = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        who = await database_sync_to_async(authenticate)(self.scope, params)
        after = params.get("after", ["0"])[0] or "0"
        if who is None or not after.isdigit() or len(after) > 18:
            await self.accept()
            await self.close(code=UNAUTHORIZED if who is None else BAD_REQUEST)
            return
        user, company = who
        self.company_id = company.id
        await hub().subscribe(self.company_id, self.queue)  # before reading the table: nothing falls between
        self.connection_id = await database_sync_to_async(services.connection_open)(company_id=company.id, user=user)
        hub().presence[self.connection_id] = 0
        if not int(after):
            self.last_seq = await database_sync_to_async(selectors.last_seq)(company_id=self.company_id)
        # Accepted only now: "new events" are those after the handshake completes.
        await self.accept()
        if int(after):
            await self._replay(int(after))
        # What was missed has been sent; live events follow. ``last_seq`` is where they start
        # after: a phone that knew less (it had seen nothing) reads the rest over HTTP.
        await self.send(
            text_data=json.dumps({"type": "ready", "at": timezone.now().isoformat(), "last_seq": self.last_seq})
        )
        self.tasks = [asyncio.ensure_future(self._pump()), asyncio.ensure_future(self._heartbeat())]

    async def _replay(self, after: int) -> None:
        self.last_seq = after
        while True:
            page = await database_sync_to_async(selectors.events_after)(
                company_id=self.company_id, after=self.last_seq, limit=REPLAY_PAGE
            )
            for event in page:
                await self._send_event(event.as_message())
            if len(page) < REPLAY_PAGE:
                return

    async def _send_event(self, message: dict) -> None:
        await self.send(text_data=json.dumps({k: message[k] for k in ("seq", "type", "at", "data")}))
        self.last_seq = message["seq"]

    async def _pump(self) -> None:
        """Live events from the hub, each once and in ``seq`` order."""
        while True:
            message = await self.queue.get()
            if message["seq"] <= self.last_seq:
                continue
            if message["seq"] > self.last_seq + 1:
                missed = await database_sync_to_async(selectors.events_between)(
                    company_id=self.company_id, after=self.last_seq, before=message["seq"]
                )
                for event in missed:
                    await self._send_event(event.as_message())
            await self._send_event(message)

    async def _heartbeat(self) -> None:
        """Pings to the phone; the hub records every socket's presence in one statement."""
        await asyncio.sleep(random.uniform(0, settings.REALTIME_PING_SECONDS))  # noqa: S311 - spread them
        while True:
            await self.send(text_data=json.dumps({"type": "ping", "at": timezone.now().isoformat()}))
            await asyncio.sleep(settings.REALTIME_PING_SECONDS)

    async def receive(self, text_data=None, bytes_data=None):
        try:
            message = json.loads(text_data or "")
        except ValueError:
            message = None
        ack = message.get("ack") if isinstance(message, dict) else None
        if not isinstance(ack, int) or isinstance(ack, bool) or ack < 0:
            await self.send(
                text_data=json.dumps(
                    {
                        "type": "error",
                        "code": "bad_message",
                        "message": 'Send {"ack": <seq>} only. 只可发送 {"ack": <seq>}。',
                    }
                )
            )
            return
        hub().presence[self.connection_id] = min(ack, self.last_seq)  # written with the next heartbeat

    async def disconnect(self, code):
        for task in self.tasks:
            task.cancel()
        if self.company_id is not None:
            hub().unsubscribe(self.company_id, self.queue)
        if self.connection_id is not None:
            hub().presence.pop(self.connection_id, None)
            await database_sync_to_async(services.connection_close)(connection_id=self.connection_id)
