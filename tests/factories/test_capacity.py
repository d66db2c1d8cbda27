from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from factories.capacity import free_capacity, pieces_between

NOW = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)


def test_free_capacity_is_daily_capacity_times_days_when_idle():
    assert (
        free_capacity(daily_capacity=1000, lead_time_days=0, reservations=[], now=NOW, deadline=NOW + timedelta(days=3))
        == 3000
    )


def test_free_capacity_respects_lead_time():
    assert (
        free_capacity(daily_capacity=1000, lead_time_days=1, reservations=[], now=NOW, deadline=NOW + timedelta(days=3))
        == 2000
    )
    assert (
        free_capacity(daily_capacity=1000, lead_time_days=3, reservations=[], now=NOW, deadline=NOW + timedelta(days=3))
        == 0
    )


def test_free_capacity_subtracts_work_due_earlier():
    reservations = [(NOW + timedelta(days=1), 800)]
    assert (
        free_capacity(
            daily_capacity=1000, lead_time_days=0, reservations=reservations, now=NOW, deadline=NOW + timedelta(days=3)
        )
        == 2200
    )


def test_free_capacity_protects_work_due_later():
    # given: 2,500 pieces due in 3 days already booked; a new job due in 2 days
    reservations = [(NOW + timedelta(days=3), 2500)]
    # then: only 500 more fit (3,000 in 3 days minus 2,500), not the 2,000 of two free days
    assert (
        free_capacity(
            daily_capacity=1000, lead_time_days=0, reservations=reservations, now=NOW, deadline=NOW + timedelta(days=2)
        )
        == 500
    )


def test_free_capacity_counts_overdue_work_as_due_now():
    reservations = [(NOW - timedelta(days=1), 1500)]
    assert (
        free_capacity(
            daily_capacity=1000, lead_time_days=0, reservations=reservations, now=NOW, deadline=NOW + timedelta(days=2)
        )
        == 500
    )


def test_free_capacity_is_zero_for_a_past_deadline():
    assert (
        free_capacity(
            daily_capacity=1000, lead_time_days=0, reservations=[], now=NOW, deadline=NOW - timedelta(hours=1)
        )
        == 0
    )


def _schedulable(daily_capacity, jobs):
    """Earliest-deadline-first: every prefix of work fits the time until its deadline."""
    running = 0
    for due, quantity in sorted(jobs):
        running += quantity
        if running > pieces_between(daily_capacity, NOW, due):
            return False
    return True


@settings(max_examples=300, deadline=None)
@given(
    daily=st.integers(1, 5000),
    offers=st.lists(st.tuples(st.integers(1, 24 * 20), st.integers(1, 20000)), min_size=1, max_size=12),
)
def test_free_capacity_booking_what_it_offers_never_overbooks(daily, offers):
    # given: a line that books every request that fits, in arrival order
    booked = []
    for hours, wanted in offers:
        due = NOW + timedelta(hours=hours)
        free = free_capacity(daily_capacity=daily, lead_time_days=0, reservations=booked, now=NOW, deadline=due)
        # then: it offers exactly what fits, not less
        if _schedulable(daily, booked):
            assert not _schedulable(daily, [*booked, (due, free + 1)])
        # when
        if wanted <= free:
            booked.append((due, wanted))
        # then: what is booked can always be made in time
        assert _schedulable(daily, booked)
