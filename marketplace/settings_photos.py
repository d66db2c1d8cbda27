"""Where photos are stored (Django's storage API, the ``photos`` storage) and their limits,
kept out of ``settings.py`` for its size.

- PHOTO_STORAGE=filesystem (the default): files under ``PHOTO_ROOT`` (``var/photos``); the
  service itself hands out the signed upload and download URLs.
- PHOTO_STORAGE=s3: any S3-compatible object storage (AWS S3, MinIO, Alibaba OSS, Tencent
  COS) through django-storages: ``AWS_STORAGE_BUCKET_NAME`` (required), ``AWS_S3_ENDPOINT_URL``
  (unset for AWS itself), ``AWS_S3_REGION_NAME``, ``AWS_S3_ACCESS_KEY_ID`` and
  ``AWS_S3_SECRET_ACCESS_KEY`` (unset: boto3's own chain, e.g. ``AWS_ACCESS_KEY_ID``),
  ``AWS_S3_ADDRESSING_STYLE`` (``path`` for MinIO, ``virtual`` for OSS and COS) and
  ``AWS_LOCATION`` (a key prefix inside the bucket). Phones upload straight to the bucket
  through a presigned POST and read through presigned GETs.
"""

from pathlib import Path
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

# The project's own upload endpoint (filesystem storage): its request bodies may be a photo.
PHOTO_UPLOAD_PATH = "/api/v1/photo-uploads/"


def photo_settings(env, var_dir: Path, body_limits: dict, csp: dict) -> dict:
    """The ``photos`` storage and the limits; the upload endpoint's body limit (a photo and
    the form around it) joins ``body_limits``, the object storage's origin the admin's
    ``img-src`` in ``csp``."""
    kind = env.str("PHOTO_STORAGE", default="filesystem")
    url_seconds = env.int("PHOTO_URL_EXPIRES_SECONDS", default=300)
    if kind == "filesystem":
        photos = {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": env.str("PHOTO_ROOT", default=str(var_dir / "photos"))},
        }
    elif kind == "s3":
        bucket = env.str("AWS_STORAGE_BUCKET_NAME", default="")
        if not bucket:
            raise ImproperlyConfigured("PHOTO_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME (and the endpoint and keys).")
        photos = {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": bucket,
                "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
                "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
                "access_key": env.str("AWS_S3_ACCESS_KEY_ID", default="") or None,
                "secret_key": env.str("AWS_S3_SECRET_ACCESS_KEY", default="") or None,
                "addressing_style": env.str("AWS_S3_ADDRESSING_STYLE", default="") or None,
                "location": env.str("AWS_LOCATION", default=""),
                "signature_version": "s3v4",
                "default_acl": None,  # the bucket stays private: every read is a presigned GET
                "querystring_auth": True,
                "querystring_expire": url_seconds,
                "file_overwrite": False,
            },
        }
    else:
        raise ImproperlyConfigured(f"PHOTO_STORAGE is filesystem or s3, not {kind!r}")
    max_bytes = env.int("PHOTO_MAX_BYTES", default=10 * 1024 * 1024)
    csp["DIRECTIVES"]["img-src"] = [*csp["DIRECTIVES"]["img-src"], *_img_sources(photos)]
    return {
        "STORAGES": {
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
            "photos": photos,
        },
        "PHOTO_STORAGE": kind,
        "PHOTO_MAX_BYTES": max_bytes,
        "PHOTO_MAX_PIXELS": env.int("PHOTO_MAX_PIXELS", default=40_000_000),
        # A presigned upload is good this long; its upload key is confirmed within twice this.
        "PHOTO_UPLOAD_EXPIRES_SECONDS": env.int("PHOTO_UPLOAD_EXPIRES_SECONDS", default=600),
        "PHOTO_URL_EXPIRES_SECONDS": url_seconds,
        "PHOTO_THUMBNAIL_PX": 480,
        "REQUEST_BODY_LIMITS": {PHOTO_UPLOAD_PATH: max_bytes + 64 * 1024, **body_limits},
    }


def _img_sources(photos: dict) -> list[str]:
    """The object storage's origins (path- and virtual-hosted style), or none: the
    filesystem's photos come from this server."""
    if photos["BACKEND"] == "django.core.files.storage.FileSystemStorage":
        return []
    endpoint = photos["OPTIONS"]["endpoint_url"]
    if not endpoint:
        return ["https://*.amazonaws.com"]
    parts = urlsplit(endpoint)
    return [f"{parts.scheme}://{parts.netloc}", f"{parts.scheme}://*.{parts.netloc}"]
