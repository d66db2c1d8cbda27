"""The QR code the SME scans with WeChat to pay (``POST /payments/{id}/wechatpay/qr``), against
the stand-in of WeChat Pay's API (``wechatpay_standin``) as in ``test_wechatpay``.

No QR decoder is installed here, so the picture is read back the other way: the SVG's dark
modules, walked from its path, must be exactly the module matrix of a QR code of the order's
``code_url`` (segno's encoding, its quiet zone included), and nothing else."""

import base64
import re
import xml.etree.ElementTree as ET

import pytest
import segno

from conftest import client_for
from orders.models import Job
from payments import selectors
from payments.models import Payment, WechatPayOrder
from tests import fixtures
from tests.payments.test_wechatpay import _deliver, _start, keys  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def wechat(settings, tmp_path, keys):  # noqa: F811
    standin = _start(settings, tmp_path, keys)
    yield standin
    standin.stop()
    assert standin.refused == [], "every request the SDK sent verified"


def _path(payment_id):
    return f"/api/v1/payments/{payment_id}/wechatpay/qr"


def _dark_modules(data_url: str) -> tuple[int, set[tuple[int, int]]]:
    """The SVG's side and the (row, column) of each dark module its path draws: ``M``/``m``
    move, ``h n`` draws n modules along the row the stroke's centre line is on."""
    prefix = "data:image/svg+xml;base64,"
    assert data_url.startswith(prefix)
    root = ET.fromstring(base64.b64decode(data_url[len(prefix) :], validate=True))  # noqa: S314 (our own SVG)
    assert root.tag == f"{SVG}svg"
    x0, y0, width, height = (int(v) for v in root.get("viewBox").split())
    assert (x0, y0) == (0, 0) and width == height
    paths = root.findall(f"{SVG}path")
    background = [p for p in paths if p.get("fill") == "#fff"]
    assert len(background) == 1, "a white background behind the code (it is scanned on any screen)"
    [line] = [p for p in paths if p.get("class") == "qrline"]
    dark, x, y = set(), 0.0, 0.0
    for command, numbers in re.findall(r"([MmHh])([-\d. ]+)", line.get("d")):
        values = [float(n) for n in numbers.split()]
        if command == "M":
            x, y = values
        elif command == "m":
            x, y = x + values[0], y + values[1]
        else:
            run = values[0] if command == "h" else values[0] - x
            dark |= {(int(y - 0.5), int(x) + i) for i in range(int(run))}
            x += run
    return width, dark


def _expected_modules(text: str) -> tuple[int, set[tuple[int, int]]]:
    rows = list(segno.make(text, error="m", micro=False).matrix_iter(border=4))
    return len(rows), {(r, c) for r, row in enumerate(rows) for c, cell in enumerate(row) if cell}


def test_wechatpay_qr_is_the_native_orders_code_url_drawn_for_the_sme(wechat):
    # given: an SME's job awaiting payment through WeChat Pay
    job = fixtures.job(paid=False)
    sme = client_for(job.created_by)
    # when: its app asks for the QR code
    response = sme.post(_path(job.payment.id))
    # then: the Native order's code_url, which is the job's pay_url, and the job's amount
    assert response.status_code == 200
    body = response.json()
    order = WechatPayOrder.objects.get(payment=job.payment, closed=False, channel="native")
    assert body["code_url"] == order.code_url == wechat.orders[order.out_trade_no]["code_url"]
    assert body["code_url"].startswith("weixin://wxpay/bizpayurl?pr=")
    assert body["code_url"] == selectors.payment_summary(Payment.objects.get(id=job.payment.id))["pay_url"]
    assert (body["payment_id"], body["amount_fen"]) == (job.payment.id, 15_000)
    assert body["expires_at"] is not None
    # and the picture is exactly a QR code of that code_url, quiet zone included
    side, dark = _dark_modules(body["qr_svg_data_url"])
    assert len(dark) > 200
    assert (side, dark) == _expected_modules(body["code_url"])
    assert (side, dark) != _expected_modules(body["code_url"] + "x")
    # when: it is asked again: the same code, and no second order at WeChat Pay
    assert sme.post(_path(job.payment.id)).json()["code_url"] == body["code_url"]
    assert [p for m, p in wechat.requests if m == "POST"] == ["/v3/pay/transactions/native"]


def test_wechatpay_qr_is_the_jobs_sme_only(wechat):
    job = fixtures.job(paid=False)
    path = _path(job.payment.id)
    factory_user, _ = fixtures.factory()
    orders = list(WechatPayOrder.objects.filter(payment=job.payment).values_list("id", flat=True))
    # another SME, a factory and an admin are told there is no such payment, in the contract's shape
    for stranger in (fixtures.sme_user(), factory_user, fixtures.admin_user()):
        response = client_for(stranger).post(path)
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
        assert set(response.json()["error"]) == {"code", "message", "fields"}
    assert client_for(job.created_by).post(_path(job.payment.id + 1000)).status_code == 404
    assert client_for(None).post(path).status_code == 401
    # and none of them made WeChat Pay open an order
    assert list(WechatPayOrder.objects.filter(payment=job.payment).values_list("id", flat=True)) == orders


def test_wechatpay_qr_of_a_paid_payment_is_409_in_chinese_and_english(wechat, api, django_capture_on_commit_callbacks):
    # given: the SME scanned the code and WeChat Pay notified
    job = fixtures.job(paid=False)
    sme = client_for(job.created_by)
    code_url = sme.post(_path(job.payment.id)).json()["code_url"]
    order = WechatPayOrder.objects.get(payment=job.payment, code_url=code_url)
    _deliver(
        api,
        [wechat.notification("TRANSACTION.SUCCESS", wechat.pay(order.out_trade_no))],
        django_capture_on_commit_callbacks,
    )
    assert Job.objects.get(id=job.id).status == "open"
    # when: the QR code is asked for again: 409, said in the reader's language
    english = sme.post(_path(job.payment.id), HTTP_ACCEPT_LANGUAGE="en")
    chinese = sme.post(_path(job.payment.id), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert (english.status_code, english.json()["error"]["code"]) == (409, "payment_not_payable")
    assert "no QR code" in english.json()["error"]["message"]
    assert chinese.status_code == 409
    assert "付款码" in chinese.json()["error"]["message"]


def test_wechatpay_qr_closed_while_paid_in_the_app_is_409(wechat):
    job = fixtures.job(paid=False)
    sme = client_for(job.created_by)
    assert (
        sme.post(f"/api/v1/payments/{job.payment.id}/wechatpay/prepay", {"channel": "app"}, format="json").status_code
        == 200
    )
    response = sme.post(_path(job.payment.id), HTTP_ACCEPT_LANGUAGE="en")
    assert (response.status_code, response.json()["error"]["code"]) == (409, "wechatpay_qr_closed")
    assert "QR code was closed" in response.json()["error"]["message"]


def test_sandbox_payment_has_no_wechatpay_qr_409(settings):
    # the sandbox's pay_url is its own pay page, not a QR code
    settings.PAYMENT_PROVIDER = "sandbox"
    job = fixtures.job(paid=False)
    response = client_for(job.created_by).post(_path(job.payment.id), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert (response.status_code, response.json()["error"]["code"]) == (409, "not_wechatpay_native")
    assert "微信支付二维码" in response.json()["error"]["message"]
    assert "/sandbox/pay/" in selectors.payment_summary(job.payment)["pay_url"]
