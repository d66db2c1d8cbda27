"""A whole job's steps through the two apps at /app/, in headless Chromium on 390 px phones in
zh-CN, against a real web process and worker: the SME posts and pays; the factory takes the
job from its board, counts the material in with a photo, reports progress, delivers with a
photo and the pieces lost in the process; the SME inspects the lot by its GB/T 2828.1 plan
with a photo and accepts; the factory finds the money in its wallet in yuan, then its
settlement batch, and edits its capacity. Screenshots under artifacts/."""

import re
import subprocess
import sys
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from conftest import ROOT, process_env, wait_for
from evidence.models import Photo
from factories.models import Capability
from orders.models import Assignment, Job
from orders.quality_models import Inspection
from payments.models import SettlementBatch
from payments.selectors import factory_balances
from tests import fixtures
from tests.flows.browser import CHROMIUM, CHROMIUM_FLAGS, playwright_here
from tests.flows.test_webapp_browser import ARTIFACTS, PHONE, _figure, _jpeg, _log_in, _real_password


def _settle_now():
    """The daily settlement, run now as the beat would (its own process, on the test database)."""
    cutoff = (timezone.localtime() + timedelta(minutes=1)).isoformat()
    subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "settle", "--cutoff", cutoff],
        cwd=ROOT,
        env=process_env(),
        check=True,
        capture_output=True,
    )


