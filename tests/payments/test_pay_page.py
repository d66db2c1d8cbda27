"""The sandbox pay page (API.md "Payments"): only the pay link's holder can pay or decline,
only a payment that still requires payment, and nothing is sent twice."""

import pytest
from rest_framework.test import APIClient

from conftest import client_for
from orders import services as order_services
from payments.models import Payment, SandboxOperation
from tests import fixtures

pytestmark = pytest.mark.django_db


def _unpaid():
    owner = fixtures.sme()
    return owner, fixtures.job(owner, quantity=1000, unit_price_fen=15, paid=False)


def test_pay_page_without_the_links_token_is_404_and_charges_nothing():
    _, job = _unpaid()
    payment = job.payment
    for path in (f"/sandbox/pay/{payment.id}", f"/sandbox/pay/{payment.id}/{'0' * 32}"):
        response = APIClient().post(path)
        assert response.status_code == 404, path
        assert response.json()["error"]["code"] == "not_found"
    assert not SandboxOperation.objects.exists()
    assert Payment.objects.get(id=payment.id).status == "requires_payment"


def test_pay_page_token_of_one_payment_does_not_open_another():
    _, first = _unpaid()
    _, second = _unpaid()
    token = fixtures.pay_path(first.payment).rsplit("/", 1)[1]
    assert APIClient().get(f"/sandbox/pay/{second.payment.id}/{token}").status_code == 404


def test_pay_page_get_shows_amount_job_and_both_buttons_in_chinese_and_english(django_capture_on_commit_callbacks):
    owner, job = _unpaid()
    pay_url = client_for(owner[0]).get(f"/api/v1/jobs/{job.id}").json()["payment"]["pay_url"]
    assert pay_url.startswith("http://testserver/sandbox/pay/")
    page = APIClient().get(pay_url.replace("http://testserver", ""))
    assert page.status_code == 200
    assert page["Content-Type"].startswith("text/html")
    html = page.content.decode()
    for text in ("¥150.00", f"#{job.id}", "确认支付 Pay", "拒绝 Decline", "Sandbox gateway"):
        assert text in html, text


def test_pay_page_browser_form_post_pays_and_shows_the_result(django_capture_on_commit_callbacks):
    _, job = _unpaid()
    with django_capture_on_commit_callbacks() as callbacks:
        page = APIClient().post(fixtures.pay_path(job.payment), HTTP_ACCEPT="text/html")
    assert page.status_code == 200
    assert "已支付" in page.content.decode()
    assert len(callbacks) == 1  # the signed webhook, queued once


def test_pay_page_second_press_is_409_and_sends_nothing(django_capture_on_commit_callbacks):
    _, job = _unpaid()
    with django_capture_on_commit_callbacks() as first:
        assert APIClient().post(fixtures.pay_path(job.payment)).status_code == 200
    with django_capture_on_commit_callbacks() as second:
        again = APIClient().post(fixtures.pay_path(job.payment))
    assert (again.status_code, again.json()["error"]["code"]) == (409, "payment_already_answered")
    assert (len(first), len(second)) == (1, 0)
    assert SandboxOperation.objects.filter(kind="charge").count() == 1


def test_pay_page_of_a_cancelled_job_is_409(django_capture_on_commit_callbacks):
    owner, job = _unpaid()
    order_services.job_cancel(job_id=job.id, sme=owner[1], user=owner[0], reason="changed my mind")
    response = APIClient().post(fixtures.pay_path(job.payment))
    assert (response.status_code, response.json()["error"]["code"]) == (409, "payment_not_payable")
    assert Payment.objects.get(id=job.payment.id).status == "failed"
    assert not SandboxOperation.objects.exists()


def test_pay_page_test_knobs_are_off_without_debug(settings):
    settings.DEBUG = False
    settings.SANDBOX_TEST_KNOBS = False
    _, job = _unpaid()
    response = APIClient().post(fixtures.pay_path(job.payment) + "?duplicate=1&delay=90")
    assert (response.status_code, response.json()["error"]["code"]) == (400, "sandbox_knobs_off")
    assert not SandboxOperation.objects.exists()


def test_pay_page_test_knobs_are_capped(settings, django_capture_on_commit_callbacks):
    settings.SANDBOX_TEST_KNOBS = True
    _, job = _unpaid()
    response = APIClient().post(fixtures.pay_path(job.payment) + "?duplicate=1&delay=3600")
    assert response.status_code == 200
    assert (response.json()["copies"], response.json()["delay_seconds"]) == (2, 600)


def test_pay_page_is_404_when_the_sandbox_is_not_the_provider(settings):
    _, job = _unpaid()
    path = fixtures.pay_path(job.payment)
    settings.PAYMENT_PROVIDER = "wechatpay"
    assert APIClient().get(path).status_code == 404


def test_admin_shows_the_sandbox_banner(admin_client):
    assert "Sandbox payments are on" in admin_client.get("/admin/").content.decode()
