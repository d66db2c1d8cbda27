"""Where photos go is read from the environment: the filesystem under var/ unless told, any
S3-compatible object storage with its endpoint, bucket, region and keys, nothing half-set."""

from pathlib import Path

import environ
import pytest
from django.core.exceptions import ImproperlyConfigured

from marketplace.settings_photos import PHOTO_UPLOAD_PATH, photo_settings


def _settings(monkeypatch, **variables):
    for name in ("PHOTO_STORAGE", "PHOTO_ROOT", "AWS_STORAGE_BUCKET_NAME", "AWS_S3_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    csp = {"DIRECTIVES": {"img-src": ["'self'"]}}
    return photo_settings(environ.Env(), Path("/srv/var"), {"/api/v1/other/": 5}, csp), csp


def test_photo_settings_default_to_the_filesystem_under_var(monkeypatch):
    values, csp = _settings(monkeypatch)
    photos = values["STORAGES"]["photos"]
    assert photos["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert photos["OPTIONS"]["location"] == "/srv/var/photos"
    assert values["STORAGES"]["staticfiles"]["BACKEND"].endswith("StaticFilesStorage")  # kept as Django's
    assert values["REQUEST_BODY_LIMITS"] == {PHOTO_UPLOAD_PATH: 10 * 1024 * 1024 + 64 * 1024, "/api/v1/other/": 5}
    assert csp["DIRECTIVES"]["img-src"] == ["'self'"]
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
    assert "https://*.cos.ap-beijing.myqcloud.com" in csp["DIRECTIVES"]["img-src"]


@pytest.mark.parametrize(
    ("variables", "says"),
    [({"PHOTO_STORAGE": "s3"}, "AWS_STORAGE_BUCKET_NAME"), ({"PHOTO_STORAGE": "ftp"}, "filesystem or s3")],
)
def test_photo_settings_refuse_a_storage_half_set(monkeypatch, variables, says):
    with pytest.raises(ImproperlyConfigured, match=says):
        _settings(monkeypatch, **variables)