@pytest.mark.slow
def test_webapp_factory_reports_each_step_with_photos_and_the_sme_inspects_and_accepts(
    start_web, start_worker, monkeypatch, tmp_path
):
    sync_playwright = playwright_here()

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    # given: an SME and a nearby online factory that sews velcro; web and a worker running;
    # the process's checklist (read before the browsers: a minor item to find one defect of)
    sme_user, _ = fixtures.sme()
    factory_user, factory = fixtures.factory()
    _real_password(sme_user)
    _real_password(factory_user)
    client = APIClient()
    client.force_authenticate(sme_user)
    standard = client.get("/api/v1/processes/velcro_sewing/inspection").json()
    minor = next(item for item in standard["items"] if item["defect_class"] == "minor")
    photos = str(tmp_path / "photos")
    web = start_web(PHOTO_ROOT=photos)
    start_worker(PAYMENT_WEBHOOK_BASE_URL=web.url, PHOTO_ROOT=photos)
    base = web.url
    origin = re.compile(rf"^(https?|wss?)://127\.0\.0\.1:{web.port}/")
    elsewhere, console = [], []
    ARTIFACTS.mkdir(exist_ok=True)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        phones = {name: browser.new_context(**PHONE) for name in ("sme", "factory")}
        for context in phones.values():
            context.on("request", lambda r: None if origin.match(r.url) else elsewhere.append(r.url))
        sme_page, factory_page = phones["sme"].new_page(), phones["factory"].new_page()
        for p in (sme_page, factory_page):
            p.on("pageerror", lambda e: console.append(str(e)))

        # the SME posts 2,000 pieces and pays; the factory takes the job from its board
        _log_in(factory_page, base, factory_user.username)
        _log_in(sme_page, base, sme_user.username)
        sme_page.select_option("select[name=process]", "velcro_sewing")
        sme_page.fill("input[name='spec.width_mm']", "25")
        sme_page.fill("input[name='spec.color']", "黑色")
        sme_page.select_option("select[name='spec.stitch']", "box_x")
        sme_page.fill("input[name=quantity]", "2000")
        sme_page.click("#get-quote")
        sme_page.wait_for_selector("#quote-total")
        sme_page.click("#post-job")
        sme_page.click("#pay-link")
        sme_page.click("button.pay")
        sme_page.goto(f"{base}/app/")
        card = factory_page.wait_for_selector(".board-job", timeout=30000)
        job_id = int(card.get_attribute("data-job"))
        factory_page.click(f"[data-accept='{job_id}']")
        factory_page.wait_for_selector(".share [data-status=assigned]", timeout=10000)
        sme_page.click(f"[data-job='{job_id}'] [data-step=materials-sent]", timeout=20000)

        # when: the factory counts the material in (1,990 of the 2,000 sent) with a photo
        factory_page.wait_for_selector(".share [data-form=materials-received]", timeout=20000)
        factory_page.fill("[data-form=materials-received] [name=quantity_received]", "1990")
        factory_page.set_input_files("[data-photo=materials-received]", _jpeg("material"))
        factory_page.screenshot(path=str(ARTIFACTS / "webapp-steps-factory-received.png"), full_page=True)
        factory_page.click("[data-step=materials-received]")
        factory_page.wait_for_selector(".share [data-status=in_production]", timeout=10000)
        # ... reports progress, then delivers 1,980 with 10 lost in the process and a photo
        factory_page.fill("[data-form=progress] [name=quantity_done]", "1200")
        factory_page.click("[data-step=progress]")
        factory_page.wait_for_selector("[data-progress]:has-text('1200 / 1990')", timeout=10000)
        factory_page.fill("[data-form=deliver] [name=quantity_delivered]", "1980")
        factory_page.fill("[data-form=deliver] [name=quantity_lost]", "10")
        factory_page.set_input_files("[data-photo=deliver]", _jpeg("delivery"))
        factory_page.screenshot(path=str(ARTIFACTS / "webapp-steps-factory-deliver.png"), full_page=True)
        factory_page.click("[data-step=deliver]")
        factory_page.wait_for_selector(".share [data-status=delivered]", timeout=10000)

        # then: the SME's phone shows the lot's sampling plan; it records one minor defect
        # with a photo, the lot passes, and it accepts every piece delivered
        form = f"[data-job='{job_id}'] [data-form=inspection]"
        sme_page.wait_for_selector(form, timeout=20000)
        sample_size = int(sme_page.get_attribute(f"{form} [data-sample-size]", "data-sample-size"))
        plan_text = sme_page.inner_text(f"{form} .plan")
        sme_page.fill(f"{form} [data-defect='{minor['code']}']", "1")
        sme_page.set_input_files(f"{form} [data-photo=inspection]", _jpeg("inspection"))
        sme_page.screenshot(path=str(ARTIFACTS / "webapp-steps-sme-inspection.png"), full_page=True)
        sme_page.click(f"{form} [data-step=inspect]")
        verdict = sme_page.wait_for_selector(f"[data-job='{job_id}'] [data-inspection]", timeout=20000)
        accepted_lot = verdict.get_attribute("data-accepted")
        verdict_text = verdict.inner_text()
        sme_page.click(f"[data-job='{job_id}'] [data-step=accept]")
        sme_page.wait_for_selector(f"[data-job='{job_id}'] > .row [data-status=completed]", timeout=20000)
        sme_page.screenshot(path=str(ARTIFACTS / "webapp-steps-sme-completed.png"), full_page=True)
        # the verdict stays on the completed share, on both phones
        kept_sme = sme_page.wait_for_selector(f"[data-job='{job_id}'] [data-inspection]", timeout=10000).inner_text()
        factory_page.wait_for_selector(".share [data-status=completed]", timeout=20000)
        kept_factory = factory_page.wait_for_selector(".share [data-inspection]", timeout=10000).inner_text()

        # and: the factory's wallet tab shows what it earned, in yuan
        factory_page.click("[data-tab=wallet]")
        wallet = wait_for(lambda: _figure(factory_page, "payable_fen"), message="the wallet to show the earnings")
        no_batch = factory_page.inner_text("#no-settlements")
        # the day's settlement runs: the batch and its line are on the wallet tab after a reload
        _settle_now()
        factory_page.reload()
        factory_page.click("[data-tab=wallet]")
        batch_text = factory_page.wait_for_selector(".batch", timeout=10000).inner_text()
        factory_page.screenshot(path=str(ARTIFACTS / "webapp-steps-factory-wallet.png"), full_page=True)
        # and the capacity tab edits the factory's velcro capability
        factory_page.click("[data-tab=capacity]")
        velcro = "[data-capability=velcro_sewing]"
        factory_page.fill(f"{velcro} [name=daily_capacity]", "5000")
        factory_page.fill(f"{velcro} [name=unit_price]", "0.15")
        factory_page.click(f"{velcro} button[type=submit]")
        factory_page.wait_for_selector(f"{velcro} [name=daily_capacity][value='5000']", timeout=10000)
        quality = factory_page.inner_text("[data-quality=velcro_sewing]")
        factory_page.screenshot(path=str(ARTIFACTS / "webapp-steps-factory-capacity.png"), full_page=True)
        # the same tab reads in English
        factory_page.click("#lang")
        english = factory_page.wait_for_selector("#capacity-tab h2:has-text('Capacity')").inner_text()
        factory_page.screenshot(path=str(ARTIFACTS / "webapp-steps-factory-capacity-en.png"), full_page=True)
        overflow = [
            p.evaluate("document.documentElement.scrollWidth > window.innerWidth") for p in (sme_page, factory_page)
        ]
        browser.close()

    job = Job.objects.get(id=job_id)
    share = Assignment.objects.get(job=job)
    materials = {"returned": 0} | {m.kind: m.quantity for m in share.material_movements.all()}
    inspection = Inspection.objects.get(assignment=share)
    kinds = dict(Photo.objects.filter(job=job).values_list("kind", "id"))
    batch = SettlementBatch.objects.get(factory_id=factory.id)
    capability = Capability.objects.get(factory__company=factory, process__code="velcro_sewing")
    assert job.status == "completed" and share.factory_id == factory.id
    assert (share.quantity_received, share.quantity_delivered, share.quantity_accepted) == (1990, 1980, 1980)
    assert [materials[k] for k in ("received", "consumed", "loss", "returned")] == [1990, 1980, 10, 0]
    assert sorted(kinds) == ["delivery", "inspection", "material_received"]
    assert inspection.accepted and accepted_lot == "true" and "批次合格" in verdict_text
    assert "批次合格" in kept_sme and "批次合格" in kept_factory
    assert inspection.sample_inspected == sample_size and inspection.defects == {minor["code"]: 1}
    assert inspection.photo_ids == [kinds["inspection"]]
    assert f"抽样 {sample_size} / 1980" in plan_text and "Ac" in plan_text
    assert wallet == f"¥{factory_balances(company_id=factory.id)['payable_fen'] / 100:.2f}" != "¥0.00"
    assert no_batch == "暂无结算批次。"
    assert f"¥{batch.total_fen / 100:.2f}" in batch_text and "审核中" in batch_text and f"#{share.id}" in batch_text
    assert (capability.daily_capacity, capability.unit_price_fen) == (5000, 15)
    assert "一次合格率 100% · 1/1" in quality and "正常检验" in quality and english == "Capacity and processes"
    assert overflow == [False, False]
    assert elsewhere == [] and console == []


