"""Free capacity of one factory line (one capability) before a deadline.

Pure arithmetic over plain values, so the board, the accept path and dispatch all agree.

A line makes ``daily_capacity`` pieces a day, continuously. Its live assignments (and
pending dispatch offers) reserve their unfinished pieces, each due by its job's deadline.
The line can take ``q`` more pieces due by ``deadline`` if the reservations plus the new
work still fit when done earliest-deadline-first: for every checkpoint ``d`` at or after
the new deadline (the new deadline itself and every later reservation deadline), the
pieces due by ``d`` must not exceed what the line makes between now and ``d``. Work that
is overdue counts as due now. The new work also cannot start before the line's lead time.

``free_capacity_many`` answers for many deadlines at once (dispatch asks for thousands);
``free_capacity`` is the same rule for one.
"""

from datetime import datetime

import numpy as np

SECONDS_PER_DAY = 86400


def pieces_between(daily_capacity: int, start: datetime, end: datetime) -> int:
    seconds = (end - start).total_seconds()
    if seconds <= 0:
        return 0
    return int(daily_capacity * seconds // SECONDS_PER_DAY)


def _pieces(daily_capacity, seconds):
    """What the line makes in ``seconds`` (array), never negative."""
    return np.floor_divide(daily_capacity * np.maximum(seconds, 0.0), SECONDS_PER_DAY)


def free_capacity_many(
    *,
    daily_capacity: int,
    lead_time_days: int,
    reservation_seconds,
    reservation_quantities,
    deadline_seconds,
) -> np.ndarray:
    """Free capacity for each deadline; all times are seconds from now (may be negative).

    Returns an int64 array shaped like ``deadline_seconds``, never negative.
    """
    deadlines = np.asarray(deadline_seconds, dtype=np.float64)
    order = np.argsort(np.asarray(reservation_seconds, dtype=np.float64), kind="stable")
    due = np.asarray(reservation_seconds, dtype=np.float64)[order]
    quantities = np.asarray(reservation_quantities, dtype=np.float64)[order]
    free = _pieces(daily_capacity, deadlines - lead_time_days * SECONDS_PER_DAY)
    if len(due):
        prefix = np.cumsum(quantities)
        # pieces due by each new deadline, and the tightest later checkpoint
        upto = np.searchsorted(due, deadlines, side="right")
        due_by_deadline = np.where(upto > 0, prefix[np.maximum(upto - 1, 0)], 0.0)
        free = np.minimum(free, _pieces(daily_capacity, deadlines) - due_by_deadline)
        slack = _pieces(daily_capacity, due) - prefix
        suffix_min = np.minimum.accumulate(slack[::-1])[::-1]
        later = np.where(upto < len(due), suffix_min[np.minimum(upto, len(due) - 1)], np.inf)
        free = np.minimum(free, later)
    return np.maximum(free, 0).astype(np.int64)


def free_capacity_unbooked(*, daily_capacity, lead_time_days, deadline_seconds) -> np.ndarray:
    """``free_capacity_many`` of lines with nothing booked, many lines at once: elementwise
    over arrays of daily capacities, lead times and deadlines (seconds from now)."""
    deadlines = np.asarray(deadline_seconds, dtype=np.float64)
    free = np.floor_divide(
        np.asarray(daily_capacity) * np.maximum(deadlines - np.asarray(lead_time_days) * SECONDS_PER_DAY, 0.0),
        SECONDS_PER_DAY,
    )
    return np.maximum(free, 0).astype(np.int64)


def free_capacity(
    *,
    daily_capacity: int,
    lead_time_days: int,
    reservations: list[tuple[datetime, int]],
    now: datetime,
    deadline: datetime,
) -> int:
    """Pieces this line can still promise for work due by ``deadline`` (never negative)."""
    return int(
        free_capacity_many(
            daily_capacity=daily_capacity,
            lead_time_days=lead_time_days,
            reservation_seconds=[(due - now).total_seconds() for due, _ in reservations],
            reservation_quantities=[quantity for _, quantity in reservations],
            deadline_seconds=[(deadline - now).total_seconds()],
        )[0]
    )
