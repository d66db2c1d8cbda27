import re

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


def _figure_rows(index: str, name: str) -> list[list[str]]:
    figure = re.search(rf'<figure id="{name}">(.*?)</figure>', index, re.S).group(1)
    body = re.search(r"<tbody>(.*?)</tbody>", figure, re.S).group(1)
    return [re.findall(r"<td>(.*?)</td>", row) for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def _summary(index: str, english: str) -> str:
    return re.search(rf"{re.escape(english)}</th><td>(.*?)</td>", index).group(1)


def test_simulate_report_text_and_charts_show_the_same_numbers(tmp_path, capsys):
    # given / when: a simulated half day with its report
    out_dir = tmp_path / "report"
    call_command("simulate", "--hours", "6", "--smes", "3", "--factories", "3", "--seed", "5", "--report", str(out_dir))
    out = capsys.readouterr().out
    index = (out_dir / "index.html").read_text(encoding="utf-8")
    # then: posted and matched in the summary are the jobs chart's, and matched <= posted
    jobs = _figure_rows(index, "jobs")
    posted, matched = sum(int(row[1]) for row in jobs), sum(int(row[2]) for row in jobs)
    assert _summary(index, "Jobs posted and paid") == str(posted)
    assert _summary(index, "Jobs matched") == str(matched)
    assert 0 < matched <= posted
    assert f"jobs posted and paid   {posted}\n" in out
    assert f"({matched} matched, " in out
    # and: time to match in one unit, simulated hours, in the text and on the chart alike
    [[_day, p50, p95, timed]] = _figure_rows(index, "time_to_match")
    assert _summary(index, "Time to match (simulated hours)") == f"p50 {p50} h · p95 {p95} h"
    assert f"time to match          p50 {p50} h, p95 {p95} h (simulated hours)" in out
    assert int(timed) == matched
    assert "中位数（模拟小时） p50 (simulated h)" in index
    # and: utilisation is the dashboard's calendar formula over the run's own factories
    lines = _figure_rows(index, "utilisation")
    assert lines and all(row[0].startswith("Sim Factory") for row in lines)
    for _name, booked, capacity, percent in lines:
        booked, capacity = int(booked.replace(",", "")), int(capacity.replace(",", ""))
        assert percent == f"{booked / capacity:.1%}"
    booked = sum(int(row[1].replace(",", "")) for row in lines)
    capacity = sum(int(row[2].replace(",", "")) for row in lines)
    assert _summary(index, "Factory utilisation") == f"{booked / capacity:.1%} ({booked:,} / {capacity:,})"
    assert f"factory utilisation    {booked / capacity:.1%}: {booked:,} pieces booked over {capacity:,}" in out
