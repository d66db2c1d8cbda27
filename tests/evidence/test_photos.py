"""Photo evidence through HTTP, on both storages behind the ``photos`` name: the filesystem
(a temporary folder; the service's own signed upload and read URLs) and S3-compatible object
storage (moto's S3 server as a process of its own; presigned POST and GET). A phone asks for
an upload, posts the file as the API says, confirms it, and the job's parties list it and
read it; bad uploads are refused with a 4xx and leave nothing stored."""

import base64
import html
import io
import json
import os
import re
import time
from datetime import UTC, datetime, timedelta

import pytest
import requests
from django.conf import settings
from django.utils import timezone
from PIL import Image

from evidence.models import Photo
from evidence.services import photo_uploads_purge
from evidence.tasks import photo_uploads_purge_task
from orders import services as order_services
from tests import fixtures
from tests.evidence.photos import FS, GPS, Phone, heic_with_gps, jpeg_with_gps, png_bomb, renamed_executable

pytestmark = pytest.mark.django_db(transaction=True)

PREVIEW = r'rel="noopener"><img src="([^"]+)"'  # the admin's thumbnail, linked to the photo


@pytest.fixture
def world(live_server, backend):
    """A job whose share a factory holds and has received material for; the SME, the
    factory, another factory and an admin, each with a phone on the live server."""
    owner = fixtures.sme()
    job = fixtures.job(owner, quantity=1000)
    factory = fixtures.factory()
    share = order_services.board_accept(job_id=job.id, factory=factory[1], user=factory[0])
    stranger = fixtures.factory()
    return {
        "job": job,
        "share": share,
        "stored": backend,
        "sme": Phone(live_server.url, owner[0]),
        "factory": Phone(live_server.url, factory[0]),
        "stranger": Phone(live_server.url, stranger[0]),
        "admin": Phone(live_server.url, fixtures.admin_user()),
        "pairs": {"sme": owner, "factory": factory},
    }


def _form(phone: Phone, job_id: int, kind: str) -> dict:
    response = phone.presign(job_id, kind)
    assert response.status_code == 201, response.text
    return response.json()


def _uploaded(phone: Phone, job_id: int, kind: str, data: bytes, **file) -> dict:
    form = _form(phone, job_id, kind)
    response = Phone.upload(form, data, **file)
    assert response.status_code in (200, 201, 204), response.text
    return form


def _policy(form: dict) -> dict:
    """A presigned POST's policy, as the bucket reads it."""
    return json.loads(base64.b64decode(form["fields"]["policy"]))


def _error(response, status: int, code: str):
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code, response.text


def test_photos_delivery_photo_is_uploaded_confirmed_listed_and_read_without_its_gps(world):
    job, stored = world["job"], world["stored"]
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # given: the phone wrote GPS
    # when: the factory uploads a delivery photo as the API says, and confirms it
    form = _uploaded(world["factory"], job.id, "delivery", original)
    assert len(stored()) == 1  # the raw upload, one key
    response = world["factory"].confirm(job.id, form["upload_key"])
    # then: a photo of its share, the raw upload gone, the clean copy and thumbnail kept
    assert response.status_code == 201, response.text
    photo = response.json()
    assert (photo["kind"], photo["assignment"], photo["width"], photo["height"]) == (
        "delivery",
        world["share"].id,
        640,
        480,
    )
    assert max(photo["thumbnail_width"], photo["thumbnail_height"]) <= 480
    assert len(stored()) == 2 and not any(name.startswith("uploads/") for name in stored())
    # and the SME lists it and reads it through the short-lived URL, without its EXIF
    listed = world["sme"].photos(job.id)
    assert listed.status_code == 200, listed.text
    (row,) = listed.json()["results"]
    assert row["id"] == photo["id"]
    body = requests.get(row["url"], timeout=30)
    assert body.status_code == 200
    image = Image.open(io.BytesIO(body.content))
    assert (image.format, image.size) == ("JPEG", (640, 480))
    assert not image.getexif() and b"Exif" not in body.content
    assert not set(GPS) & set(image.getexif().get_ifd(0x8825))
    thumb = Image.open(io.BytesIO(requests.get(row["thumbnail_url"], timeout=30).content))
    assert thumb.size == (photo["thumbnail_width"], photo["thumbnail_height"])
    # and confirming the same key again answers the same photo
    again = world["factory"].confirm(job.id, form["upload_key"])
    assert again.status_code == 200 and again.json()["id"] == photo["id"]
    assert Photo.objects.count() == 1
    # and the SME's event stream told of it once
    events = world["sme"].session.get(f"{world['sme'].base}/api/v1/events").json()["results"]
    added = [e["data"] for e in events if e["type"] == "photo.added"]
    share = world["share"].id
    assert added == [{"photo_id": photo["id"], "job_id": job.id, "assignment_id": share, "kind": "delivery"}]


