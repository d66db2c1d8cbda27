"""An operator's day at the desk, in a real headless Chromium reading Chinese, at a laptop's
1280 px and a phone's 390 px: resolve a dispute on the job's page, approve a batch from its
own page as the second admin, take a factory offline and bring it back with reasons, export
a list as CSV, read the customer material and the dashboard. Screenshots of each step are kept in ``artifacts/``."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.admin.models import LogEntry
from django.utils import timezone

from factories.models import FactoryProfile
from orders import services
from orders.models import Assignment
from payments.models import SettlementBatch
from payments.services import settlement
from tests import fixtures
from tests.fixtures import UserFactory
from tests.flows.browser import ARTIFACTS, CHROMIUM, CHROMIUM_FLAGS, playwright_here

SCREENS = {"laptop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


def _day():
    """A disputed job, a batch a colleague built, an online factory."""
    owner = fixtures.sme()
    pair = fixtures.factory()
    disputed = fixtures.job(owner, quantity=500)
    share = fixtures.delivered_share(disputed, owner, pair, 500)
    services.job_dispute(job_id=disputed.id, sme=owner[1], user=owner[0], reason="魔术扣缝歪了，约150件不合格")
    fixtures.completed_assignment(pair)
    batch = settlement.settlement_build(cutoff=timezone.now() + timedelta(seconds=1), user=fixtures.admin_user())[0]
    return {"job": disputed, "share": share, "batch": batch, "factory": pair[1]}


def _log_in(page, base):
    page.goto(f"{base}/admin/login/?next=/admin/")
    page.fill("#id_username", "desk")
    page.fill("#id_password", "pw-Secret-123")
    page.click("input[type=submit]")


@pytest.mark.slow
@pytest.mark.parametrize("screen", list(SCREENS))
def test_operator_day_in_chinese(screen, eager_celery_live, monkeypatch):
    sync_playwright = playwright_here()

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    base = eager_celery_live.url
    world = _day()
    operator = UserFactory(username="desk", is_staff=True, is_superuser=True)
    ARTIFACTS.mkdir(exist_ok=True)
    shots = ARTIFACTS / f"operator-{screen}"
    overflow = {}

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        context = browser.new_context(
            viewport=SCREENS[screen], extra_http_headers={"Accept-Language": "zh-hans"}, accept_downloads=True
        )
        page = context.new_page()

        def shot(name):
            overflow[name] = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
            page.screenshot(path=f"{shots}-{name}.png", full_page=True)

        _log_in(page, base)
        # the desk: numbers and what to act on
        assert page.inner_text("#desk-disputes") == "1"
        shot("1-desk")
        # when: a dispute is resolved on the job's page, per factory, with a note
        page.click("#desk a[href*='status__exact=disputed']")
        page.click(f"#result_list a[href^='/admin/orders/job/{world['job'].id}/change/']")
        page.click("#resolve-dispute")
        assert "魔术扣缝歪了" in page.inner_text(".dispute-reason")
        shot("2-dispute")
        page.fill(f"input[name=share_{world['share'].id}]", "350")
        page.fill("textarea[name=note]", "双方同意：150件不计")
        page.click("#resolve-dispute-form input[type=submit]")
        assert "争议已处理" in page.inner_text(".messagelist")
        shot("3-dispute-resolved")
        # when: the batch a colleague built is approved from its page, after its totals
        page.goto(f"{base}/admin/payments/settlementbatch/{world['batch'].id}/change/")
        shot("4-batch")
        page.click("#approve-batch")
        assert page.inner_text("#batch-totals")
        shot("5-batch-confirm")
        page.click("#batch-confirm input[type=submit]")
        assert "已批准" in page.inner_text(".messagelist")
        # when: the factory is taken offline with a reason, then brought back
        for reason in ("设备检修", "检修完成"):
            page.goto(f"{base}/admin/factories/factoryprofile/{world['factory'].id}/change/")
            page.click("#factory-availability")
            page.fill("textarea[name=reason]", reason)
            page.click("#availability-form input[type=submit]")
            assert reason in page.inner_text(".messagelist")
        shot("6-factory")
        # when: the jobs list is exported as CSV
        page.goto(f"{base}/admin/orders/job/")
        page.check("#action-toggle")
        page.select_option("select[name=action]", "export_csv")
        with page.expect_download() as download:
            page.click("button[name=index]")
        csv_text = Path(download.value.path()).read_text(encoding="utf-8-sig")
        shot("7-jobs")
        # when: the customer material is looked at from the desk
        page.goto(f"{base}/admin/")
        page.click("#desk a[href='/admin/materials/']")
        materials = page.inner_text("#materials-factories")
        shot("8-materials")
        # when: the dashboard is read: each chart drawn, its figures as text beside or under it
        page.goto(f"{base}/admin/dashboard/")
        page.wait_for_load_state("load")
        charts_drawn = page.evaluate("[...document.querySelectorAll('#dashboard img')].map(i => i.naturalWidth)")
        jobs_figures = page.inner_text("#figures-jobs")
        shot("9-dashboard")
        browser.close()

    # then: every step went through the services and into the admin's history
    share = Assignment.objects.get(id=world["share"].id)
    assert (share.status, share.quantity_accepted) == ("completed", 350)
    batch = SettlementBatch.objects.get(id=world["batch"].id)
    assert batch.approved_by_id == operator.id and batch.status == "paid"
    assert FactoryProfile.objects.get(company=world["factory"]).online is True
    assert LogEntry.objects.filter(user=operator).count() == 4
    assert "工厂" in csv_text.splitlines()[0] and "已完成" in csv_text
    assert "尚待退回" in materials and world["factory"].name in materials
    assert charts_drawn == [720] * 8
    assert "发布 posted" in jobs_figures.lower()  # the admin shows headings in capitals
    # and the pages fit the screen (nothing to scroll sideways)
    assert {name: wide for name, wide in overflow.items() if wide} == {}
