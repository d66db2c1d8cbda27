"""Beat without a single point of failure: any number of ``celery -A marketplace beat``
processes may run, and exactly one schedules at a time.

The leader is whichever beat holds the ``beat`` lease (``core.leases``, a PostgreSQL row
with a deadline on the database's clock). It renews the lease every third of
``BEAT_LEASE_SECONDS``; the others try to take it every ``FOLLOWER_POLL_SECONDS`` and get it
once it has lapsed, so a leader that died, hangs (SIGSTOP, a stuck call) or lost the
database is replaced within ``BEAT_LEASE_SECONDS`` plus a poll.

Fencing: the leader sends a due task only while its own lease is certainly current: until
the moment it asked for the renewal plus the lease, less a fifth of it (monotonic time,
which goes on while a process is stopped). A leader frozen for longer than its lease wakes
past that deadline and sends nothing; its next renewal finds another holder and it stands
by. What remains is a freeze between that check and the socket write (microseconds); every
periodic task reads its work from the database and is safe to run twice, so a hand-over
that overlaps by a tick does no harm.
"""

import logging
import os
import socket
import time
import uuid

from celery.beat import PersistentScheduler
from django.conf import settings
from django.db import connection

from core.leases import lease_release, lease_take

logger = logging.getLogger(__name__)

LEASE = "beat"
FOLLOWER_POLL_SECONDS = 2.0


class LeaderScheduler(PersistentScheduler):
    """celery's PersistentScheduler, ticking only while it holds the beat lease."""

    leading: bool | None = None  # None until the first try
    term: int | None = None
    renewed_at = float("-inf")  # monotonic time the last successful renewal was asked
    deadline = float("-inf")  # monotonic time until which this beat may send

    def __init__(self, *args, **kwargs):
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.lease_seconds = float(settings.BEAT_LEASE_SECONDS)
        super().__init__(*args, **kwargs)

    def tick(self, *args, **kwargs):
        renew_every = self.lease_seconds / 3
        if not self.leading or time.monotonic() - self.renewed_at >= renew_every:
            self._hold_lease()
        if not self.leading:
            return FOLLOWER_POLL_SECONDS
        next_renewal = max(self.renewed_at + renew_every - time.monotonic(), 0.0)
        return min(super().tick(*args, **kwargs), next_renewal)

    def apply_entry(self, entry, producer=None):
        if time.monotonic() >= self.deadline:  # the fence: a lapsed leader sends nothing
            logger.warning("beat: the lease may have lapsed; %s not sent / 租约可能已过期，未发送", entry.name)
            return
        super().apply_entry(entry, producer=producer)

    def close(self):
        if self.leading:
            try:
                lease_release(name=LEASE, holder=self.holder)
            except Exception:  # noqa: BLE001 - the lease lapses by itself
                logger.warning("beat could not release its lease; it lapses by itself", exc_info=True)
        super().close()

    def _hold_lease(self) -> None:
        asked_at = time.monotonic()
        try:
            term = lease_take(name=LEASE, holder=self.holder, seconds=self.lease_seconds)
        except Exception:  # the database is down: lead nothing; its connection is replaced later
            logger.warning("beat cannot reach the database to renew its lease", exc_info=True)
            connection.close()
            term = None
        leading = term is not None
        if leading:
            self.renewed_at = asked_at
            self.deadline = asked_at + self.lease_seconds * 0.8
        else:
            self.deadline = float("-inf")
        if leading != self.leading or term != self.term:
            logger.warning(
                "beat %s (lease term %s)",
                "leads the schedule" if leading else "stands by; another beat leads",
                term if leading else self.term,
            )
        self.leading, self.term = leading, term if leading else self.term