def test_photos_an_iphones_heic_is_kept_as_a_jpeg_without_its_gps(world):
    job = world["job"]
    original = heic_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # given: GPS in the HEIC
    # when
    form = _uploaded(world["sme"], job.id, "dispute", original, filename="IMG_0007.HEIC", content_type="image/heic")
    response = world["sme"].confirm(job.id, form["upload_key"])
    # then: a JPEG of the same size, its metadata gone
    assert response.status_code == 201, response.text
    assert (response.json()["kind"], response.json()["assignment"]) == ("dispute", None)
    body = requests.get(response.json()["url"], timeout=30).content
    image = Image.open(io.BytesIO(body))
    assert (image.format, image.size) == ("JPEG", (320, 240))
    assert not image.getexif() and b"Exif" not in body
    assert Photo.objects.get().source_format == "HEIF"


def test_photos_each_party_attaches_its_own_kinds_only(world):
    job = world["job"]
    # when/then: the SME may attach inspection and dispute photos, not the factory's kinds
    sme_form = world["sme"].presign(job.id, "inspection", assignment=world["share"].id)
    assert sme_form.status_code == 201, sme_form.text
    _error(world["sme"].presign(job.id, "delivery"), 403, "forbidden")
    # the factory its material and delivery photos, not the SME's
    assert world["factory"].presign(job.id, "material_received").status_code == 201
    _error(world["factory"].presign(job.id, "dispute"), 403, "forbidden")
    # a factory without a share, an unknown kind, another job's share
    _error(world["stranger"].presign(job.id, "delivery"), 404, "not_found")
    _error(world["sme"].presign(job.id, "selfie"), 400, "invalid")
    _error(world["sme"].presign(job.id, "inspection", assignment=world["share"].id + 1000), 404, "not_found")
    # and an inspection photo confirmed by the SME belongs to the share it named
    Phone.upload(sme_form.json(), jpeg_with_gps((300, 200)))
    confirmed = world["sme"].confirm(job.id, sme_form.json()["upload_key"])
    assert confirmed.status_code == 201, confirmed.text
    assert (confirmed.json()["kind"], confirmed.json()["assignment"]) == ("inspection", world["share"].id)


@pytest.mark.parametrize(
    ("data", "filename", "code"),
    [
        (b"these are not the pixels you are looking for\n" * 20, "IMG_0002.jpg", "not_an_image"),
        (renamed_executable(), "IMG_0003.jpg", "not_an_image"),
        (png_bomb(), "IMG_0004.png", "image_too_large"),
    ],
    ids=["text", "renamed-executable", "decompression-bomb"],
)
def test_photos_a_bad_upload_is_refused_and_nothing_is_stored(world, data, filename, code):
    job = world["job"]
    # given: the bytes arrived under the upload's key
    form = _uploaded(world["factory"], job.id, "delivery", data, filename=filename)
    # when
    response = world["factory"].confirm(job.id, form["upload_key"])
    # then
    _error(response, 400, code)
    assert world["stored"]() == []
    assert not Photo.objects.exists()


