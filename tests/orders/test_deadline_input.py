"""A deadline says its instant: a date alone or a time without an offset is refused with a
400 that says what to send (API.md "Times"), and changes nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import client_for
from orders.models import Job
from tests import fixtures

pytestmark = pytest.mark.django_db

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
ENGLISH = (
    "Send an ISO 8601 date-time with its offset, e.g. 2026-12-12T18:00:00+08:00; "
    "a date alone or a time without an offset is not accepted."
)


def _body(deadline: str) -> dict:
    return {
        "process": "velcro_sewing",
        "quantity": 500,
        "unit_price_fen": 15,
        "spec": dict(fixtures.VELCRO_SPEC),
        "deadline": deadline,
    }


def _in_days(days: int):
    return timezone.localtime(timezone.now() + timedelta(days=days))


@pytest.mark.parametrize("path", ["/api/v1/jobs", "/api/v1/jobs/quote"])
@pytest.mark.parametrize(
    "deadline",
    [
        _in_days(3).date().isoformat(),  # "2026-12-12": would be midnight, a day early
        _in_days(3).replace(tzinfo=None).isoformat(timespec="seconds"),  # no offset
        _in_days(3).strftime("%Y-%m-%d %H:%M"),  # no offset, a space for the T
        "2026-02-30T18:00:00+08:00",  # no such day
        "by Friday",
    ],
)
def test_a_deadline_without_its_offset_is_a_400_saying_what_to_send(path, deadline):
    # given: an SME
    user, _company = fixtures.sme()
    # when: it posts (or asks a quote for) a job whose deadline does not say its offset
    body = _body(deadline)
    if path.endswith("quote"):
        del body["unit_price_fen"]  # a quote asks the price
    response = client_for(user).post(path, body, format="json")
    # then: a 400 in the error shape naming the field and what to send; no job
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["fields"] == {"deadline": [ENGLISH]}
    assert Job.objects.count() == 0


def test_the_deadline_message_is_chinese_for_a_chinese_app():
    user, _company = fixtures.sme()
    response = client_for(user).post("/api/v1/jobs", _body(_in_days(3).date().isoformat()), format="json", **ZH)
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["deadline"] == [
        "请发送带时区偏移的 ISO 8601 日期时间，例如 2026-12-12T18:00:00+08:00；只有日期或没有时区偏移的时间不被接受。"
    ]


@pytest.mark.parametrize("offset", ["+08:00", "+00:00", "Z", "-05:00"])
def test_a_deadline_with_any_offset_is_the_instant_it_names_shown_in_plus_eight(offset):
    # given: an SME, and a deadline three days out written with some offset
    user, _company = fixtures.sme()
    instant = (timezone.now() + timedelta(days=3)).replace(microsecond=0)
    zone = timezone.get_fixed_timezone(0 if offset in ("Z", "+00:00") else (480 if offset == "+08:00" else -300))
    written = instant.astimezone(zone).replace(tzinfo=None).isoformat() + offset
    # when
    response = client_for(user).post("/api/v1/jobs", _body(written), format="json")
    # then: the job keeps that instant, and the API shows it at +08:00
    assert response.status_code == 201, response.content
    assert Job.objects.get(id=response.json()["id"]).deadline == instant
    assert response.json()["deadline"] == timezone.localtime(instant).isoformat()
    assert response.json()["deadline"].endswith("+08:00")
