"""Where photos go is read from the environment: the filesystem under var/ unless told, any
S3-compatible object storage with its endpoint, bucket, region and keys, nothing half-set;
the bucket's origins, as boto3's presigned URLs name them, join the pages' policy."""

from pathlib import Path
from urllib.parse import urlsplit

import environ
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from storages.backends.s3 import S3Storage

from marketplace.settings_frontdoor import frontdoor_settings
from marketplace.settings_photos import PHOTO_UPLOAD_PATH, bucket_origins, photo_settings

S3_VARIABLES = (
    "PHOTO_STORAGE",
    "PHOTO_ROOT",
    "PHOTO_ORIGINS",
    "AWS_STORAGE_BUCKET_NAME",
    "AWS_S3_ENDPOINT_URL",
    "AWS_S3_REGION_NAME",
    "AWS_DEFAULT_REGION",
    "AWS_S3_ADDRESSING_STYLE",
)


def _settings(monkeypatch, **variables):
    for name in S3_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    csp = {"DIRECTIVES": {"img-src": ["'self'"], "connect-src": ["'self'"]}}
    return photo_settings(environ.Env(), Path("/srv/var"), {"/api/v1/other/": 5}, csp), csp


def test_photo_settings_default_to_the_filesystem_under_var(monkeypatch):
    values, csp = _settings(monkeypatch)
    photos = values["STORAGES"]["photos"]
    assert photos["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert photos["OPTIONS"]["location"] == "/srv/var/photos"
    assert values["STORAGES"]["staticfiles"]["BACKEND"].endswith("StaticFilesStorage")  # kept as Django's
    assert values["REQUEST_BODY_LIMITS"] == {PHOTO_UPLOAD_PATH: 10 * 1024 * 1024 + 64 * 1024, "/api/v1/other/": 5}
    assert csp["DIRECTIVES"] == {"img-src": ["'self'"], "connect-src": ["'self'"]}
    assert (values["PHOTO_MAX_BYTES"], values["PHOTO_MAX_PIXELS"]) == (10 * 1024 * 1024, 40_000_000)


def test_photo_settings_point_at_s3_compatible_storage_from_the_environment(monkeypatch):
    values, csp = _settings(
        monkeypatch,
        PHOTO_STORAGE="s3",
        AWS_STORAGE_BUCKET_NAME="hat-photos",
        AWS_S3_ENDPOINT_URL="https://cos.ap-beijing.myqcloud.com",
        AWS_S3_REGION_NAME="ap-beijing",
        AWS_S3_ACCESS_KEY_ID="AKID",
        AWS_S3_SECRET_ACCESS_KEY="secret",
        AWS_S3_ADDRESSING_STYLE="virtual",
    )
    photos = values["STORAGES"]["photos"]
    assert photos["BACKEND"] == "storages.backends.s3.S3Storage"
    options = photos["OPTIONS"]
    assert (options["bucket_name"], options["endpoint_url"], options["region_name"]) == (
        "hat-photos",
        "https://cos.ap-beijing.myqcloud.com",
        "ap-beijing",
    )
    assert (options["access_key"], options["secret_key"], options["addressing_style"]) == ("AKID", "secret", "virtual")
    assert options["default_acl"] is None and options["querystring_auth"] is True
    # the bucket's own host, and no other bucket on the same service
    origins = ["https://hat-photos.cos.ap-beijing.myqcloud.com"]
    assert csp["DIRECTIVES"] == {"img-src": ["'self'", *origins], "connect-src": ["'self'", *origins]}


@pytest.mark.parametrize(
    ("variables", "says"),
    [({"PHOTO_STORAGE": "s3"}, "AWS_STORAGE_BUCKET_NAME"), ({"PHOTO_STORAGE": "ftp"}, "filesystem or s3")],
)
def test_photo_settings_refuse_a_storage_half_set(monkeypatch, variables, says):
    with pytest.raises(ImproperlyConfigured, match=says):
        _settings(monkeypatch, **variables)


def _boto3_origins(bucket, endpoint, region, style) -> set[str]:
    """The origins of the presigned POST and GET that django-storages and boto3 make."""
    storage = S3Storage(
        bucket_name=bucket,
        endpoint_url=endpoint,
        region_name=region,
        addressing_style=style,
        access_key="AKID",
        secret_key="secret",
        signature_version="s3v4",
        querystring_auth=True,
    )
    post = storage.connection.meta.client.generate_presigned_post(Bucket=bucket, Key="uploads/1/k", ExpiresIn=60)
    urls = [post["url"], storage.url("uploads/1/k", expire=60)]
    return {f"{urlsplit(url).scheme}://{urlsplit(url).netloc}".lower() for url in urls}


@pytest.mark.parametrize(
    ("bucket", "endpoint", "region", "style", "expected"),
    [
        # MinIO: path style on its own endpoint (boto3 picks path style there when unset too)
        ("hat-photos", "https://minio.example.com:9000", "us-east-1", "path", ["https://minio.example.com:9000"]),
        ("hat-photos", "http://127.0.0.1:9000/", "us-east-1", None, ["http://127.0.0.1:9000"]),
        # Alibaba OSS, Tencent COS: virtual-hosted style, the bucket's own host
        (
            "hat-photos",
            "https://oss-cn-qingdao.aliyuncs.com",
            "cn-qingdao",
            "virtual",
            ["https://hat-photos.oss-cn-qingdao.aliyuncs.com"],
        ),
        (
            "hat-photos",
            "https://cos.ap-beijing.myqcloud.com",
            "ap-beijing",
            "virtual",
            ["https://hat-photos.cos.ap-beijing.myqcloud.com"],
        ),
        # AWS itself: the global name boto3 signs by default, and the regional one it may redirect to
        (
            "hat-photos",
            None,
            None,
            None,
            ["https://hat-photos.s3.us-east-1.amazonaws.com", "https://hat-photos.s3.amazonaws.com"],
        ),
        (
            "hat-photos",
            None,
            "eu-west-1",
            None,
            ["https://hat-photos.s3.eu-west-1.amazonaws.com", "https://hat-photos.s3.amazonaws.com"],
        ),
        (
            "hat-photos",
            None,
            "eu-west-1",
            "virtual",
            ["https://hat-photos.s3.eu-west-1.amazonaws.com", "https://hat-photos.s3.amazonaws.com"],
        ),
        ("hat-photos", None, "eu-west-1", "path", ["https://s3.eu-west-1.amazonaws.com"]),
        ("hat-photos", None, "us-east-1", "path", ["https://s3.us-east-1.amazonaws.com", "https://s3.amazonaws.com"]),
        ("hat-photos", None, "cn-north-1", None, ["https://hat-photos.s3.cn-north-1.amazonaws.com.cn"]),
        # a dot in the name: no virtual host over TLS, path style
        ("hat.photos", None, "eu-west-1", "virtual", ["https://s3.eu-west-1.amazonaws.com"]),
        (
            "hat.photos",
            "https://cos.ap-beijing.myqcloud.com",
            "ap-beijing",
            "virtual",
            ["https://cos.ap-beijing.myqcloud.com"],
        ),
        (
            "hat.photos",
            "http://minio.local:9000",
            "us-east-1",
            "virtual",
            ["http://hat.photos.minio.local:9000"],
        ),  # plain HTTP
    ],
)
def test_bucket_origins_cover_the_urls_boto3_presigns(bucket, endpoint, region, style, expected):
    # when
    origins = bucket_origins(bucket=bucket, endpoint=endpoint, region=region, style=style)
    # then: what the settings derive, and every URL boto3 makes for an upload or a read is in it
    assert origins == expected
    assert _boto3_origins(bucket, endpoint, region, style) <= set(origins)


def test_photo_origins_replace_the_bucket_origins_and_refuse_anything_but_origins(monkeypatch):
    # given: photos read through a CDN, uploads to the bucket's own domain
    variables = {
        "PHOTO_STORAGE": "s3",
        "AWS_STORAGE_BUCKET_NAME": "hat-photos",
        "AWS_S3_ENDPOINT_URL": "https://minio.example.com",
        "PHOTO_ORIGINS": "https://Photos.Example.com, https://*.cdn.example.net",
    }
    # when
    _, csp = _settings(monkeypatch, **variables)
    # then: exactly those, under both directives
    origins = ["https://photos.example.com", "https://*.cdn.example.net"]
    assert csp["DIRECTIVES"] == {"img-src": ["'self'", *origins], "connect-src": ["'self'", *origins]}
    # and: a path, a bare host or a scheme that is no web origin is refused at start-up
    for wrong in ("https://photos.example.com/bucket", "photos.example.com", "ftp://photos.example.com"):
        with pytest.raises(ImproperlyConfigured, match="PHOTO_ORIGINS"):
            _settings(monkeypatch, **{**variables, "PHOTO_ORIGINS": wrong})


def test_photo_origins_are_ignored_on_the_filesystem(monkeypatch):
    _, csp = _settings(monkeypatch, PHOTO_ORIGINS="https://photos.example.com")
    assert csp["DIRECTIVES"] == {"img-src": ["'self'"], "connect-src": ["'self'"]}


def test_aws_region_comes_from_boto3s_own_variable_when_unset(monkeypatch):
    variables = {"PHOTO_STORAGE": "s3", "AWS_STORAGE_BUCKET_NAME": "hat-photos", "AWS_DEFAULT_REGION": "ap-east-1"}
    _, csp = _settings(monkeypatch, **variables)
    assert "https://hat-photos.s3.ap-east-1.amazonaws.com" in csp["DIRECTIVES"]["connect-src"]


@pytest.mark.django_db
@pytest.mark.parametrize("storage", ["s3", "filesystem"])
def test_the_apps_page_lets_the_phone_reach_the_bucket_only_with_s3(monkeypatch, client, storage):
    # given: the policy the settings build, from the front door's and the photos' variables
    bucket = "http://127.0.0.1:9000"
    env = environ.Env()
    csp = frontdoor_settings(env)["CONTENT_SECURITY_POLICY"]
    variables = {"PHOTO_STORAGE": storage, "AWS_STORAGE_BUCKET_NAME": "hat-photos", "AWS_S3_ENDPOINT_URL": bucket}
    for name in S3_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    photo_settings(env, Path("/srv/var"), {}, csp)
    # when
    with override_settings(CONTENT_SECURITY_POLICY=csp):
        header = client.get("/app/")["Content-Security-Policy"]
    # then: the upload (a fetch) and the thumbnails (<img>) may go to the bucket, nothing else may
    directives = dict(d.strip().split(" ", 1) for d in header.split(";") if d.strip())
    if storage == "s3":
        assert directives["connect-src"] == f"'self' {bucket}"
        assert directives["img-src"] == f"'self' data: {bucket}"
    else:
        assert (directives["connect-src"], directives["img-src"]) == ("'self'", "'self' data:")
    assert directives["default-src"] == "'self'" and directives["script-src"] == "'self'"