def test_photos_an_upload_over_the_size_is_refused_and_nothing_is_stored(world, settings):
    settings.PHOTO_MAX_BYTES = 200_000  # what 10 MB is in production, kept small for the test
    job = world["job"]
    big = io.BytesIO()
    Image.frombytes("RGB", (400, 400), os.urandom(400 * 400 * 3)).save(big, format="PNG")
    assert len(big.getvalue()) > settings.PHOTO_MAX_BYTES
    form = _form(world["factory"], job.id, "delivery")
    assert form["max_bytes"] == 200_000
    # when: the phone posts it anyway
    upload = Phone.upload(form, big.getvalue(), filename="IMG_0005.png", content_type="image/png")
    # then: the service's own upload URL refuses it (as a real bucket's content-length-range
    # does); moto's bucket takes it, and the confirmation refuses it: either way nothing is kept
    if form["fields"]:
        assert upload.status_code == 204, upload.text
        _error(world["factory"].confirm(job.id, form["upload_key"]), 400, "photo_too_large")
        assert ["content-length-range", 1, 200_000] in _policy(form)["conditions"]
    else:
        _error(upload, 400, "photo_too_large")
        _error(world["factory"].confirm(job.id, form["upload_key"]), 400, "not_uploaded")
    assert world["stored"]() == []
    assert not Photo.objects.exists()


def test_photos_another_companys_upload_key_is_a_404(world):
    job = world["job"]
    form = _uploaded(world["factory"], job.id, "delivery", jpeg_with_gps())
    # when: the SME of the job, and a stranger, confirm the factory's key
    _error(world["sme"].confirm(job.id, form["upload_key"]), 404, "not_found")
    _error(world["stranger"].confirm(job.id, form["upload_key"]), 404, "not_found")
    # a key forged or altered is no key either
    _error(world["factory"].confirm(job.id, form["upload_key"][:-2] + "xx"), 404, "not_found")
    # then: no photo; the factory's own confirmation still works
    assert not Photo.objects.exists()
    assert world["factory"].confirm(job.id, form["upload_key"]).status_code == 201


def test_photos_an_expired_upload_is_refused_and_nothing_is_stored(world, settings):
    settings.PHOTO_UPLOAD_EXPIRES_SECONDS = 1
    job = world["job"]
    form = _form(world["factory"], job.id, "delivery")
    time.sleep(2.2)
    # when: the phone uploads late, and confirms later still
    upload = Phone.upload(form, jpeg_with_gps())
    if form["fields"]:  # a bucket's presigned POST: its policy expires (moto does not enforce it)
        assert upload.status_code in (204, 403), upload.text
        assert datetime.fromisoformat(_policy(form)["expiration"].replace("Z", "+00:00")) < datetime.now(UTC)
    else:
        _error(upload, 400, "upload_expired")
    _error(world["factory"].confirm(job.id, form["upload_key"]), 400, "upload_expired")
    # then
    assert world["stored"]() == []
    assert not Photo.objects.exists()


def test_photos_only_the_jobs_parties_and_admins_see_its_photos(world):
    job = world["job"]
    form = _uploaded(world["factory"], job.id, "delivery", jpeg_with_gps())
    photo_id = world["factory"].confirm(job.id, form["upload_key"]).json()["id"]
    # then: the SME, the factory and an admin see it
    for who in ("sme", "factory", "admin"):
        listed = world[who].photos(job.id)
        assert listed.status_code == 200, (who, listed.text)
        assert [p["id"] for p in listed.json()["results"]] == [photo_id]
    # another company gets a 404, as for the job itself; no token is a 401
    _error(world["stranger"].photos(job.id), 404, "not_found")
    _error(Phone(world["sme"].base, None).photos(job.id), 401, "not_authenticated")


def test_photos_a_factory_sees_no_photo_of_another_factorys_share(live_server, backend):
    # given: a job split between two factories, each with a delivery photo of its share
    owner = fixtures.sme()
    job = fixtures.job(owner, quantity=2000, allow_split=True)
    pairs = [fixtures.factory(capabilities=[("velcro_sewing", 12, 100000, 100, 0)]) for _ in range(2)]
    phones = [Phone(live_server.url, user) for user, _ in pairs]
    ids = []
    for (user, company), phone in zip(pairs, phones, strict=True):
        order_services.board_accept(job_id=job.id, factory=company, user=user, quantity=1000)
        form = _uploaded(phone, job.id, "delivery", jpeg_with_gps((320, 240)))
        ids.append(phone.confirm(job.id, form["upload_key"]).json()["id"])
    # then: each factory lists its own and hears of its own only; the SME both
    for phone, own in zip(phones, ids, strict=True):
        events = phone.session.get(f"{phone.base}/api/v1/events").json()["results"]
        assert [e["data"]["photo_id"] for e in events if e["type"] == "photo.added"] == [own]
    for phone, own in zip(phones, ids, strict=True):
        assert [p["id"] for p in phone.photos(job.id).json()["results"]] == [own]
    assert [p["id"] for p in Phone(live_server.url, owner[0]).photos(job.id).json()["results"]] == ids


