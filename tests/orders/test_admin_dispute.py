"""Resolving a dispute on the job's admin page (orders.admin.JobAdmin.resolve_dispute_view)."""

import pytest
from django.contrib.admin.models import LogEntry
from django.test import Client

from orders import services
from orders.models import Assignment, Job, JobHistory
from tests import fixtures

pytestmark = pytest.mark.django_db


def _disputed_split_job():
    owner = fixtures.sme()
    job = fixtures.job(owner, quantity=1000, allow_split=True)
    a_pair, b_pair = fixtures.factory(), fixtures.factory()
    a = fixtures.delivered_share(job, owner, a_pair, 600)
    b = fixtures.delivered_share(job, owner, b_pair, 400)
    services.job_dispute(job_id=job.id, sme=owner[1], user=owner[0], reason="魔术扣缝歪了，约150件不合格")
    return job, a, b


def _operator():
    admin = fixtures.admin_user()
    admin.is_superuser = True
    admin.save()
    browser = Client()
    browser.force_login(admin)
    return admin, browser


def test_dispute_page_shows_the_reason_and_material_in_chinese():
    # given: a split job disputed by its SME
    job, a, b = _disputed_split_job()
    _admin, browser = _operator()
    # when: the operator opens the job and its resolve page in Chinese
    change = browser.get(f"/admin/orders/job/{job.id}/change/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    page = browser.get(f"/admin/orders/job/{job.id}/resolve-dispute/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    # then: the job page links to it, and it shows the SME's reason, the material and one field per factory
    assert 'id="resolve-dispute"' in change.content.decode()
    html = page.content.decode()
    assert page.status_code == 200
    assert "魔术扣缝歪了，约150件不合格" in html
    assert "处理争议" in html
    assert f'name="share_{a.id}"' in html and f'name="share_{b.id}"' in html
    assert "600" in html and "400" in html


def test_resolving_per_factory_moves_money_writes_the_note_to_the_trail_and_the_history():
    job, a, b = _disputed_split_job()
    admin, browser = _operator()
    # when: the operator agrees 450 of A's 600 and all of B's 400, with a note
    response = browser.post(
        f"/admin/orders/job/{job.id}/resolve-dispute/",
        {f"share_{a.id}": 450, f"share_{b.id}": 400, "note": "双方同意：150件返工不计"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    # then: each share completed with its own quantity through the service, the job completed
    assert response.status_code == 302
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.status, a.quantity_accepted, a.quantity_rejected) == ("completed", 450, 150)
    assert (b.status, b.quantity_accepted) == ("completed", 400)
    assert Job.objects.get(id=job.id).status == Job.Status.COMPLETED
    # the note is on the job's trail, and the admin's history says who and why
    resolved = JobHistory.objects.filter(job=job, action="dispute_resolved")
    assert set(resolved.values_list("reason", flat=True)) == {"双方同意：150件返工不计"}
    assert set(resolved.values_list("actor_id", flat=True)) == {admin.id}
    entry = LogEntry.objects.get(object_id=str(job.id), content_type__model="job")
    assert entry.user_id == admin.id
    assert "双方同意：150件返工不计" in entry.change_message and "450" in entry.change_message
    history = browser.get(f"/admin/orders/job/{job.id}/history/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "双方同意" in history.content.decode()


def test_resolving_without_a_note_or_above_delivered_changes_nothing():
    job, a, b = _disputed_split_job()
    _admin, browser = _operator()
    # when: no note, and more than A delivered
    for data in (
        {f"share_{a.id}": 450, f"share_{b.id}": 400, "note": ""},
        {f"share_{a.id}": 601, f"share_{b.id}": 400, "note": "x"},
    ):
        response = browser.post(f"/admin/orders/job/{job.id}/resolve-dispute/", data, HTTP_ACCEPT_LANGUAGE="zh-hans")
        # then: the form comes back with its error; nothing moved, nothing logged
        assert response.status_code == 200
        assert "errorlist" in response.content.decode()
    assert set(Assignment.objects.filter(job=job).values_list("status", flat=True)) == {"disputed"}
    assert not LogEntry.objects.filter(object_id=str(job.id)).exists()


def test_service_refuses_a_per_share_resolution_that_leaves_a_share_out():
    job, a, _b = _disputed_split_job()
    from core.errors import InvalidInputError

    with pytest.raises(InvalidInputError):
        services.dispute_resolve(job_id=job.id, admin=fixtures.admin_user(), shares={a.id: 600}, note="x")
    assert set(Assignment.objects.filter(job=job).values_list("status", flat=True)) == {"disputed"}
