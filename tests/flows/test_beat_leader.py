"""No single beat (marketplace/beat.py): two beat processes run, one schedules, and the other
takes over when it dies or hangs; a leader that wakes after losing the lease sends nothing."""

import os
import signal
import time

import pytest
import redis
from celery.beat import ScheduleEntry
from django.conf import settings

from conftest import wait_for
from core.leases import lease_take
from core.models import Lease
from marketplace.beat import LEASE, LeaderScheduler
from marketplace.celery import app

SENT = "Sending due task dispatch-batch"


@pytest.mark.slow
def test_two_beats_schedule_each_batch_once_and_the_second_takes_over(start_beat):
    # given: a leader that is already scheduling the 1-second dispatch batch
    first = start_beat(MATCHING_BATCH_SECONDS=1)
    wait_for(lambda: SENT in first.log_path.read_text(), timeout=30, message="the first beat to schedule")
    # when: a second beat starts beside it
    second = start_beat(MATCHING_BATCH_SECONDS=1)
    before = first.log_path.read_text().count(SENT)
    time.sleep(6)
    # then: the batches keep coming from the leader only, once a second
    assert second.log_path.read_text().count(SENT) == 0
    assert 3 <= first.log_path.read_text().count(SENT) - before <= 8
    # and when the leader dies, the other one schedules within seconds
    first.kill()
    first.wait(timeout=10)
    wait_for(lambda: SENT in second.log_path.read_text(), timeout=20, message="the second beat to take over")


@pytest.mark.slow
def test_a_frozen_leader_is_replaced_and_schedules_nothing_when_it_wakes(start_beat):
    # given: a leader and a standby on a 3-second lease
    env = {"MATCHING_BATCH_SECONDS": 1, "BEAT_LEASE_SECONDS": 3}
    leader = start_beat(**env)
    wait_for(lambda: SENT in leader.log_path.read_text(), timeout=30, message="the first beat to schedule")
    standby = start_beat(**env)
    wait_for(lambda: "beat: Starting" in standby.log_path.read_text(), timeout=30, message="the second beat to start")
    time.sleep(3)
    assert SENT not in standby.log_path.read_text()
    # when: the leader hangs (SIGSTOP keeps its process, its sockets and its database session)
    os.kill(leader.pid, signal.SIGSTOP)
    try:
        frozen_at = time.monotonic()
        wait_for(lambda: SENT in standby.log_path.read_text(), timeout=20, message="the standby to take over")
        took_over_in = time.monotonic() - frozen_at
        sent_before_waking = leader.log_path.read_text().count(SENT)
    finally:
        os.kill(leader.pid, signal.SIGCONT)
    # then: the standby scheduled within the lease and a poll, and the old leader, awake
    # again, stands by without sending anything
    assert took_over_in < 3 + 2 + 2
    wait_for(lambda: "stands by" in leader.log_path.read_text(), timeout=10, message="the old leader to stand by")
    standby_sent = standby.log_path.read_text().count(SENT)
    time.sleep(4)
    assert leader.log_path.read_text().count(SENT) == sent_before_waking
    assert standby.log_path.read_text().count(SENT) >= standby_sent + 2
    assert Lease.objects.get(name=LEASE).term == 2


def _queued() -> int:
    """Messages waiting in the broker's default queue (a Redis list)."""
    return redis.Redis.from_url(settings.REDIS_URL).llen("celery")


def test_a_leader_past_its_lease_sends_nothing_and_the_new_one_does(transactional_db, tmp_path):
    # given: a leader whose 1-second lease has lapsed and another beat that took it
    entry = ScheduleEntry(name="purge", task="core.tasks.idempotency_records_purge_task", schedule=60.0, app=app)
    old, new = (LeaderScheduler(app=app, schedule_filename=str(tmp_path / name), lazy=True) for name in ("old", "new"))
    old.lease_seconds = new.lease_seconds = 1.0
    old._hold_lease()
    assert old.leading and old.term == 1
    time.sleep(1.1)
    new._hold_lease()
    assert new.leading and new.term == 2
    with app.connection_for_write() as connection:
        connection.default_channel.queue_purge("celery")
    # when: both try to send a due task
    old.apply_entry(entry, producer=app.amqp.Producer(app.connection_for_write()))
    sent_by_old = _queued()
    new.apply_entry(entry, producer=app.amqp.Producer(app.connection_for_write()))
    # then: only the holder of the lease sent it, and the old one cannot renew
    assert (sent_by_old, _queued()) == (0, 1)
    assert lease_take(name=LEASE, holder=old.holder, seconds=1.0) is None
    old._hold_lease()
    assert not old.leading
