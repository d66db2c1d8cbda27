"""An SME pays a job through WeChat Pay's Native channel in the app at /app/, in headless
Chromium on a 390 px phone in zh-CN, against a real web process and worker with
``PAYMENT_PROVIDER=wechatpay`` pointed at the stand-in of WeChat Pay's API: the app shows the
QR code (not a weixin:// link a phone browser cannot open), the stand-in's payer pays that
order and WeChat Pay's signed notification arrives, and the job turns open on the phone
live. Inside WeChat's own browser the same QR code is shown. Screenshots under artifacts/."""

import urllib.request

import pytest
from django.db import connections

from orders.models import Job
from payments.models import WechatPayOrder
from tests import fixtures
from tests.flows.browser import CHROMIUM, CHROMIUM_FLAGS, playwright_here
from tests.flows.test_webapp_browser import ARTIFACTS, PHONE, _log_in, _real_password
from tests.payments.test_wechatpay_qr import _dark_modules, _expected_modules

WEBHOOK = "/api/v1/payments/webhooks/wechatpay"
IN_WECHAT = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 "
    "Chrome/130.0.0.0 Mobile Safari/537.36 XWEB/1300259 MMWEBSDK/20240301 MicroMessenger/8.0.49.2600(0x28003133) "
    "WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64"
)


def _post_job(page):
    page.select_option("select[name=process]", "velcro_sewing")
    page.fill("input[name='spec.width_mm']", "25")
    page.fill("input[name='spec.color']", "黑色")
    page.select_option("select[name='spec.stitch']", "box_x")
    page.fill("input[name=quantity]", "2000")
    page.click("#get-quote")
    page.wait_for_selector("#quote-total")
    page.click("#post-job")
    page.wait_for_selector("#pay-below")


def _notify(base, body: bytes, headers: dict) -> int:
    request = urllib.request.Request(  # noqa: S310 (the test's own web process)
        base + WEBHOOK, data=body, headers={**headers, "Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return response.status


@pytest.mark.slow
def test_webapp_sme_pays_a_job_by_scanning_the_wechat_pay_qr_code_and_sees_it_open_live(
    start_web, start_worker, settings, tmp_path, monkeypatch
):
    sync_playwright = playwright_here()

    from marketplace.settings_wechatpay import WECHATPAY_OPTIONAL, WECHATPAY_SETTINGS
    from tests.payments.test_wechatpay import _start
    from tests.payments.wechatpay_standin import rsa_key

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    # given: the deployment pays through WeChat Pay (its stand-in), a web process and a worker
    wechat = _start(settings, tmp_path, {"merchant": rsa_key(), "platform": rsa_key()})
    sme_user, _ = fixtures.sme()
    _real_password(sme_user)
    env = {name: getattr(settings, name) for name in [*WECHATPAY_SETTINGS, *WECHATPAY_OPTIONAL]}
    web = start_web(PAYMENT_PROVIDER="wechatpay", **env)
    start_worker(PAYMENT_PROVIDER="wechatpay", **env)
    ARTIFACTS.mkdir(exist_ok=True)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
            page = browser.new_context(**PHONE).new_page()
            errors = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            # when: the SME posts a job and is asked to pay
            _log_in(page, web.url, sme_user.username)
            _post_job(page)
            below = page.inner_text("#pay-below")
            job = Job.objects.get(created_by=sme_user)
            panel = f".job[data-job='{job.id}'] .wechat-pay"
            # then: its job shows the QR code to scan with WeChat, and the amount in yuan
            qr = page.wait_for_selector(f"{panel} img.qr", timeout=15000)
            page.wait_for_function(
                "(img) => img.complete && img.naturalWidth > 0", arg=qr, timeout=5000
            )  # the browser drew it (the CSP allows data: images)
            code_url, data_url = qr.get_attribute("data-code-url"), qr.get_attribute("src")
            panel_text = page.inner_text(panel)
            links = page.eval_on_selector_all("a[href^='weixin:']", "links => links.length")
            page.screenshot(path=str(ARTIFACTS / "webapp-sme-wechatpay-qr.png"), full_page=True)

            # and: inside WeChat's own browser, the same QR code (no JSAPI without an openid)
            in_wechat = browser.new_context(**PHONE, user_agent=IN_WECHAT).new_page()
            _log_in(in_wechat, web.url, sme_user.username)
            wechat_qr = in_wechat.wait_for_selector(f"{panel} img.qr", timeout=15000).get_attribute("data-code-url")
            wechat_text = in_wechat.inner_text(panel)

            # when: the payer scans it and pays; WeChat Pay sends its signed notification
            order = WechatPayOrder.objects.get(payment=job.payment, closed=False)
            status = _notify(web.url, *wechat.notification("TRANSACTION.SUCCESS", wechat.pay(order.out_trade_no)))
            # then: the job turns open on the phone without a reload, its QR code gone
            page.wait_for_selector(f".job[data-job='{job.id}'] > .row [data-status=open]", timeout=30000)
            gone = page.locator(panel).count() + page.locator("#pay-below").count()
            page.screenshot(path=str(ARTIFACTS / "webapp-sme-wechatpay-paid.png"), full_page=True)
            browser.close()
            # the ORM read the job and its order inside Playwright's block, on a connection of
            # the block's own; closed here, or it outlives the test database
            connections.close_all()
    finally:
        wechat.stop()

    assert status == 200
    assert code_url == order.code_url == wechat.orders[order.out_trade_no]["code_url"] == wechat_qr
    assert code_url.startswith("weixin://wxpay/bizpayurl?pr=")
    assert _dark_modules(data_url) == _expected_modules(code_url)
    assert "用微信扫一扫支付" in panel_text and f"¥{job.payment.amount_fen / 100:.2f}" in panel_text, panel_text
    assert "二维码" in below
    assert links == 0, "no weixin:// link a phone browser cannot open"
    assert "微信内置浏览器" in wechat_text
    assert gone == 0
    assert Job.objects.get(id=job.id).status == "open"
    assert list(WechatPayOrder.objects.filter(payment=job.payment).values_list("out_trade_no", flat=True)) == [
        order.out_trade_no
    ]
    assert errors == [] and wechat.refused == []
