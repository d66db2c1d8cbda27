"""Beat without a single point of failure: any number of ``celery -A marketplace beat``
processes may run, and exactly one schedules at a time.

The leader is whichever beat holds a PostgreSQL session advisory lock on its own database
connection; the others check every few seconds and take over within that time when the
leader's connection goes (the process died, the host went away). Every periodic task reads
its work from the database and is safe to run twice, so a hand-over that overlaps by a
tick does no harm.
"""

import logging

from celery.beat import PersistentScheduler
from django.db import connection

logger = logging.getLogger(__name__)

BEAT_LOCK = 8_402_213  # pg advisory lock id for "this beat schedules"
FOLLOWER_POLL_SECONDS = 2.0


class LeaderScheduler(PersistentScheduler):
    """celery's PersistentScheduler, ticking only while it holds the beat lock."""

    leading = False

    def tick(self, *args, **kwargs):
        leading = self._hold_lock()
        if leading != self.leading:
            logger.warning("beat %s the schedule", "takes over" if leading else "stands by; another beat leads")
            self.leading = leading
        if not leading:
            return FOLLOWER_POLL_SECONDS
        return super().tick(*args, **kwargs)

    def _hold_lock(self) -> bool:
        try:
            with connection.cursor() as cursor:
                if self.leading:
                    cursor.execute(
                        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = %s "
                        "AND pid = pg_backend_pid() AND granted",
                        [BEAT_LOCK],
                    )
                    if cursor.fetchone()[0]:
                        return True
                cursor.execute("SELECT pg_try_advisory_lock(%s)", [BEAT_LOCK])
                return bool(cursor.fetchone()[0])
        except Exception:  # the database is down: lead nothing; its connection is replaced later
            logger.warning("beat cannot reach the database to check the lock", exc_info=True)
            connection.close()
            return False
