"""An inspection names photos (``photo_ids``): only the job's SME's own inspection photos of
that job, of the inspected share or the whole job, are taken; anything else is a 400 and
nothing is recorded. Orders asks through ``orders.seams.photos_owned``, which evidence
answers."""

import pytest

from conftest import client_for
from evidence.models import Photo
from orders.models import FactoryQuality, Inspection
from tests import fixtures

pytestmark = pytest.mark.django_db


def _photo(job, company, kind, assignment=None) -> Photo:
    """A photo row as ``photo_confirm`` leaves it (the files do not matter to the check)."""
    n = Photo.objects.count() + 1
    return Photo.objects.create(
        job=job,
        assignment=assignment,
        kind=kind,
        company=company,
        source_key=f"uploads/{job.id}/test-{n}-{kind}-{company.id}",
        source_format="JPEG",
        source_bytes=1000,
        image_name=f"photos/{job.id}/{n}.jpg",
        width=640,
        height=480,
        size_bytes=900,
        thumbnail_name=f"photos/{job.id}/{n}-thumb.jpg",
        thumbnail_width=480,
        thumbnail_height=360,
    )


@pytest.fixture
def lot():
    """A split job of 1000 with two delivered shares of 500; the SME, the factories."""
    owner = fixtures.sme()
    job = fixtures.job(owner, quantity=1000, allow_split=True)
    pairs = [fixtures.factory(capabilities=[("velcro_sewing", 12, 100000, 100, 0)]) for _ in range(2)]
    shares = [fixtures.delivered_share(job, owner, pair, 500) for pair in pairs]
    return {"owner": owner, "job": job, "pairs": pairs, "shares": shares}


def _inspect(owner, assignment, photo_ids, **headers):
    body = {"sample_inspected": 80, "defects": {"position": 1}, "photo_ids": photo_ids}
    path = f"/api/v1/assignments/{assignment.id}/inspection"
    return client_for(owner[0]).post(path, body, format="json", **headers)


def test_an_inspection_keeps_the_smes_own_inspection_photos_of_the_share_and_the_job(lot):
    owner, job, share = lot["owner"], lot["job"], lot["shares"][0]
    # given: an inspection photo of the share and one of the whole job, both the SME's
    of_share = _photo(job, owner[1], "inspection", share)
    of_job = _photo(job, owner[1], "inspection")
    # when: the inspection names them (one twice)
    response = _inspect(owner, share, [of_share.id, of_job.id, of_share.id])
    # then
    assert response.status_code == 201, response.content
    assert response.json()["photo_ids"] == [of_share.id, of_job.id]
    assert Inspection.objects.get(assignment=share).photo_ids == [of_share.id, of_job.id]


@pytest.mark.parametrize(
    "which",
    ["factory_delivery", "sme_dispute", "other_job", "other_share", "missing"],
)
def test_an_inspection_naming_a_photo_it_may_not_is_a_400_and_records_nothing(lot, which):
    owner, job, share = lot["owner"], lot["job"], lot["shares"][0]
    factory_user, factory = lot["pairs"][0]
    own = _photo(job, owner[1], "inspection", share)
    # given: a photo the inspection may not name
    if which == "factory_delivery":  # the factory's, not the SME's
        bad = _photo(job, factory, "delivery", share).id
    elif which == "sme_dispute":  # the SME's, but not of kind inspection
        bad = _photo(job, owner[1], "dispute").id
    elif which == "other_job":  # the SME's inspection photo of another of its jobs
        other = fixtures.job(owner, quantity=100)
        bad = _photo(other, owner[1], "inspection").id
    elif which == "other_share":  # of the other factory's share of the same job
        bad = _photo(job, owner[1], "inspection", lot["shares"][1]).id
    else:
        bad = Photo.objects.order_by("-id").first().id + 1000
    # when
    response = _inspect(owner, share, [own.id, bad], HTTP_ACCEPT_LANGUAGE="en")
    # then: the error's shape names the field and the photo; nothing moved
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid_photos"
    assert error["fields"]["photo_ids"] == [f"Not an inspection photo of this job: {bad}."]
    assert not Inspection.objects.exists()
    assert not FactoryQuality.objects.filter(lots__gt=0).exists()
    share.refresh_from_db()
    assert share.status == "delivered"
