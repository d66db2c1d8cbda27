import pytest
from django.core.management import call_command

from orders.models import Job
from payments import selectors

pytestmark = pytest.mark.django_db


def test_seed_demo_makes_jobs_in_every_state_once(capsys):
    call_command("seed_demo")
    call_command("seed_demo")  # again: nothing doubles
    statuses = sorted(set(Job.objects.values_list("status", flat=True)))
    assert statuses == sorted(Job.Status.values)
    assert Job.objects.count() == 12
    assert "factory_hongda" in capsys.readouterr().out
    assert selectors.ledger_check_report().balanced


def test_simulate_runs_a_compressed_day_and_checks_the_money(capsys):
    call_command("simulate", "--hours", "4", "--smes", "3", "--factories", "3", "--seed", "7")
    out = capsys.readouterr().out
    assert "hour  4:" in out
    assert "match rate" in out
    assert "time to match" in out
    assert "factory utilisation" in out
    assert "money checks           ledger balanced, reconciliation ties out" in out
