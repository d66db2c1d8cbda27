"""Free capacity of one factory line (one capability) before a deadline.

Pure arithmetic over plain values, so the board, the accept path and dispatch all agree.

A line makes ``daily_capacity`` pieces a day, continuously. Its live assignments reserve
their unfinished pieces, each due by its job's deadline. The line can take ``q`` more
pieces due by ``deadline`` if the reservations plus the new work still fit when done
earliest-deadline-first: for every checkpoint ``d`` at or after the new deadline (the new
deadline itself and every later reservation deadline), the pieces due by ``d`` must not
exceed what the line makes between now and ``d``. Work that is overdue counts as due now.
The new work also cannot start before the line's lead time has passed.
"""

from datetime import datetime, timedelta

SECONDS_PER_DAY = 86400


def pieces_between(daily_capacity: int, start: datetime, end: datetime) -> int:
    seconds = (end - start).total_seconds()
    if seconds <= 0:
        return 0
    return int(daily_capacity * seconds // SECONDS_PER_DAY)


def free_capacity(
    *,
    daily_capacity: int,
    lead_time_days: int,
    reservations: list[tuple[datetime, int]],
    now: datetime,
    deadline: datetime,
) -> int:
    """Pieces this line can still promise for work due by ``deadline`` (never negative)."""
    free = pieces_between(daily_capacity, now + timedelta(days=lead_time_days), deadline)
    if free <= 0:
        return 0
    due_by_deadline = sum(q for due, q in reservations if due <= deadline)
    free = min(free, pieces_between(daily_capacity, now, deadline) - due_by_deadline)
    running = due_by_deadline
    for due, quantity in sorted(r for r in reservations if r[0] > deadline):
        running += quantity
        free = min(free, pieces_between(daily_capacity, now, due) - running)
    return max(0, free)
