"""No single beat (marketplace/beat.py): two beat processes run, one schedules, and the other
takes over when it dies."""

import time

import pytest

from conftest import wait_for

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
