"""One hub per web process: it receives every company's numbered events and hands each to
the sockets of that company open in this process.

Where the events come from:
- with Redis (``REALTIME_FANOUT=redis``), the channel layer group ``realtime.events``
  (``realtime.fanout``), and a tail of the outbox table every
  ``REALTIME_TAIL_SECONDS`` as a safety net;
- without Redis, only the tail of the table, a few times a second.

Events carry a global ``position`` handed out in commit order (``core.outbox``), so the hub
delivers them in that order, each once: an event it has passed is dropped, and a message
that skips positions (a dropped message, a Redis hiccup) makes it read the gap from the
table first. Each socket then keeps its own ``seq`` (``realtime.consumers``).
"""

import asyncio
import contextlib
import logging
from collections import defaultdict

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from redis.exceptions import RedisError

from realtime import selectors, services
from realtime.fanout import GROUP, event_wire

logger = logging.getLogger(__name__)


def _read(func):
    """Database reads of the hub run on a thread of their own (not the one shared by the
    process's views and sockets), so a queue of requests there never delays delivery."""
    return database_sync_to_async(func, thread_sensitive=False)


class Hub:
    def __init__(self):
        self._subscribers: dict[int, set] = defaultdict(set)  # company id -> sockets (``deliver(event)``)
        self._position: int | None = None
        self._ready = asyncio.Event()
        self._task: asyncio.Task | None = None
        self.presence: dict[int, int] = {}  # connection id -> acknowledged seq, of this process's sockets

    async def subscribe(self, company_id: int, socket) -> None:
        """Hand ``company_id``'s events to ``socket.deliver`` from now on. Returns once the hub
        knows where the table ends, so a reader that looks at the table after this call
        misses nothing between what it reads and what the hub delivers."""
        if self._task is None or self._task.done():
            self._ready.clear()
            self._task = asyncio.get_running_loop().create_task(self._run())
        self._subscribers[company_id].add(socket)
        await self._ready.wait()

    def unsubscribe(self, company_id: int, socket) -> None:
        sockets = self._subscribers.get(company_id)
        if sockets is not None:
            sockets.discard(socket)
            if not sockets:
                del self._subscribers[company_id]

    @property
    def sockets(self) -> int:
        return sum(len(q) for q in self._subscribers.values())

    async def _run(self) -> None:
        """Deliver until cancelled. A failure (the database or Redis away) cancels every loop,
        waits a second and starts them again from where delivery had got to, never from the
        end of the table (that would skip what was numbered meanwhile)."""
        while True:
            try:
                if self._position is None:
                    self._position = await _read(selectors.last_position)()
                self._ready.set()
                async with asyncio.TaskGroup() as loops:
                    loops.create_task(self._tail())
                    loops.create_task(self._heartbeats())
                    if settings.REALTIME_FANOUT == "redis":
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

    async def _catch_up(self, *, until: int | None = None) -> None:
        """Deliver what the table has after our position (up to ``until``, exclusive).
        Reads are not under a lock: delivery drops what it has passed, and the table's rows
        come without holes, so any interleaving with the listener keeps the order."""
        while True:
            rows = await _read(selectors.events_after_position)(position=self._position)
            rows = [e for e in rows if until is None or e.position < until]
            if not rows:
                return
            self._deliver([event_wire(e) for e in rows])
            if until is not None and self._position >= until - 1:
                return

    async def _listen(self) -> None:
        """The channel layer's broadcasts; a receive that fails (Redis away) is retried after
        a pause while the tail keeps delivering from the table."""
        layer = get_channel_layer()
        channel = await layer.new_channel()
        try:
            await layer.group_add(GROUP, channel)
            joined = asyncio.get_running_loop().time()
            while True:
                try:
                    message = await layer.receive(channel)
                except (OSError, TimeoutError, ConnectionError, RedisError):
                    await asyncio.sleep(1)
                    await layer.group_add(GROUP, channel)
                    continue
                if asyncio.get_running_loop().time() - joined > 600:  # group memberships expire
                    await layer.group_add(GROUP, channel)
                    joined = asyncio.get_running_loop().time()
                events = sorted(message.get("events", []), key=lambda e: e["position"])
                if not events:
                    continue
                if events[0]["position"] > self._position + 1:
                    await self._catch_up(until=events[0]["position"])
                self._deliver(events)
        finally:
            with contextlib.suppress(Exception):  # Redis away: the membership expires by itself
                await layer.group_discard(GROUP, channel)

    def _deliver(self, events: list[dict]) -> None:
        for event in events:
            if event["position"] <= self._position:
                continue
            self._position = event["position"]
            for socket in list(self._subscribers.get(event["company_id"], ())):
                socket.deliver(event)


_hubs: dict[int, Hub] = {}


def hub() -> Hub:
    """This process's hub (one per event loop: the ASGI server runs one)."""
    loop = asyncio.get_running_loop()
    key = id(loop)
    if key not in _hubs:
        _hubs[key] = Hub()
    return _hubs[key]