def test_photos_a_factory_that_gave_its_share_back_may_no_longer_confirm_or_see(world):
    job, (user, company) = world["job"], world["pairs"]["factory"]
    form = _uploaded(world["factory"], job.id, "delivery", jpeg_with_gps())
    # when: it withdraws before confirming
    order_services.assignment_withdraw(assignment_id=world["share"].id, company=company, user=user, reason="busy")
    # then
    _error(world["factory"].confirm(job.id, form["upload_key"]), 404, "not_found")
    _error(world["factory"].photos(job.id), 404, "not_found")
    assert not Photo.objects.exists()


def test_photos_filesystem_urls_are_signed_and_expire(live_server, settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "photos": {"BACKEND": FS, "OPTIONS": {"location": str(tmp_path)}}}
    settings.PHOTO_URL_EXPIRES_SECONDS = 1
    owner = fixtures.sme()
    job = fixtures.job(owner)
    user, company = fixtures.factory()
    order_services.board_accept(job_id=job.id, factory=company, user=user)
    phone = Phone(live_server.url, user)
    form = _uploaded(phone, job.id, "delivery", jpeg_with_gps())
    # a tampered upload URL stores nothing
    bad = Phone.upload({**form, "url": form["url"][:-3] + "abc"}, jpeg_with_gps())
    _error(bad, 404, "not_found")
    phone.confirm(job.id, form["upload_key"])
    (row,) = phone.photos(job.id).json()["results"]
    # then: the URL reads the photo now, a tampered one never, and the same one not after it expired
    assert requests.get(row["url"], timeout=30).status_code == 200
    _error(requests.get(row["url"][:-3] + "abc", timeout=30), 404, "not_found")
    time.sleep(2.2)
    _error(requests.get(row["url"], timeout=30), 404, "not_found")


def test_photos_admin_lists_photos_with_thumbnails_filtered_by_job(world, client, live_server):
    job = world["job"]
    form = _uploaded(world["factory"], job.id, "delivery", jpeg_with_gps())
    photo_id = world["factory"].confirm(job.id, form["upload_key"]).json()["id"]
    client.force_login(fixtures.UserFactory(username="photo-admin", is_staff=True, is_superuser=True))
    # when
    page = client.get(f"/admin/evidence/photo/?job__id__exact={job.id}")
    detail = client.get(f"/admin/evidence/photo/{photo_id}/change/")
    # then: the row's thumbnail is a signed URL that reads
    assert page.status_code == 200 and detail.status_code == 200
    (thumbnail,) = re.findall(PREVIEW, page.content.decode())
    thumbnail = html.unescape(thumbnail)
    url = thumbnail if thumbnail.startswith("http") else live_server.url + thumbnail
    assert Image.open(io.BytesIO(requests.get(url, timeout=30).content)).size[0] <= 480
    assert re.findall(PREVIEW, detail.content.decode())
    other_job = client.get(f"/admin/evidence/photo/?job__id__exact={job.id + 1000}")
    assert not re.findall(PREVIEW, other_job.content.decode())


def test_photos_uploads_never_confirmed_are_purged_once_they_cannot_be(world):
    job, stored = world["job"], world["stored"]
    # given: a photo confirmed, and an upload whose phone never confirmed it
    confirmed = _uploaded(world["factory"], job.id, "delivery", jpeg_with_gps())
    world["factory"].confirm(job.id, confirmed["upload_key"])
    abandoned = _uploaded(world["factory"], job.id, "delivery", jpeg_with_gps())
    assert len(stored()) == 3
    # when: the hourly sweep runs while its key could still be confirmed, and after
    assert photo_uploads_purge_task() == 0
    later = timezone.now() + timedelta(seconds=2 * settings.PHOTO_UPLOAD_EXPIRES_SECONDS + 120)
    assert photo_uploads_purge(now=later) == 1
    # then: the photo and its thumbnail stay; the abandoned upload is gone
    assert len(stored()) == 2 and not any(name.startswith("uploads/") for name in stored())
    _error(world["factory"].confirm(job.id, abandoned["upload_key"]), 400, "not_uploaded")
