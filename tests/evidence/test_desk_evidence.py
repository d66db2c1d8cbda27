"""The admin's desk shows a dispute's evidence: on the job's page and on its resolve-dispute
page, each share's inspections beside its quantities with the photos of both sides, as
thumbnails through short-lived signed URLs (orders reaches the photos through
``orders.seams.job_photos``, which evidence answers). On both storages."""

import html
import io
import re

import pytest
import requests
from PIL import Image

from tests import fixtures
from tests.evidence.photos import Phone, jpeg_with_gps

pytestmark = pytest.mark.django_db(transaction=True)

THUMB = r'<img src="([^"]+)" alt="([^"]+) (\d+)"'


def _photo(phone: Phone, job_id: int, kind: str, **extra) -> int:
    form = phone.presign(job_id, kind, **extra).json()
    assert Phone.upload(form, jpeg_with_gps((400, 300))).status_code in (200, 201, 204)
    response = phone.confirm(job_id, form["upload_key"])
    assert response.status_code == 201, response.text
    return response.json()["id"]


def _cell(page: str, css_class: str, end: str = "</td>") -> str:
    """The HTML of the first element of ``css_class`` up to ``end``."""
    start = re.search(rf'class="(?:[^"]* )?{css_class}[ "]', page).start()
    return page[start : page.index(end, start)]


def _thumbnails(fragment: str) -> dict[int, str]:
    return {int(photo_id): html.unescape(src) for src, _kind, photo_id in re.findall(THUMB, fragment)}


@pytest.fixture
def disputed(live_server, backend):
    """A lot delivered with a delivery photo, inspected with an inspection photo, rejected
    to a dispute, and a dispute photo of the whole job from the SME."""
    owner = fixtures.sme()
    job = fixtures.job(owner, quantity=500)
    factory = fixtures.factory()
    share = fixtures.delivered_share(job, owner, factory, 500)
    sme, works = Phone(live_server.url, owner[0]), Phone(live_server.url, factory[0])
    delivery = _photo(works, job.id, "delivery")
    inspection = _photo(sme, job.id, "inspection", assignment=share.id)
    body = {"sample_inspected": 80, "defects": {"position": 4}, "on_reject": "dispute", "note": "魔术扣缝歪了"}
    path = f"{live_server.url}/api/v1/assignments/{share.id}/inspection"
    recorded = sme.session.post(path, json={**body, "photo_ids": [inspection]})
    assert recorded.status_code == 201, recorded.text
    dispute = _photo(sme, job.id, "dispute")
    return {"job": job, "share": share, "delivery": delivery, "inspection": inspection, "dispute": dispute}


def test_desk_the_dispute_shows_inspections_and_both_sides_photos(disputed, client, live_server):
    job = disputed["job"]
    client.force_login(fixtures.UserFactory(username="desk-admin", is_staff=True, is_superuser=True))
    # when: the admin opens the job's page and its resolve-dispute page
    for url in (f"/admin/orders/job/{job.id}/change/", f"/admin/orders/job/{job.id}/resolve-dispute/"):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200, url
        page = response.content.decode()
        # then: the inspection with its verdict, note and the photo it names
        inspections = _cell(page, "share-inspections", "</table>")
        assert "major 4" in inspections and "Rejected: disputed" in inspections and "魔术扣缝歪了" in inspections
        assert list(_thumbnails(inspections)) == [disputed["inspection"]]
        # the factory's delivery photo and the SME's inspection photo of the share, the
        # SME's dispute photo of the whole job, each a thumbnail that reads
        assert list(_thumbnails(_cell(page, "share-factory-photos"))) == [disputed["delivery"]]
        assert list(_thumbnails(_cell(page, "share-sme-photos"))) == [disputed["inspection"]]
        whole_job = _thumbnails(_cell(page, "job-photos", "</span>"))
        assert list(whole_job) == [disputed["dispute"]]
        share = _cell(page, "share-evidence" if "change" in url else "dispute-share", "share-inspections")
        assert "delivered 500" in share if "change" in url else "<td>500</td>" in share
        for src in _thumbnails(page).values():
            image = requests.get(src if src.startswith("http") else live_server.url + src, timeout=30)
            assert image.status_code == 200
            assert max(Image.open(io.BytesIO(image.content)).size) <= 480


def test_desk_a_job_without_inspections_or_photos_says_so(client):
    owner = fixtures.sme()
    job = fixtures.job(owner, quantity=500)
    client.force_login(fixtures.UserFactory(username="desk-admin-2", is_staff=True, is_superuser=True))
    page = client.get(f"/admin/orders/job/{job.id}/change/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'class="job-evidence"' not in page and "Inspections and photos" in page
