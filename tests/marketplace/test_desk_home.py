"""The desk on the admin's index: the day's numbers and the alerts, each linking to its list."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from factories.models import FactoryProfile
from marketplace import desk
from orders import services as order_services
from orders.models import Assignment, Job
from tests import fixtures

pytestmark = pytest.mark.django_db


def test_desk_counts_today_escrow_and_factories_online_per_process():
    # given: a factory online for velcro sewing; today a job completed (matched, paid
    # ¥150.00 and released), a job open with ¥75.00 in escrow, a job never paid
    pair = fixtures.factory()
    fixtures.completed_assignment(pair)
    fixtures.job(quantity=500)
    fixtures.job(paid=False)
    # when
    figures = desk.desk()
    # then
    assert {k: figures["today"][k] for k in ("posted", "matched", "completed", "paid")} == {
        "posted": 3,
        "matched": 1,
        "completed": 1,
        "paid": 2,
    }
    assert figures["today"]["match_rate"] == 0.5
    assert figures["escrow_held_fen"] == 7500
    velcro = next(row for row in figures["processes"] if row["process"].code == "velcro_sewing")
    assert (velcro["online"], velcro["open_jobs"]) == (1, 1)
    assert figures["no_factory"] == []


def test_an_open_job_with_no_factory_online_for_its_process_is_an_alert_linking_to_the_jobs():
    # given: the only velcro factory went offline while a job is open
    pair = fixtures.factory()
    job = fixtures.job()
    FactoryProfile.objects.filter(company=pair[1]).update(online=False)
    # when
    page = fixtures.admin_browser().get("/admin/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    # then
    assert 'class="alert-no-factory"' in page
    assert "没有在线工厂" in page
    assert f"status__exact=open&amp;process__id__exact={job.process_id}" in page


def test_jobs_waiting_too_long_and_overdue_are_counted_and_filtered():
    fixtures.factory()
    waiting = fixtures.job()
    Job.objects.filter(id=waiting.id).update(created_at=timezone.now() - timedelta(hours=2))
    late = fixtures.job()
    Job.objects.filter(id=late.id).update(deadline=timezone.now() - timedelta(hours=1))
    fresh = fixtures.job()
    browser = fixtures.admin_browser()
    # when
    page = browser.get("/admin/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    waiting_list = browser.get("/admin/orders/job/?attention=waiting")
    overdue_list = browser.get("/admin/orders/job/?attention=overdue")
    # then
    assert '<span class="figure" id="desk-waiting">1</span>' in page
    assert '<span class="figure" id="desk-overdue">1</span>' in page
    assert [j.id for j in waiting_list.context["cl"].result_list] == [waiting.id]
    assert [j.id for j in overdue_list.context["cl"].result_list] == [late.id]
    assert fresh.id not in [j.id for j in waiting_list.context["cl"].result_list]


def test_an_over_booked_factory_is_an_alert():
    pair = fixtures.factory(capabilities=[("velcro_sewing", 12, 4000, 100, 0)])
    job = fixtures.job(quantity=1000)
    order_services.board_accept(job_id=job.id, factory=pair[1], user=pair[0])
    pair[1].factory_profile.capabilities.update(daily_capacity=100)
    page = fixtures.admin_browser().get("/admin/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'class="alert-overbooked"' in page and "排产超载" in page
    assert f"/admin/factories/factoryprofile/{pair[1].id}/change/" in page


def test_the_home_pages_links_open_their_filtered_lists():
    fixtures.factory()
    fixtures.job()
    browser = fixtures.admin_browser()
    page = browser.get("/admin/").content.decode()
    links = set(re.findall(r'href="(/admin/[^"]*\?[^"]*)"', page))
    assert len(links) >= 10
    for link in links:
        # an unknown filter would redirect to ?e=1: every link here filters for real
        assert browser.get(link.replace("&amp;", "&")).status_code == 200, link


def test_matched_today_counts_a_job_whose_first_share_was_taken_today_only():
    # given: job A's first share was taken yesterday and a second one today; job B's first
    # share was taken today
    pair = fixtures.factory()
    earlier = fixtures.completed_assignment(pair)
    yesterday = timezone.now() - timedelta(days=1)
    Assignment.objects.filter(id=earlier.id).update(assigned_at=yesterday)
    Assignment.objects.create(job=earlier.job, factory=fixtures.factory()[1], quantity=1, unit_price_fen=15)
    fixtures.completed_assignment(pair)
    # when
    figures = desk.today()
    # then: only job B was first matched today
    assert figures["matched"] == 1
