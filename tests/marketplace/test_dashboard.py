"""The admin's dashboard: its figures on a small world built by hand, its page and charts."""

import io
import re
from datetime import datetime, time, timedelta

import pytest
from django.test import Client
from django.utils import timezone
from PIL import Image

from factories.capacity import pieces_between
from marketplace import charts, dashboard
from orders import services as order_services
from orders.models import Assignment, Job, JobHistory
from tests import fixtures

pytestmark = pytest.mark.django_db

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _waited(job, seconds):
    """The job's first share was taken ``seconds`` after its payment opened it, both today
    (just after midnight the half hour before would be yesterday)."""
    midnight = timezone.make_aware(datetime.combine(timezone.localdate(), time.min))
    opened = max(timezone.now() - timedelta(minutes=30), midnight + timedelta(seconds=1))
    JobHistory.objects.filter(job=job, action="paid").update(created_at=opened)
    Assignment.objects.filter(job=job).update(assigned_at=opened + timedelta(seconds=seconds))


@pytest.fixture
def world():
    """One factory; today: a board job accepted with 10 of 1,000 rejected (15 fen), a board job
    of 500 at 18 fen accepted whole, a dispatch job of 1,000 taken by offer; yesterday: a job
    posted and never paid."""
    pair = fixtures.factory(capabilities=[("velcro_sewing", 12, 4000, 100, 0)])
    rejected = fixtures.completed_assignment(pair, quantity=1000, unit_price_fen=15, accepted=990)
    whole = fixtures.completed_assignment(pair, quantity=500, unit_price_fen=18)
    dispatched = fixtures.job(mode="dispatch", quantity=1000, unit_price_fen=15)
    order_services.dispatch_run_batch()
    order_services.offer_accept(offer_id=dispatched.offers.get().id, factory=pair[1], user=pair[0])
    unpaid = fixtures.job(paid=False)
    yesterday = timezone.make_aware(datetime.combine(timezone.localdate() - timedelta(days=1), time(12)))
    Job.objects.filter(id=unpaid.id).update(created_at=yesterday)
    _waited(rejected.job, 60)
    _waited(whole.job, 300)
    _waited(dispatched, 120)
    return {"factory": pair[1]}


def test_jobs_posted_and_matched_per_day(world):
    today = timezone.localdate()
    assert dashboard.jobs_per_day() == [
        {"day": today - timedelta(days=1), "posted": 1, "matched": 0},
        {"day": today, "posted": 3, "matched": 3},
    ]
    assert dashboard.match_channels() == [{"day": today, "dispatch": 1, "board": 2}]


def test_time_to_match_is_the_nearest_rank_p50_and_p95(world):
    assert dashboard.time_to_match() == [{"day": timezone.localdate(), "p50_s": 120.0, "p95_s": 300.0, "jobs": 3}]
    assert dashboard.percentile([5, 1, 3, 2, 4], 0.5) == 3
    assert dashboard.percentile([], 0.95) == 0


def test_utilisation_is_booked_load_over_capacity_to_the_deadlines_and_on_time_and_rejects(world):
    # the dispatched job's 1,000 pieces are booked on a 4,000 a day line until its deadline;
    # the two completed shares no longer hold the line
    now = timezone.now()
    deadline = Job.objects.get(mode="dispatch").deadline
    capacity = pieces_between(4000, now, deadline)
    assert dashboard.factory_utilisation(now=now) == [
        {
            "factory": world["factory"].name,
            "factory_id": world["factory"].id,
            "booked": 1000,
            "capacity": capacity,
            "overbooked": False,
            "utilisation": 1000 / capacity,
        }
    ]
    [day] = dashboard.quality_per_day()
    assert day == {"day": timezone.localdate(), "shares": 2, "on_time_rate": 1.0, "reject_rate": 10 / 1500}


def test_money_per_day_in_fen(world):
    # paid in 15,000 + 9,000 + 15,000; commission 5% rounded down per share: 742 + 450;
    # the 10 rejected pieces are owed back: 150.
    assert dashboard.money_per_day() == [
        {"day": timezone.localdate(), "gmv_fen": 39000, "commission_fen": 1192, "refunds_fen": 150}
    ]


def test_paid_per_accepted_piece_against_the_reference_price(world):
    [velcro] = dashboard.paid_per_piece()
    assert velcro["code"] == "velcro_sewing"
    assert velcro["pieces"] == 1490
    assert velcro["paid_per_piece_fen"] == (990 * 15 + 500 * 18) / 1490
    assert velcro["reference_fen"] == 15
    assert velcro["ratio"] == velcro["paid_per_piece_fen"] / 15


def test_since_counts_only_what_came_after(world):
    later = timezone.now() + timedelta(seconds=1)
    assert dashboard.jobs_per_day(since=later) == []
    assert dashboard.money_per_day(since=later) == []
    assert dashboard.paid_per_piece(since=later) == []


def _is_drawn_png(body: bytes) -> None:
    assert body.startswith(PNG_SIGNATURE)
    image = Image.open(io.BytesIO(body)).convert("RGB")
    assert image.size == (720, 360)
    colours = image.getcolors(maxcolors=1 << 16)
    assert colours is None or len(colours) > 20  # drawn, not one flat colour


