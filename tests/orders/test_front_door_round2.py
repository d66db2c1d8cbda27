"""What one party of a job may read of the other (issue 28): the pay link is the SME's alone,
the other company's people appear by role and company name (never a login name), and a
board accept answers a job the factory cannot see exactly as an unknown one."""

import pytest

from conftest import client_for
from orders import services
from payments.models import Payment
from tests import fixtures

pytestmark = pytest.mark.django_db


def _taken_job():
    """A paid grab job, taken by one factory: (sme user, factory user, job)."""
    sme_pair = fixtures.sme()
    factory_user, factory_company = fixtures.factory()
    job = fixtures.job(sme_pair)
    services.board_accept(job_id=job.id, factory=factory_company, user=factory_user)
    return sme_pair[0], factory_user, job


@pytest.mark.parametrize("status", ["succeeded", "partially_refunded", "refunded"])
def test_job_pay_link_is_never_shown_to_the_factory_holding_a_share(status):
    # given: a taken job whose payment is in each status a factory can meet
    sme_user, factory_user, job = _taken_job()
    Payment.objects.filter(job_id=job.id).update(status=status)
    # when: the factory reads the job
    payment = client_for(factory_user).get(f"/api/v1/jobs/{job.id}").json()["payment"]
    # then: no pay link
    assert payment["status"] == status
    assert payment["pay_url"] == ""


# A declined payment's link would only answer 409 at the gateway's page: not shown either.
@pytest.mark.parametrize(("status", "shown"), [("requires_payment", True), ("failed", False), ("refunded", False)])
def test_job_pay_link_is_the_smes_while_the_payment_can_be_paid(status, shown):
    sme_pair = fixtures.sme()
    sme_user = sme_pair[0]
    job = fixtures.job(sme_pair, paid=False)
    Payment.objects.filter(job_id=job.id).update(status=status)
    pay_url = client_for(sme_user).get(f"/api/v1/jobs/{job.id}").json()["payment"]["pay_url"]
    assert pay_url.startswith("http://testserver/sandbox/pay/") is shown
    assert (pay_url == "") is not shown


def test_job_events_show_the_other_companys_people_by_role_and_company_name():
    # given: a job the SME posted and paid, and a factory took
    sme_user, factory_user, job = _taken_job()
    sme_company, factory_company = sme_user.membership.company, factory_user.membership.company
    # when: each party reads the trail
    seen_by_sme = {e["actor"] for e in client_for(sme_user).get(f"/api/v1/jobs/{job.id}/events").json()["results"]}
    seen_by_factory = {
        e["actor"] for e in client_for(factory_user).get(f"/api/v1/jobs/{job.id}/events").json()["results"]
    }
    # then: its own people by username, the other's by role and company, no other login name
    assert f"Factory · {factory_company.name}" in seen_by_sme
    assert sme_user.username in seen_by_sme
    assert factory_user.username not in seen_by_sme
    assert factory_user.username in seen_by_factory
    assert sme_user.username not in seen_by_factory
    assert seen_by_factory - {factory_user.username, "system"} <= {f"SME · {sme_company.name}"}


@pytest.mark.parametrize("state", ["taken", "cancelled"])
def test_board_accept_of_a_job_the_factory_could_never_see_answers_as_an_unknown_id(state):
    # given: a grab job taken (or cancelled), and a factory whose rules never admitted it
    if state == "taken":
        _, _, job = _taken_job()
    else:
        sme_pair = fixtures.sme()
        job = fixtures.job(sme_pair)
        services.job_cancel(job_id=job.id, sme=sme_pair[1], user=sme_pair[0], reason="")
    stranger, _ = fixtures.factory(capabilities=[("embroidery", 50, 4000, 100, 0)])
    client = client_for(stranger)
    # when: it tries to accept the job, and an id that does not exist
    seen = client.post(f"/api/v1/board/{job.id}/accept", {}, format="json")
    unknown = client.post(f"/api/v1/board/{job.id + 10_000}/accept", {}, format="json")
    # then: the same answer, status and body
    assert (seen.status_code, seen.json()) == (unknown.status_code, unknown.json())
    assert seen.status_code == 404


def test_board_accept_loser_that_could_see_the_job_still_gets_409_already_taken():
    _, _, job = _taken_job()
    loser, _ = fixtures.factory()
    response = client_for(loser).post(f"/api/v1/board/{job.id}/accept", {}, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "already_taken"
