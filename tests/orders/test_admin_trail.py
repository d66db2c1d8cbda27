"""A job's trail in the admin reads in the operator's language: actions and states by name."""

import re

import pytest
from django.test import Client

from orders import services
from tests import fixtures
from tests.fixtures import UserFactory

pytestmark = pytest.mark.django_db


def _trail(html: str) -> str:
    """The trail's table (the inline after the shares), tags stripped."""
    return re.sub(r"<[^>]+>", " ", html.split('id="history-group"', 1)[1].split("</fieldset>", 1)[0])


def test_admin_job_trail_names_actions_and_states_in_chinese():
    # given: a job posted, paid and taken
    user, factory = fixtures.factory()
    job = fixtures.job()
    services.board_accept(job_id=job.id, factory=factory, user=user)
    browser = Client()
    browser.force_login(UserFactory(username="trail-admin", is_staff=True, is_superuser=True))
    # when: an operator reads it in Chinese
    html = browser.get(f"/admin/orders/job/{job.id}/change/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    trail = _trail(html)
    # then: by name, not by code
    for chinese in ("已发布", "已支付", "已接单"):
        assert chinese in trail
    for code in ("posted", "awaiting_payment", "accepted"):
        assert re.search(rf"\b{code}\b", trail) is None, code
    # and in English for an English reader
    english = _trail(browser.get(f"/admin/orders/job/{job.id}/change/", HTTP_ACCEPT_LANGUAGE="en").content.decode())
    assert "taken" in english and "Awaiting payment" in english
