"""A photo through the real web process (gunicorn, uvicorn, the body limit in front of
Django), as production runs it: the upload URL takes a photo of several MB where every other
endpoint stops at 1 MiB, and stops at the photo limit itself."""

import http.client
import io
import json
import os
from urllib.parse import urlsplit

import pytest
from PIL import Image

from orders import services as order_services
from tests import fixtures
from tests.evidence.photos import Phone

pytestmark = pytest.mark.django_db(transaction=True)


def _noisy_jpeg(width=1400, height=1000) -> bytes:
    """A photo of noise: JPEG cannot shrink it, so it weighs a few MB."""
    out = io.BytesIO()
    Image.frombytes("RGB", (width, height), os.urandom(width * height * 3)).save(out, format="JPEG", quality=95)
    return out.getvalue()


def _declared(url: str, length: int) -> http.client.HTTPResponse:
    """A POST that declares ``length`` bytes and sends a few: the answer comes before the rest."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    connection.putrequest("POST", parts.path)
    connection.putheader("Content-Type", "multipart/form-data; boundary=x")
    connection.putheader("Content-Length", str(length))
    connection.endheaders(b"--x\r\n")
    return connection.getresponse()


def test_photos_web_process_takes_a_photo_of_several_mb_on_the_upload_url_only(start_web, tmp_path):
    # given: the web process on the filesystem storage, and a factory holding a share
    web = start_web(PHOTO_ROOT=str(tmp_path / "photos"))
    job = fixtures.job(fixtures.sme())
    user, company = fixtures.factory()
    order_services.board_accept(job_id=job.id, factory=company, user=user)
    phone = Phone(web.url, user)
    photo = _noisy_jpeg()
    assert 1_048_576 < len(photo) < 10 * 1024 * 1024
    # when: it uploads and confirms the photo
    form = phone.presign(job.id, "delivery").json()
    uploaded = Phone.upload(form, photo)
    confirmed = phone.confirm(job.id, form["upload_key"])
    # then
    assert uploaded.status_code == 204, uploaded.text
    assert confirmed.status_code == 201, confirmed.text
    assert confirmed.json()["width"] == 1400
    # and a body past the photo limit is a 413 before it is read, as is a photo's size elsewhere
    too_big = _declared(phone.presign(job.id, "delivery").json()["url"], 11 * 1024 * 1024)
    assert too_big.status == 413 and json.loads(too_big.read())["error"]["code"] == "request_too_large"
    assert _declared(f"{web.url}/api/v1/jobs/{job.id}/photos", len(photo)).status == 413