def test_dashboard_page_for_staff_and_each_chart_is_a_png(world):
    browser = Client()
    browser.force_login(fixtures.admin_user())
    page = browser.get("/admin/dashboard/")
    assert page.status_code == 200
    for name in charts.CHARTS:
        assert f'src="/admin/dashboard/{name}.png?v=' in page.content.decode()
        response = browser.get(f"/admin/dashboard/{name}.png")
        assert response.status_code == 200, name
        assert response["Content-Type"] == "image/png"
        _is_drawn_png(response.content)
    assert browser.get("/admin/dashboard/nothing.png").status_code == 404
    assert 'href="/admin/dashboard/"' in browser.get("/admin/").content.decode()


def test_charts_of_an_empty_cluster_are_drawn_too():
    for name in charts.CHARTS:
        _is_drawn_png(charts.render(name, dashboard.figures(name)))


@pytest.mark.parametrize("who", ["anonymous", "sme"])
def test_dashboard_is_staff_only(who):
    browser = Client()
    if who == "sme":
        browser.force_login(fixtures.sme()[0])
    for path in ("/admin/dashboard/", "/admin/dashboard/jobs.png"):
        response = browser.get(path)
        assert response.status_code in (302, 403)
        assert response.get("Content-Type") != "image/png"


def test_labels_fall_back_to_english_without_a_cjk_font(monkeypatch):
    monkeypatch.setattr(charts, "cjk_font", lambda: None)
    assert charts.label("撮合", "matched") == "matched"
    _is_drawn_png(charts.jobs_chart([{"day": timezone.localdate(), "posted": 2, "matched": 1}]))


def test_utilisation_above_100_percent_only_when_the_calendar_is_over_booked():
    # given: a 100 a day line holding a share of 1,000 pieces due in 5 days (500 makeable)
    pair = fixtures.factory(capabilities=[("velcro_sewing", 12, 4000, 100, 0)])
    job = fixtures.job(quantity=1000)
    order_services.board_accept(job_id=job.id, factory=pair[1], user=pair[0])
    pair[1].factory_profile.capabilities.update(daily_capacity=100)
    now = timezone.now()
    # when
    [row] = dashboard.factory_utilisation(now=now)
    # then
    assert row["overbooked"] is True
    assert row["utilisation"] == 1000 / pieces_between(100, now, job.deadline) > 1


@pytest.fixture
def eager_redraws():
    """The redraw a stale chart sends runs in-process, as a worker would run it."""
    from marketplace.celery import app

    previous = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = previous


def _figures_table(page: str, name: str) -> list[list[str]]:
    body = re.search(rf'<table id="figures-{name}">.*?<tbody>(.*?)</tbody>', page, re.S).group(1)
    return [re.findall(r"<td>(.*?)</td>", row) for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def test_each_chart_has_its_figures_beside_it_as_text_in_both_languages(world):
    # given: the world of today (3 posted and matched, 2 by the board, 1 by dispatch)
    browser = Client()
    browser.force_login(fixtures.admin_user())
    # when
    page = browser.get("/admin/dashboard/").content.decode()
    # then: the numbers the charts draw, as text, with bilingual headings
    today = timezone.localdate().strftime("%m-%d")
    yesterday = (timezone.localdate() - timedelta(days=1)).strftime("%m-%d")
    assert _figures_table(page, "jobs") == [[yesterday, "1", "0"], [today, "3", "3"]]
    assert _figures_table(page, "channels") == [[today, "1", "2"]]
    assert _figures_table(page, "money") == [[today, "¥390.00", "¥11.92", "¥1.50"]]
    assert _figures_table(page, "time_to_match") == [[today, "2.0", "5.0", "3"]]
    assert "中位数（分钟） p50 (min)" in page
    assert "发布 posted" in page


def test_charts_are_served_from_the_cache_and_a_stale_one_is_redrawn_for_the_next_reader(
    world, settings, eager_redraws
):
    # given: the dashboard was looked at once (its charts drawn and kept)
    browser = Client()
    browser.force_login(fixtures.admin_user())
    first_png = browser.get("/admin/dashboard/jobs.png").content
    browser.get("/admin/dashboard/")
    # when: another job is posted while the drawings are fresh
    fixtures.job()
    page = browser.get("/admin/dashboard/").content.decode()
    # then: the kept drawing and its figures are shown, not read again
    today = timezone.localdate().strftime("%m-%d")
    assert _figures_table(page, "jobs")[-1] == [today, "3", "3"]
    assert browser.get("/admin/dashboard/jobs.png").content == first_png
    # when: the drawings are stale
    settings.DASHBOARD_CHART_FRESH_SECONDS = 0
    stale = browser.get("/admin/dashboard/").content.decode()
    # then: the stale one is shown at once, and the redraw it sent is there for the next reader
    assert _figures_table(page, "jobs")[-1] == _figures_table(stale, "jobs")[-1]
    assert _figures_table(browser.get("/admin/dashboard/").content.decode(), "jobs")[-1] == [today, "4", "3"]
    assert browser.get("/admin/dashboard/jobs.png").content != first_png
