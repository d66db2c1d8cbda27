import pytest
from django.test import Client

from factories.models import FactoryProfile
from orders import services as order_services
from orders.models import Offer
from tests import fixtures
from tests.fixtures import UserFactory

pytestmark = pytest.mark.django_db


def test_admin_verify_action_verifies_through_the_service():
    # given: an unverified factory and a logged-in platform admin
    _, company = fixtures.factory(verified=False)
    admin = UserFactory(username="boss", is_staff=True, is_superuser=True)
    browser = Client()
    browser.force_login(admin)
    # when
    response = browser.post(
        "/admin/factories/factoryprofile/",
        {"action": "verify", "_selected_action": [company.id]},
        follow=True,
    )
    # then
    assert response.status_code == 200
    profile = FactoryProfile.objects.get(company=company)
    assert (profile.verification, profile.verified_by_id) == ("verified", admin.id)


def test_admin_pages_render_for_staff():
    fixtures.job()
    admin = UserFactory(username="boss2", is_staff=True, is_superuser=True)
    browser = Client()
    browser.force_login(admin)
    for path in (
        "/admin/",
        "/admin/orders/job/",
        "/admin/orders/assignment/",
        "/admin/factories/factoryprofile/",
        "/admin/accounts/company/",
    ):
        assert browser.get(path).status_code == 200, path


def _change_form_post(browser, company, **fields):
    """POST the factory's admin change form (the capability inline is read-only but sends
    its management form)."""
    page = browser.get(f"/admin/factories/factoryprofile/{company.id}/change/")
    assert page.status_code == 200
    inline = page.context["inline_admin_formsets"][0].formset
    data = {f"{inline.prefix}-{k}": v for k, v in inline.management_form.initial.items()}
    data.update(fields)
    return browser.post(f"/admin/factories/factoryprofile/{company.id}/change/", data)


def test_admin_factory_change_form_saves_through_the_service_and_cannot_flip_online():
    # given: an online factory and a platform admin
    _, company = fixtures.factory(radius_km=30)
    admin = UserFactory(username="boss3", is_staff=True, is_superuser=True)
    browser = Client()
    browser.force_login(admin)
    # when: the admin widens the radius and tries to send online=off in the same form
    response = _change_form_post(browser, company, lat=company.lat, lng=company.lng, service_radius_km=45, online="")
    # then: the radius changed, the online flag did not (it is not a form field)
    assert response.status_code == 302
    profile = FactoryProfile.objects.get(company=company)
    assert (profile.service_radius_km, profile.online) == (45, True)


def test_admin_take_offline_action_withdraws_the_factorys_pending_offers(django_capture_on_commit_callbacks):
    # given: a factory holding a pending dispatch offer
    factory_user, company = fixtures.factory()
    job = fixtures.job(mode="dispatch")
    order_services.dispatch_run_batch()
    offer = Offer.objects.get(job=job, factory=company)
    admin = UserFactory(username="boss4", is_staff=True, is_superuser=True)
    browser = Client()
    browser.force_login(admin)
    # when: the action asks for a reason first
    ask = browser.post("/admin/factories/factoryprofile/", {"action": "take_offline", "_selected_action": [company.id]})
    assert ask.status_code == 200 and FactoryProfile.objects.get(company=company).online is True
    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post(
            "/admin/factories/factoryprofile/",
            {"action": "take_offline", "apply": "1", "reason": "设备检修", "_selected_action": [company.id]},
        )
    # then
    assert response.status_code == 302
    profile = FactoryProfile.objects.get(company=company)
    assert (profile.online, profile.offline_reason) == (False, "设备检修")
    offer.refresh_from_db()
    assert (offer.status, offer.decline_reason) == ("withdrawn", "the factory went offline")


def test_admin_factory_clearing_the_location_of_an_online_factory_is_a_form_error():
    _, company = fixtures.factory()
    admin = UserFactory(username="boss5", is_staff=True, is_superuser=True)
    browser = Client()
    browser.force_login(admin)
    response = _change_form_post(browser, company, lat="", lng="", service_radius_km=30)
    assert response.status_code == 200  # the form again, with the error
    assert "An online factory needs a location" in response.content.decode()
    profile = FactoryProfile.objects.get(company=company)
    assert profile.lat is not None and profile.online is True


def test_admin_takes_a_factory_offline_and_back_from_its_page_with_a_reason_in_the_history():
    from django.contrib.admin.models import LogEntry

    # given: an online factory and an operator reading Chinese
    _, company = fixtures.factory()
    admin = UserFactory(username="boss5", is_staff=True, is_superuser=True)
    browser = Client()
    browser.force_login(admin)
    url = f"/admin/factories/factoryprofile/{company.id}/availability/"
    page = browser.get(f"/admin/factories/factoryprofile/{company.id}/change/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert 'id="factory-availability"' in page.content.decode() and "下线" in page.content.decode()
    # when: no reason
    empty = browser.post(url, {"reason": " "}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    # then: asked again, nothing changed
    assert empty.status_code == 200 and FactoryProfile.objects.get(company=company).online is True
    # when: offline with a reason, then back online with another
    browser.post(url, {"reason": "停电"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    offline = FactoryProfile.objects.get(company=company)
    browser.post(url, {"reason": "恢复供电"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    back = FactoryProfile.objects.get(company=company)
    # then
    assert (offline.online, offline.offline_reason) == (False, "停电")
    assert (back.online, back.offline_reason) == (True, "")
    messages = list(
        LogEntry.objects.filter(object_id=str(company.id), user=admin)
        .order_by("id")
        .values_list("change_message", flat=True)
    )
    assert len(messages) == 2 and "停电" in messages[0] and "恢复供电" in messages[1]


def test_the_platforms_own_offline_reason_reads_in_chinese():
    # given: a factory the platform switched offline
    _, company = fixtures.factory()
    FactoryProfile.objects.filter(company=company).update(
        online=False, offline_reason="3 dispatch offers expired in a row"
    )
    admin = UserFactory(username="boss6", is_staff=True, is_superuser=True)
    browser = Client()
    browser.force_login(admin)
    # when
    listing = browser.get("/admin/factories/factoryprofile/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    page = browser.get(
        f"/admin/factories/factoryprofile/{company.id}/change/", HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    # then
    for html in (listing, page):
        assert "连续 3 个派单邀约过期" in html
        assert "dispatch offers expired" not in html
