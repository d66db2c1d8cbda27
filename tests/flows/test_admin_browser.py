"""A platform admin, in a real headless Chromium, approves a settlement batch in the Django
admin and sees it paid; the reconciliation view is saved as a screenshot artifact."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from payments.services import settlement
from tests import fixtures
from tests.fixtures import UserFactory
from tests.flows.browser import ARTIFACTS, CHROMIUM, CHROMIUM_FLAGS, playwright_here


@pytest.mark.slow
def test_admin_browser_approves_a_batch_and_sees_it_paid(eager_celery_live, monkeypatch):
    sync_playwright = playwright_here()

    # Playwright's sync API runs an event loop in this thread; the ORM calls below are plain sync code.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    live_server = eager_celery_live
    # given: a factory's completed work in a batch the system built, and a second admin to review it
    pair = fixtures.factory()
    fixtures.completed_assignment(pair)
    batch = settlement.settlement_build(cutoff=timezone.now() + timedelta(seconds=1))[0]
    UserFactory(username="desk", is_staff=True, is_superuser=True)
    ARTIFACTS.mkdir(exist_ok=True)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        # when: the admin logs in, ticks the batch and runs the approve action
        page.goto(f"{live_server.url}/admin/login/?next=/admin/payments/settlementbatch/")
        page.fill("#id_username", "desk")
        page.fill("#id_password", "pw-Secret-123")
        page.click("input[type=submit]")
        page.check(f"input[name=_selected_action][value='{batch.id}']")
        page.select_option("select[name=action]", "approve_batches")
        page.click("button[name=index]")
        message = page.inner_text(".messagelist")
        # then: the payout went through the gateway and its webhook; the list shows it paid
        assert "Approved 1 batch" in message
        page.goto(f"{live_server.url}/admin/payments/settlementbatch/?status__exact=paid")
        assert page.locator(f"input[name=_selected_action][value='{batch.id}']").count() == 1
        page.goto(f"{live_server.url}/admin/reconciliation/")
        assert page.inner_text("#paid-out-total") == "¥142.50"
        assert page.inner_text("#ties-out") == "✔"
        page.screenshot(path=str(ARTIFACTS / "reconciliation.png"), full_page=True)
        browser.close()

    batch.refresh_from_db()
    assert batch.status == "paid"
    assert (ARTIFACTS / "reconciliation.png").stat().st_size > 10_000


# What an operator reads as labels: column heads, field labels, inline heads, section titles.
LABELS = "#result_list thead th, .form-row label, fieldset .readonly ~ label, .tabular thead th, h1, h2, caption"
CJK = re.compile(r"[\u4e00-\u9fff]")
# Visible money that is fen: a bare amount the fixtures make (15,000 fen paid, 14,250 to the factory).
RAW_FEN = re.compile(r"(?<![\d.,¥])(15000|14250|14,250|15,000)(?![\d.])|\bfen\b|（分）")


def _untranslated(page) -> list[str]:
    texts = [t.strip() for t in page.locator(LABELS).all_inner_texts()]
    return [t for t in texts if t and not CJK.search(t) and t not in ("ID",)]


@pytest.mark.slow
def test_admin_browser_reads_in_chinese_with_yuan(eager_celery_live, monkeypatch):
    """The operator's pages in zh-hans: every label Chinese, money in yuan; screenshots saved."""
    sync_playwright = playwright_here()

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    live_server = eager_celery_live
    # given: a factory's accepted work, its batch, and an admin
    pair = fixtures.factory()
    assignment = fixtures.completed_assignment(pair)
    batch = settlement.settlement_build(cutoff=timezone.now() + timedelta(seconds=1))[0]
    UserFactory(username="desk", is_staff=True, is_superuser=True)
    ARTIFACTS.mkdir(exist_ok=True)
    pages = {
        "index": "/admin/",
        "job": f"/admin/orders/job/{assignment.job_id}/change/",
        "jobs": "/admin/orders/job/",
        "factories": "/admin/factories/factoryprofile/",
        "batch": f"/admin/payments/settlementbatch/{batch.id}/change/",
        "reconciliation": "/admin/reconciliation/",
        "dashboard": "/admin/dashboard/",
    }
    found = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        # a laptop's screen
        page = browser.new_page(
            viewport={"width": 1280, "height": 800}, extra_http_headers={"Accept-Language": "zh-hans"}
        )
        page.goto(f"{live_server.url}/admin/login/?next=/admin/")
        page.fill("#id_username", "desk")
        page.fill("#id_password", "pw-Secret-123")
        page.click("input[type=submit]")
        for name, path in pages.items():
            page.goto(f"{live_server.url}{path}")
            body = page.inner_text("body")
            found[name] = {
                "untranslated": _untranslated(page),
                "raw_fen": RAW_FEN.findall(body),
                "body": body,
                "overflow": page.evaluate("document.documentElement.scrollWidth > window.innerWidth"),
                "charts": page.evaluate("[...document.querySelectorAll('#dashboard img')].map(i => i.naturalWidth)"),
            }
            page.screenshot(path=str(ARTIFACTS / f"admin-zh-{name}.png"), full_page=True)
        browser.close()

    # then: no English label and no fen anywhere; money in yuan; the lists fit the screen
    assert {name: f["untranslated"] for name, f in found.items() if f["untranslated"]} == {}
    assert {name: f["raw_fen"] for name, f in found.items() if f["raw_fen"]} == {}
    assert "胶州共享工厂平台" in found["index"]["body"]
    assert "Django" not in found["index"]["body"]
    assert "¥150.00" in found["job"]["body"] and "魔术贴缝制" in found["job"]["body"]
    assert "¥142.50" in found["batch"]["body"]
    assert "待付款" not in found["batch"]["body"] and "已完成" in found["job"]["body"]
    assert not found["factories"]["overflow"] and not found["jobs"]["overflow"]
    # the dashboard: every chart drawn (a 720 px PNG), titled in Chinese, the page fits
    assert found["dashboard"]["charts"] == [720] * 8
    assert "数据看板" in found["dashboard"]["body"] and not found["dashboard"]["overflow"]