@pytest.mark.slow
def test_webapp_a_rejected_lot_is_reworked_and_delivered_again_then_disputed_with_a_reason(
    start_web, start_worker, monkeypatch, tmp_path
):
    sync_playwright = playwright_here()

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    # given: a paid job of 500 pieces in production at a factory (made here, before the browsers)
    owner = fixtures.sme()
    factory_user, factory = fixtures.factory()
    _real_password(owner[0])
    _real_password(factory_user)
    job = fixtures.job(owner, quantity=500)
    share = fixtures.share_in_production(job, owner, (factory_user, factory), 500)
    client = APIClient()
    client.force_authenticate(owner[0])
    items = client.get("/api/v1/processes/velcro_sewing/inspection").json()["items"]
    major = next(item for item in items if item["defect_class"] == "major")
    photos = str(tmp_path / "photos")
    web = start_web(PHOTO_ROOT=photos)
    start_worker(PHOTO_ROOT=photos)
    console = []

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        sme_page, factory_page = (browser.new_context(**PHONE).new_page() for _ in range(2))
        for p in (sme_page, factory_page):
            p.on("pageerror", lambda e: console.append(str(e)))
        _log_in(factory_page, web.url, factory_user.username)
        _log_in(sme_page, web.url, owner[0].username)
        # when: the factory delivers all 500 with a photo
        factory_page.set_input_files("[data-photo=deliver]", _jpeg("delivery"))
        factory_page.click("[data-step=deliver]")
        factory_page.wait_for_selector(".share [data-status=delivered]", timeout=10000)
        # ... the SME sees the delivery's photo and finds as many major defects as reject the lot
        form = f"[data-job='{job.id}'] [data-form=inspection]"
        sme_page.wait_for_selector(form, timeout=20000)
        thumbnail = sme_page.wait_for_selector(f"[data-photos='{share.id}'] img[data-kind=delivery]", timeout=10000)
        thumbnail_width = wait_for(
            lambda: thumbnail.evaluate("img => img.complete && img.naturalWidth"), message="the thumbnail to load"
        )
        rejects_at = sme_page.get_attribute(f"{form} [data-class=major]", "data-re")  # Re of the major class
        sme_page.fill(f"{form} [data-defect='{major['code']}']", rejects_at)
        sme_page.select_option(f"{form} [name=on_reject]", "rework")
        sme_page.fill(f"{form} [name=note]", "魔术贴偏位")
        sme_page.click(f"{form} [data-step=inspect]")
        rejected = sme_page.wait_for_selector(
            f"[data-job='{job.id}'] > .row [data-status=in_production]", timeout=20000
        )
        # then: the factory's phone offers the reworked lot's delivery (the same 500), live
        rework = factory_page.wait_for_selector("[data-form=deliver]:has-text('500')", timeout=20000).inner_text()
        verdict = factory_page.inner_text(".share [data-inspection]")
        factory_page.screenshot(path=str(ARTIFACTS / "webapp-steps-factory-rework.png"), full_page=True)
        factory_page.click("[data-step=deliver]")
        factory_page.wait_for_selector(".share [data-status=delivered]", timeout=10000)
        # and the SME disputes the lot delivered again, with its reason
        sme_page.wait_for_selector(f"[data-job='{job.id}'] [data-form=inspection]", timeout=20000)
        rounds = sme_page.locator(f"[data-job='{job.id}'] [data-inspection]").count()
        sme_page.fill(f"[data-job='{job.id}'] [data-form=dispute] [name=reason]", "返工后仍然偏位")
        sme_page.click(f"[data-job='{job.id}'] [data-step=dispute]")
        sme_page.wait_for_selector(f"[data-job='{job.id}'] > .row [data-status=disputed]", timeout=20000)
        sme_page.screenshot(path=str(ARTIFACTS / "webapp-steps-sme-disputed.png"), full_page=True)
        # the first round's verdict stays on the disputed share, on both phones
        kept_sme = sme_page.wait_for_selector(f"[data-job='{job.id}'] [data-inspection]", timeout=10000).inner_text()
        factory_page.wait_for_selector(".share [data-status=disputed]", timeout=20000)
        kept_factory = factory_page.wait_for_selector(".share [data-inspection]", timeout=10000).inner_text()
        browser.close()

    share.refresh_from_db()
    first = Inspection.objects.get(assignment=share)
    assert rejected and not first.accepted and first.next == "rework" and rounds == 1
    assert "返工" in rework and share.quantity_delivered == 500 and "批次不合格" in verdict and "魔术贴偏位" in verdict
    assert share.status == "disputed" and Job.objects.get(id=job.id).status == "disputed"
    assert "批次不合格" in kept_sme and "魔术贴偏位" in kept_sme and "批次不合格" in kept_factory
    assert share.history.filter(new_status="disputed", reason="返工后仍然偏位").exists()
    assert thumbnail_width and Photo.objects.filter(job=job, kind="delivery").count() == 1
    assert console == []


