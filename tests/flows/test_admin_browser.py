"""A platform admin, in a real headless Chromium, approves a settlement batch in the Django
admin and sees it paid; the reconciliation view is saved as a screenshot artifact."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from conftest import ROOT
from payments.services import settlement
from tests import fixtures
from tests.fixtures import UserFactory

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(ROOT, "artifacts")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.mark.slow
def test_admin_browser_approves_a_batch_and_sees_it_paid(eager_celery_live, monkeypatch):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (.ci/run and make test do it)")
    from playwright.sync_api import sync_playwright

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
        assert page.inner_text("#paid-out-total") == "14250"
        assert page.inner_text("#ties-out") == "✔"
        page.screenshot(path=str(ARTIFACTS / "reconciliation.png"), full_page=True)
        browser.close()

    batch.refresh_from_db()
    assert batch.status == "paid"
    assert (ARTIFACTS / "reconciliation.png").stat().st_size > 10_000


@pytest.mark.slow
def test_docs_render_offline_in_a_browser(live_server, monkeypatch):
    """Swagger UI comes from our own static files (drf-spectacular-sidecar): it renders the
    operations with no network beyond this server."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (.ci/run and make test do it)")
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        outside = []
        page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(live_server.url) else None)
        page.goto(f"{live_server.url}/api/docs/")
        page.wait_for_selector(".opblock", timeout=20000)
        text = page.inner_text("body")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "docs.png"))
        landing = page.goto(f"{live_server.url}/")
        landing_text = page.inner_text("body")
        browser.close()
    assert "/api/v1/jobs" in text and "/api/v1/auth/token" in text
    assert [url for url in outside if not url.startswith("data:")] == []
    assert landing.status == 200
    assert "API docs" in landing_text and "接口文档" in landing_text
