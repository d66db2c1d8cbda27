"""The phone app at /app/ with its photos on S3-compatible object storage, in headless
Chromium: the bucket is moto's S3 server on a port of its own, another origin than the
site's, as a real bucket is. The factory's photo goes from the phone straight to the bucket
(a presigned POST sent with fetch) and the SME's phone shows its thumbnail from there
(a presigned GET in an <img>), with no Content-Security-Policy violation on either phone.

What this proves is the policy (marketplace/settings_photos.py adds the bucket's origin to
connect-src and img-src). The bucket carries the CORS rule docs/operations.md asks for, but
moto's server does not hold the upload to it: it answers every origin itself (flask-cors)
unless MOTO_DISABLE_GLOBAL_CORS is set, and even then its POST-to-bucket handler adds no CORS
headers (moto/s3/responses.py, ``_bucket_response_post``)."""

import uuid

import boto3
import pytest

from conftest import wait_for
from evidence.models import Photo
from tests import fixtures
from tests.evidence.photos import MotoServer
from tests.flows.browser import CHROMIUM, CHROMIUM_FLAGS, playwright_here
from tests.flows.test_csp_browser import LISTEN
from tests.flows.test_webapp_browser import ARTIFACTS, PHONE, _jpeg, _log_in, _real_password

KEYS = {"aws_access_key_id": "test-key", "aws_secret_access_key": "test-secret"}


@pytest.fixture
def bucket():
    """A fresh bucket on moto's S3 server: (the server's URL, the bucket's name, a client)."""
    server = MotoServer().start()
    name = f"photos-{uuid.uuid4().hex[:12]}"
    client = boto3.client("s3", endpoint_url=server.url, region_name="us-east-1", **KEYS)
    client.create_bucket(Bucket=name)
    yield server.url, name, client
    server.close()


def _posted_to(response, origin: str) -> bool:
    return response.url.startswith(origin) and response.request.method == "POST"


@pytest.mark.slow
def test_webapp_uploads_a_photo_to_a_bucket_on_another_origin_and_shows_its_thumbnail(
    start_web, start_worker, bucket, monkeypatch
):
    sync_playwright = playwright_here()

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    # given: a paid job of 500 pieces in production at a factory
    owner = fixtures.sme()
    factory_user, factory = fixtures.factory()
    _real_password(owner[0])
    _real_password(factory_user)
    job = fixtures.job(owner, quantity=500)
    share = fixtures.share_in_production(job, owner, (factory_user, factory), 500)
    # ... the web process and a worker keeping photos in the bucket, which allows the site's origin
    storage_url, name, client = bucket
    photos = {
        "PHOTO_STORAGE": "s3",
        "AWS_STORAGE_BUCKET_NAME": name,
        "AWS_S3_ENDPOINT_URL": storage_url,
        "AWS_S3_REGION_NAME": "us-east-1",
        "AWS_S3_ACCESS_KEY_ID": KEYS["aws_access_key_id"],
        "AWS_S3_SECRET_ACCESS_KEY": KEYS["aws_secret_access_key"],
        "AWS_S3_ADDRESSING_STYLE": "path",
    }
    web = start_web(**photos)
    start_worker(**photos)
    site = web.url.rstrip("/")
    assert site != storage_url  # two origins: the same host, another port
    rule = {"AllowedOrigins": [site], "AllowedMethods": ["POST", "GET"], "AllowedHeaders": ["*"], "MaxAgeSeconds": 3000}
    client.put_bucket_cors(Bucket=name, CORSConfiguration={"CORSRules": [rule]})
    console, uploads, reads = [], [], []

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        sme_page, factory_page = (browser.new_context(**PHONE).new_page() for _ in range(2))
        for p in (sme_page, factory_page):
            p.add_init_script(LISTEN)
            p.on("pageerror", lambda e: console.append(str(e)))
            p.on("console", lambda m: console.append(m.text) if "Content Security Policy" in m.text else None)
            p.on("requestfailed", lambda r: console.append(f"{r.url} {r.failure}"))
        factory_page.on("response", lambda r: uploads.append(r.status) if _posted_to(r, storage_url) else None)
        sme_page.on("response", lambda r: reads.append(r.status) if r.url.startswith(storage_url) else None)
        _log_in(factory_page, site, factory_user.username)
        policy = factory_page.goto(f"{site}/app/").headers["content-security-policy"]
        factory_page.wait_for_selector("body[data-stream=live]", state="attached", timeout=20000)
        _log_in(sme_page, site, owner[0].username)
        # when: the factory delivers all 500 with a photo from its camera
        factory_page.set_input_files("[data-photo=deliver]", _jpeg("delivery"))
        factory_page.click("[data-step=deliver]")
        factory_page.wait_for_selector(".share [data-status=delivered]", timeout=20000)
        # then: the SME's phone shows the delivery's thumbnail, read from the bucket
        thumbnail = sme_page.wait_for_selector(f"[data-photos='{share.id}'] img[data-kind=delivery]", timeout=20000)
        source = thumbnail.get_attribute("src")
        width = wait_for(
            lambda: thumbnail.evaluate("img => img.complete && img.naturalWidth"), message="the thumbnail to load"
        )
        sme_page.screenshot(path=str(ARTIFACTS / "webapp-s3-sme-thumbnail.png"), full_page=True)
        violations = [v for p in (sme_page, factory_page) for v in p.evaluate("window.__csp")]
        browser.close()

    directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
    assert (
        directives["connect-src"] == f"'self' {storage_url}" and directives["img-src"] == f"'self' data: {storage_url}"
    )
    assert uploads == [204] and 200 in reads  # the upload went to the bucket, the thumbnail came from it
    assert source.startswith(f"{storage_url}/{name}/") and width == 480
    photo = Photo.objects.get(job=job, kind="delivery")
    keys = [o["Key"] for o in client.list_objects_v2(Bucket=name).get("Contents", [])]
    assert photo.assignment_id == share.id and len(keys) >= 2  # the photo and its thumbnail, in the bucket
    assert violations == [] and console == []
