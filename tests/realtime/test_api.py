"""The real-time HTTP endpoints: tickets, the stream over HTTP, devices; and the pushes that
go to a company's phones while it has no live socket."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.services import notification_send
from conftest import client_for
from core.models import StreamEvent
from core.outbox import event_emit, events_sequence
from orders import services
from realtime import services as realtime_services
from realtime.models import Connection, Device, PushMessage, Ticket
from tests import fixtures

pytestmark = pytest.mark.django_db(transaction=True)


def test_ticket_is_issued_once_per_request_and_redeemed_once():
    user, _ = fixtures.factory()
    response = client_for(user).post("/api/v1/realtime/ticket")
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"ticket", "expires_at"}
    assert realtime_services.ticket_redeem(ticket=body["ticket"]) == user
    assert realtime_services.ticket_redeem(ticket=body["ticket"]) is None
    assert Ticket.objects.get().digest != body["ticket"]  # only its hash is kept


def test_ticket_expired_is_refused():
    user, _ = fixtures.factory()
    ticket, _ = realtime_services.ticket_issue(user=user)
    Ticket.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert realtime_services.ticket_redeem(ticket=ticket) is None


def test_ticket_needs_a_token_and_a_company():
    assert client_for(None).post("/api/v1/realtime/ticket").json()["error"]["code"] == "not_authenticated"
    response = client_for(fixtures.admin_user()).post("/api/v1/realtime/ticket")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert not Ticket.objects.exists()


def test_events_over_http_page_through_the_stream_oldest_first():
    user, company = fixtures.factory()
    for n in range(5):
        notification_send(company_id=company.id, kind=f"k{n}", message="消息 message")
    client = client_for(user)
    # when
    first = client.get("/api/v1/events?after=0&page_size=2").json()
    second = client.get(first["next"]).json()
    rest = client.get(second["next"]).json()
    # then
    assert [e["seq"] for e in first["results"]] == [1, 2]
    assert [e["seq"] for e in second["results"]] == [3, 4]
    assert [e["data"]["kind"] for e in rest["results"]] == ["k4"]
    assert rest["next"] is None
    assert rest["last_seq"] == 5
    assert set(first["results"][0]) == {"seq", "type", "at", "data"}


def test_events_over_http_are_the_companys_own():
    user, company = fixtures.factory()
    other_user, other = fixtures.sme()
    notification_send(company_id=other.id, kind="theirs", message="别人的 theirs")
    assert client_for(user).get("/api/v1/events").json()["results"] == []
    assert [e["data"]["kind"] for e in client_for(other_user).get("/api/v1/events").json()["results"]] == ["theirs"]


@pytest.mark.parametrize("query", ["after=-1", "after=abc", "page_size=0", "page_size=501"])
def test_events_over_http_bad_query_is_400(query):
    user, _ = fixtures.factory()
    response = client_for(user).get(f"/api/v1/events?{query}")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"


def test_events_over_http_need_a_token():
    assert client_for(None).get("/api/v1/events").status_code == 401


def test_sme_hears_its_job_open_and_factories_hear_the_board():
    # given: two factories near, one far (out of its radius)
    near_user, near = fixtures.factory()
    _, also_near = fixtures.factory()
    _, far = fixtures.factory(lat=37.5, lng=121.5)
    # when: a grab job is paid and opens, then one factory takes it
    job = fixtures.job()
    services.board_accept(job_id=job.id, factory=near, user=near_user)
    # then
    added = set(StreamEvent.objects.filter(type="board.job_added").values_list("company_id", flat=True))
    assert added == {near.id, also_near.id}
    removed = set(StreamEvent.objects.filter(type="board.job_removed").values_list("company_id", flat=True))
    assert removed == {near.id, also_near.id}
    sme_events = list(StreamEvent.objects.filter(company_id=job.sme_id).order_by("seq").values_list("type", "data"))
    assert ("job.status_changed", {"job_id": job.id, "old": "awaiting_payment", "new": "open"}) in sme_events
    assert ("job.status_changed", {"job_id": job.id, "old": "open", "new": "assigned"}) in sme_events
    payment = [d for t, d in sme_events if t == "payment.status_changed"]
    assert payment == [{"payment_id": job.payment.id, "job_id": job.id, "old": "requires_payment", "new": "succeeded"}]
    assert not StreamEvent.objects.filter(company_id=far.id).exists()


def test_device_register_list_and_remove():
    user, company = fixtures.factory()
    client = client_for(user)
    created = client.post("/api/v1/devices", {"platform": "android", "token": "fcm-token-123"}, format="json")
    again = client.post("/api/v1/devices", {"platform": "android", "token": "fcm-token-123"}, format="json")
    assert (created.status_code, again.status_code) == (201, 200)
    assert [d["token"] for d in client.get("/api/v1/devices").json()["results"]] == ["fcm-token-123"]
    # another company can neither see nor remove it
    other_user, _ = fixtures.sme()
    assert client_for(other_user).get("/api/v1/devices").json()["results"] == []
    assert client_for(other_user).delete(f"/api/v1/devices/{created.json()['id']}").status_code == 404
    # a platform admin has no company and so no phones (403); no token is 401
    admin = client_for(fixtures.admin_user())
    assert admin.post("/api/v1/devices", {"platform": "ios", "token": "apns-admin-1"}, format="json").status_code == 403
    assert client_for(None).get("/api/v1/devices").status_code == 401
    assert client.delete(f"/api/v1/devices/{created.json()['id']}").status_code == 204
    assert not Device.objects.exists()


@pytest.mark.parametrize(
    "body", [{"platform": "nokia", "token": "abcdefgh"}, {"platform": "ios"}, {"platform": "ios", "token": "x"}]
)
def test_device_bad_input_is_400_and_changes_nothing(body):
    user, _ = fixtures.factory()
    response = client_for(user).post("/api/v1/devices", body, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert not Device.objects.exists()


def _offer_event_for(factory_pair):
    fixtures.job(mode="dispatch")
    services.dispatch_run_batch()
    return StreamEvent.objects.get(company_id=factory_pair[1].id, type="offer.created")


def test_push_goes_to_the_phones_of_a_company_without_a_live_socket(eager_celery):
    # given: a factory with a phone and no socket
    pair = fixtures.factory()
    realtime_services.device_register(user=pair[0], company=pair[1], platform="ios", token="apns-token-1")
    # when: a batch offers it a job (the push task runs at commit, eagerly here)
    event = _offer_event_for(pair)
    # then: the sandbox gateway recorded one push, in Chinese and English, with the event
    push = PushMessage.objects.get()
    assert (push.event_id, push.company_id, push.provider, push.status) == (event.id, pair[1].id, "sandbox", "sent")
    assert push.title == "新派单邀约 New job offer"
    assert "魔术贴缝制" in push.body and "¥" in push.body
    assert push.payload["seq"] == event.seq
    # and a rerun of the task sends nothing twice
    assert realtime_services.push_for_events(event_ids=[event.id]) == (0, 0)
    assert PushMessage.objects.count() == 1


def test_push_is_not_sent_while_the_company_has_a_live_socket():
    pair = fixtures.factory()
    realtime_services.device_register(user=pair[0], company=pair[1], platform="ios", token="apns-token-2")
    realtime_services.connection_open(company_id=pair[1].id, user=pair[0])
    event = _offer_event_for(pair)
    assert realtime_services.push_for_events(event_ids=[event.id]) == (0, 0)
    # a socket whose heartbeat stopped long ago does not count
    Connection.objects.update(seen_at=timezone.now() - timedelta(minutes=10))
    assert realtime_services.push_for_events(event_ids=[event.id]) == (1, 0)


def test_push_only_for_events_that_matter():
    pair = fixtures.factory()
    realtime_services.device_register(user=pair[0], company=pair[1], platform="android", token="fcm-token-9")
    events = [
        event_emit(company_id=pair[1].id, type="board.refreshed", data={"jobs": 0}),
        event_emit(company_id=pair[1].id, type="job.status_changed", data={"job_id": 1, "old": "open", "new": "open"}),
    ]
    events_sequence()
    assert realtime_services.push_for_events(event_ids=[e.id for e in events]) == (0, 0)
    assert not PushMessage.objects.exists()


def test_push_refused_by_the_gateway_is_recorded_and_tried_again(settings):
    # given: a phone, no socket, and a gateway that refuses
    pair = fixtures.factory()
    realtime_services.device_register(user=pair[0], company=pair[1], platform="ios", token="apns-token-3")
    settings.SANDBOX_FAIL = {"push"}
    event = _offer_event_for(pair)
    # when: the task runs (the failure is recorded, not reported as sent)
    assert realtime_services.push_for_events(event_ids=[event.id]) == (0, 1)
    failed = PushMessage.objects.get()
    assert (failed.status, failed.attempts, failed.provider_ref) == ("failed", 1, "")
    assert "SANDBOX_FAIL" in failed.error
    # then: once the gateway takes pushes again, the rerun sends it, once
    settings.SANDBOX_FAIL = set()
    assert realtime_services.push_for_events(event_ids=[event.id]) == (1, 0)
    assert realtime_services.push_for_events(event_ids=[event.id]) == (0, 0)
    sent = PushMessage.objects.get()
    assert (sent.status, sent.attempts) == ("sent", 2)
    assert sent.provider_ref.startswith("sandbox-")


def test_ticket_answer_is_never_cached():
    user, _ = fixtures.factory()
    response = client_for(user).post("/api/v1/realtime/ticket")
    assert response.status_code == 201
    assert "no-store" in response["Cache-Control"]