# WeChat Pay's bridge inside WeChat, as a page in WeChat has it: the app hands it the transfer
# to confirm; here it records what it was given and answers at once, as WeChat does once the
# payee has confirmed.
WEIXIN_BRIDGE = """
window.WeixinJSBridge = {
  invoke(name, args, done) {
    window.__wechat = { name, args };
    setTimeout(() => done({ err_msg: name + ":ok" }), 0);
  },
};
"""


@pytest.mark.slow
def test_webapp_factory_confirms_a_wechat_transfer_from_its_wallet(
    start_web, settings, tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    sync_playwright = playwright_here()

    from marketplace.settings_wechatpay import WECHATPAY_OPTIONAL, WECHATPAY_SETTINGS
    from payments.gateways.wechatpay import numbers
    from tests.payments.test_wechatpay import _approve_and_pay, _batch, _start
    from tests.payments.wechatpay_standin import rsa_key

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    # given: WeChat Pay (its stand-in) pays a factory's approved batch by a transfer bill that
    # waits for the payee's confirmation
    wechat = _start(settings, tmp_path, {"merchant": rsa_key(), "platform": rsa_key()})
    pair = fixtures.factory()
    _real_password(pair[0])
    (user, factory), batch = _batch(pair)
    _approve_and_pay(batch, django_capture_on_commit_callbacks)
    line = batch.lines.get()
    line.refresh_from_db()
    bill_no = numbers.out_bill_no(f"payout:line:{line.id}")
    names = [*WECHATPAY_SETTINGS, *WECHATPAY_OPTIONAL]
    web = start_web(PAYMENT_PROVIDER="wechatpay", **{name: getattr(settings, name) for name in names})
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
            context = browser.new_context(**PHONE)
            context.add_init_script(WEIXIN_BRIDGE)
            page = context.new_page()
            _log_in(page, web.url, user.username)
            page.click("[data-tab=wallet]")
            waiting = page.wait_for_selector(f"[data-line='{line.id}']", timeout=10000).inner_text()
            in_transit = page.inner_text("[data-figure=in_transit_fen]")
            page.screenshot(path=str(ARTIFACTS / "webapp-steps-factory-wechat-confirm.png"), full_page=True)
            # when: the payee confirms in WeChat (the bridge), and the app checks the line
            wechat.confirm(bill_no)
            page.click(f"[data-confirm='{line.id}']")
            # then: the line is paid, on the phone
            page.wait_for_selector(f"[data-line='{line.id}'] [data-status=paid]", timeout=20000)
            handed = page.evaluate("window.__wechat")
            paid_out = wait_for(lambda: _figure(page, "paid_out_fen"), message="the wallet to show the transfer")
            browser.close()
    finally:
        wechat.stop()

    line.refresh_from_db()
    assert "待确认收款" in waiting and "¥142.50" in waiting
    assert in_transit == paid_out == "¥142.50"
    assert handed == {
        "name": "requestMerchantTransfer",
        "args": {
            "mchId": line.confirmation["mch_id"],
            "appId": line.confirmation["app_id"],
            "package": line.confirmation["package_info"],
        },
    }
    assert line.payout_status == "paid" and wechat.refused == []
