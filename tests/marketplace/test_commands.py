import pytest
from django.core.management import call_command

from marketplace import charts
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
    assert "inspection             first-pass acceptance" in out
    assert "money checks           ledger balanced, reconciliation ties out" in out


def test_simulate_report_writes_the_charts_and_a_bilingual_summary(tmp_path, capsys):
    out_dir = tmp_path / "report"
    call_command("simulate", "--hours", "3", "--smes", "2", "--factories", "2", "--seed", "3", "--report", str(out_dir))
    captured = capsys.readouterr()
    assert "[" + "#" * 30 + "] 3/3 h" in captured.err  # the progress bar, finished
    for name in charts.CHARTS:
        png = (out_dir / f"{name}.png").read_bytes()
        assert png.startswith(b"\x89PNG\r\n\x1a\n"), name
        assert len(png) > 5000, name
    index = (out_dir / "index.html").read_text(encoding="utf-8")
    for name in charts.CHARTS:
        assert f'src="{name}.png"' in index
    assert "撮合率 Match rate" in index
    assert "账目平衡，对账一致 Ledger balanced, reconciliation ties out" in index
    assert "index.html and 8 charts" in captured.out
