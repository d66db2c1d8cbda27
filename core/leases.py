"""Leases with a deadline on PostgreSQL (``core.models.Lease``): one statement takes or
renews a lease, so two processes racing for a free lease cannot both get it (the row's
primary key and ``ON CONFLICT ... WHERE`` decide), and the deadline is the database's clock.

A holder that stops renewing (killed, frozen with SIGSTOP, cut off from the database) loses
the lease when it lapses, whether or not its connection is still open; that is what the
PostgreSQL session advisory lock used before could not do (a frozen process keeps its
session, and so its lock, for as long as it hangs)."""

from django.db import connection

_TAKE = """
INSERT INTO core_lease (name, holder, term, expires_at)
VALUES (%(name)s, %(holder)s, 1, clock_timestamp() + make_interval(secs => %(seconds)s))
ON CONFLICT (name) DO UPDATE SET
    holder = EXCLUDED.holder,
    term = core_lease.term + CASE WHEN core_lease.holder = EXCLUDED.holder THEN 0 ELSE 1 END,
    expires_at = EXCLUDED.expires_at
WHERE core_lease.holder = EXCLUDED.holder OR core_lease.expires_at <= clock_timestamp()
RETURNING term
"""

_RELEASE = "UPDATE core_lease SET expires_at = clock_timestamp() WHERE name = %(name)s AND holder = %(holder)s"


def lease_take(*, name: str, holder: str, seconds: float) -> int | None:
    """Renew the lease ``name`` for ``holder`` for ``seconds`` from now, or take it if it is
    free or has lapsed. Returns its term (the fencing token), or None while another holder
    has it. Runs in autocommit (outside any transaction), so the lease is visible at once.
    PostgreSQL only."""
    with connection.cursor() as cursor:
        cursor.execute(_TAKE, {"name": name, "holder": holder, "seconds": seconds})
        row = cursor.fetchone()
    return row[0] if row else None


def lease_release(*, name: str, holder: str) -> None:
    """Let the lease lapse now if ``holder`` has it (a holder stopping warmly), so another
    takes it on its next try instead of after the deadline."""
    with connection.cursor() as cursor:
        cursor.execute(_RELEASE, {"name": name, "holder": holder})
