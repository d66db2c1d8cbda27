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
import re
import time
from typing import NamedTuple
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.utils import timezone
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError

from accounts.selectors import company_for_user
from core.readable import iso_time
from realtime import selectors, services
from realtime.fanout import event_wire
from realtime.hub import hub

logger = logging.getLogger(__name__)

UNAUTHORIZED = 4401
BAD_REQUEST = 4400
INTERNAL_ERROR = 1011
TRY_AGAIN_LATER = 1013
REPLAY_PAGE = 500
QUEUE_LIMIT = 5000  # live events waiting for one slow phone


def _bearer(scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            kind, _, token = value.decode("latin-1").partition(" ")
            return token.strip() if kind.lower() == "bearer" and token.strip() else None
    return None


class Credentials(NamedTuple):
    user: object
    company: object
    password: str  # the user's password hash when the socket opened: a change closes it
    expires_at: float | None  # a bearer token's expiry (epoch seconds), when it came with one


def authenticate(scope, params) -> Credentials | None:
    """The handshake's ticket or bearer token, or None."""
    ticket = params.get("ticket", [""])[0]
    expires_at = None
    if ticket:
        user = services.ticket_redeem(ticket=ticket)
    else:
        token = _bearer(scope)
        if not token:
            return None
        auth = JWTAuthentication()
        try:
            validated = auth.get_validated_token(token.encode())
            user = auth.get_user(validated)
        except (InvalidToken, TokenError, AuthenticationFailed):
            return None
        expires_at = float(validated["exp"])
    if user is None or not user.is_active:
        return None
    company = company_for_user(user)
    return Credentials(user, company, user.password, expires_at) if company is not None else None


AFTER = re.compile(r"[0-9]{1,18}")


class EventsConsumer(AsyncWebsocketConsumer):
    # No channel-layer channel per socket: the process's hub is the one listener.
    channel_layer_alias = None
    company_id: int | None = None
    connection_id: int | None = None
    credentials: Credentials | None = None

    async def connect(self):
        self.last_seq = 0
        self.queue: asyncio.Queue = asyncio.Queue(maxsize=QUEUE_LIMIT)
        self.tasks: list[asyncio.Task] = []
        params = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        after = params.get("after", ["0"])[0] or "0"
        # The credentials first: a ticket presented is spent, even by a handshake refused for
        # its ``after`` (a ticket is good for one handshake, never two).
        self.credentials = await database_sync_to_async(authenticate)(self.scope, params)
        if self.credentials is None:
            await self._refuse(UNAUTHORIZED)
            return
        if not AFTER.fullmatch(after):
            await self._refuse(BAD_REQUEST)
            return
        try:
            await self._open(int(after))
        except BaseException:
            await self._release()  # a phone gone mid-replay, a database error: leave nothing behind
            raise

    async def _refuse(self, code: int) -> None:
        await self.accept()
        await self.close(code=code)

    async def _open(self, after: int) -> None:
        # The live socket first (news is sent only to companies with one), then the hub's
        # group, then the table: an event numbered at any point is either in what the table
        # read returns or sent to the group after this socket is in it.
        self.connection_id = await database_sync_to_async(services.connection_open)(
            company_id=self.credentials.company.id, user=self.credentials.user
        )
        hub().presence[self.connection_id] = 0
        self.company_id = self.credentials.company.id
        await hub().subscribe(self.company_id, self)
        newest = await database_sync_to_async(selectors.last_seq)(company_id=self.company_id)
        if after > newest:  # a cursor from another stream (an account switched, a restored phone)
            await self._release()
            await self._refuse(BAD_REQUEST)
            return
        self.last_seq = newest
        # Accepted only now: "new events" are those after the handshake completes.
        await self.accept()
        if after:
            await self._replay(after)
        # What was missed has been sent; live events follow. ``last_seq`` is where they start
        # after: a phone that knew less (it had seen nothing) reads the rest over HTTP.
        await self.send(
            text_data=json.dumps({"type": "ready", "at": iso_time(timezone.now()), "last_seq": self.last_seq})
        )
        self.tasks = [asyncio.ensure_future(self._pump()), asyncio.ensure_future(self._heartbeat())]
        self.tasks[0].add_done_callback(self._pump_ended)

    def deliver(self, event: dict) -> None:
        """The hub's hand-over. A phone that reads too slowly to keep up is closed (1013) and
        comes back with ``after``, rather than the server buffering its backlog."""
        try:
            self.queue.put_nowait(event)
        except asyncio.QueueFull:
            if self.company_id is not None:
                hub().unsubscribe(self.company_id, self)  # once: no more hand-overs, then close
                asyncio.ensure_future(self.close(code=TRY_AGAIN_LATER))

    def _pump_ended(self, task: asyncio.Task) -> None:
        if not task.cancelled() and task.exception() is not None:
            logger.warning("socket of company %s stopped delivering", self.company_id, exc_info=task.exception())
            asyncio.ensure_future(self.close(code=INTERNAL_ERROR))  # the phone reconnects with after

    async def _replay(self, after: int) -> None:
        """Everything after ``after`` up to what the socket saw as newest when it opened; later
        events come through the queue (the pump drops what the replay already sent)."""
        newest, self.last_seq = self.last_seq, after
        while self.last_seq < newest:
            page = await database_sync_to_async(selectors.events_after)(
                company_id=self.company_id, after=self.last_seq, limit=REPLAY_PAGE
            )
            for event in page:
                await self._send_event(event_wire(event))
            if not page:
                return

    async def _send_event(self, wire: dict) -> None:
        await self.send(text_data=wire["text"])
        self.last_seq = wire["seq"]

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
                    await self._send_event(event_wire(event))
            await self._send_event(message)

    async def _heartbeat(self) -> None:
        """Pings to the phone (the hub records every socket's presence in one statement), and
        each time a look at the credentials: a token past its expiry, a password changed, a
        user deactivated or moved to another company closes the socket (4401)."""
        await asyncio.sleep(random.uniform(0, settings.REALTIME_PING_SECONDS))  # noqa: S311 - spread them
        while True:
            expired = self.credentials.expires_at is not None and time.time() >= self.credentials.expires_at
            still = await database_sync_to_async(selectors.socket_credentials_hold)(
                user_id=self.credentials.user.pk, password=self.credentials.password, company_id=self.company_id
            )
            if expired or not still:
                await self.close(code=UNAUTHORIZED)
                return
            await self.send(text_data=json.dumps({"type": "ping", "at": iso_time(timezone.now())}))
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
        if self.connection_id is not None:
            hub().presence[self.connection_id] = min(ack, self.last_seq)  # written with the next heartbeat

    async def disconnect(self, code):
        await self._release()

    async def _release(self) -> None:
        """Stop the socket's tasks and take it out of the hub and of the live sockets (once)."""
        for task in self.tasks:
            task.cancel()
        self.tasks = []
        if self.company_id is not None:
            hub().unsubscribe(self.company_id, self)
            self.company_id = None
        if self.connection_id is not None:
            connection_id, self.connection_id = self.connection_id, None
            hub().presence.pop(connection_id, None)
            await database_sync_to_async(services.connection_close)(connection_id=connection_id)
