"""One hub per web process: it receives the numbered events of the companies whose sockets
this process holds, and hands each to those sockets.

Where the events come from:
- with Redis (``REALTIME_FANOUT=redis``), each held company's channel-layer group
  (``realtime.fanout.company_group``), joined when the process opens the company's first
  socket and left with its last, and a tail of those companies' streams every
  ``REALTIME_TAIL_SECONDS`` as a safety net;
- without Redis, only the tail, a few times a second.

A process therefore decodes its own companies' events, not every company's. Events are
numbered per company in commit order (``core.outbox``); the hub hands a socket each event
once and in order, keeping each held company's highest ``seq``: an event at or below it is
dropped. A socket that sees a jump in ``seq`` reads the gap from the table itself
(``realtime.consumers``), and the tail finds an event whose message was lost with no later
one behind it.
"""

import asyncio
import contextlib
import logging
import os
from collections import defaultdict

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from redis.exceptions import RedisError

from realtime import selectors, services
from realtime.fanout import company_group, event_wire

logger = logging.getLogger(__name__)

GROUP_REFRESH_SECONDS = 600  # group memberships expire in the channel layer; join again well before


def _read(func):
    """Database reads of the hub run on a thread of their own (not the one shared by the
    process's views and sockets), so a queue of requests there never delays delivery."""
    return database_sync_to_async(func, thread_sensitive=False)


class Hub:
    def __init__(self):
        self._subscribers: dict[int, set] = defaultdict(set)  # company id -> sockets (``deliver(event)``)
        self._seq: dict[int, int] = {}  # held company -> the highest seq handed to its sockets
        self._ready = asyncio.Event()
        self._task: asyncio.Task | None = None
        self._layer = None
        self._channel: str | None = None  # this process's channel in the layer, while listening
        self.presence: dict[int, int] = {}  # connection id -> acknowledged seq, of this process's sockets
        self.received = 0  # events decoded from the channel layer (each process only its companies')

    async def subscribe(self, company_id: int, socket) -> None:
        """Hand ``company_id``'s events to ``socket.deliver`` from now on. Returns once the
        company's group is joined, so a reader that looks at the table after this call misses
        nothing between what it reads and what the hub delivers."""
        if self._task is None or self._task.done():
            self._ready.clear()
            self._task = asyncio.get_running_loop().create_task(self._run())
        first = not self._subscribers.get(company_id)
        self._subscribers[company_id].add(socket)
        await self._ready.wait()
        if first:
            if company_id not in self._seq:
                self._seq[company_id] = await _read(selectors.last_seq)(company_id=company_id)
            await self._join(company_id)

    def unsubscribe(self, company_id: int, socket) -> None:
        sockets = self._subscribers.get(company_id)
        if sockets is not None:
            sockets.discard(socket)
            if not sockets:
                del self._subscribers[company_id]
                self._seq.pop(company_id, None)
                if self._channel is not None:
                    asyncio.ensure_future(self._leave(company_id, self._channel))

    @property
    def sockets(self) -> int:
        return sum(len(q) for q in self._subscribers.values())

    async def _join(self, company_id: int) -> None:
        if self._channel is None:
            return
        # Redis away: the listener joins every held company again when it is back
        with contextlib.suppress(OSError, TimeoutError, ConnectionError, RedisError):
            await self._layer.group_add(company_group(company_id), self._channel)

    async def _leave(self, company_id: int, channel: str) -> None:
        if company_id in self._subscribers:  # a socket of it came back meanwhile
            return
        with contextlib.suppress(Exception):  # Redis away: the membership expires by itself
            await self._layer.group_discard(company_group(company_id), channel)

    async def _join_all(self) -> None:
        for company_id in list(self._subscribers):
            await self._layer.group_add(company_group(company_id), self._channel)

    async def _run(self) -> None:
        """Deliver until cancelled. A failure (the database or Redis away) cancels every loop,
        waits a second and starts them again; each held company's delivery goes on from its
        own highest seq."""
        while True:
            try:
                if settings.REALTIME_FANOUT == "redis" and self._channel is None:
                    self._layer = get_channel_layer()
                    self._channel = await self._layer.new_channel()
                    try:
                        await self._join_all()
                    except BaseException:
                        self._channel = None  # joined again from the start next time
                        raise
                self._ready.set()
                async with asyncio.TaskGroup() as loops:
                    loops.create_task(self._tail())
                    loops.create_task(self._heartbeats())
                    loops.create_task(self._stats())
                    if self._channel is not None:
                        loops.create_task(self._listen())
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.warning("realtime hub failed; starting again in 1 s", exc_info=True)
                await asyncio.sleep(1)

    async def _tail(self) -> None:
        interval = settings.REALTIME_TAIL_SECONDS
        while True:
            await asyncio.sleep(interval)
            await self._catch_up()

    async def _heartbeats(self) -> None:
        """One statement a heartbeat for every socket of this process (their presence)."""
        while True:
            await asyncio.sleep(settings.REALTIME_PING_SECONDS)
            if self.presence:
                await _read(services.connections_seen)(acked=dict(self.presence))

    async def _stats(self) -> None:
        """A line now and then: what this process decoded, for how many companies' sockets
        (``bench/realtime.py`` reads it: each process decodes only its own companies')."""
        logged = 0
        while True:
            await asyncio.sleep(settings.REALTIME_STATS_SECONDS)
            if self.received != logged:
                logged = self.received
                logger.info(
                    "realtime hub pid=%s decoded=%s companies=%s sockets=%s",
                    os.getpid(),
                    self.received,
                    len(self._subscribers),
                    self.sockets,
                )

    async def _catch_up(self) -> None:
        """Deliver what the table has after each held company's highest seq."""
        while self._seq:
            rows = await _read(selectors.events_after_each)(afters=dict(self._seq))
            if not rows:
                return
            self._deliver([event_wire(e) for e in rows])
            if len(rows) < 500:
                return

    async def _listen(self) -> None:
        """The channel layer's messages for this process's companies; a receive that fails
        (Redis away) is retried after a pause, joining every held company again, while the
        tail keeps delivering from the table."""
        joined = asyncio.get_running_loop().time()
        while True:
            try:
                message = await self._layer.receive(self._channel)
                if asyncio.get_running_loop().time() - joined > GROUP_REFRESH_SECONDS:
                    await self._join_all()
                    joined = asyncio.get_running_loop().time()
            except (OSError, TimeoutError, ConnectionError, RedisError):
                await asyncio.sleep(1)
                with contextlib.suppress(OSError, TimeoutError, ConnectionError, RedisError):
                    await self._join_all()
                    joined = asyncio.get_running_loop().time()
                continue
            events = message.get("events", [])
            self.received += len(events)
            self._deliver(events)

    def _deliver(self, events: list[dict]) -> None:
        for event in events:
            company_id = event["company_id"]
            top = self._seq.get(company_id)
            if top is None or event["seq"] <= top:
                continue
            self._seq[company_id] = event["seq"]
            for socket in list(self._subscribers.get(company_id, ())):
                socket.deliver(event)


_hubs: dict[int, Hub] = {}


def hub() -> Hub:
    """This process's hub (one per event loop: the ASGI server runs one)."""
    loop = asyncio.get_running_loop()
    key = id(loop)
    if key not in _hubs:
        _hubs[key] = Hub()
    return _hubs[key]
