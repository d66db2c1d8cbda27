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

The bucket is another origin than the pages', so with ``s3`` its origins join the
Content-Security-Policy's ``connect-src`` (the app's upload is a ``fetch`` POST) and ``img-src``
(the thumbnails): the ones boto3's presigned URLs name (``bucket_origins``), or exactly
``PHOTO_ORIGINS`` (``https://photos.example.com,...``) for a CDN or a domain of one's own. The
bucket itself must answer CORS for the site's origin (docs/operations.md, "Photos on object
storage").
"""

from pathlib import Path
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

# The project's own upload endpoint (filesystem storage): its request bodies may be a photo.
PHOTO_UPLOAD_PATH = "/api/v1/photo-uploads/"


def photo_settings(env, var_dir: Path, body_limits: dict, csp: dict) -> dict:
    """The ``photos`` storage and the limits; the upload endpoint's body limit (a photo and
    the form around it) joins ``body_limits``, the object storage's origins ``connect-src``
    and ``img-src`` in ``csp``."""
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
    if kind == "s3":
        options = photos["OPTIONS"]
        origins = _origins(env.list("PHOTO_ORIGINS", default=[])) or bucket_origins(
            bucket=options["bucket_name"],
            endpoint=options["endpoint_url"],
            region=options["region_name"] or env.str("AWS_DEFAULT_REGION", default=""),
            style=options["addressing_style"],
        )
        for directive in ("connect-src", "img-src"):
            csp["DIRECTIVES"][directive] = [*csp["DIRECTIVES"][directive], *origins]
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


def bucket_origins(*, bucket: str, endpoint: str | None, region: str | None, style: str | None) -> list[str]:
    """The origins of the URLs boto3 presigns for ``bucket`` (tests/evidence/test_photo_settings.py
    holds this to boto3's own URLs). An endpoint: its host, or ``bucket.host`` when the style
    is ``virtual``; path style is boto3's choice for an endpoint of one's own. AWS itself: the
    bucket's host, global (boto3's default outside China) and regional (the one the global name
    may redirect to); the region's ``s3`` host for path style. A bucket with a dot in its name
    has no virtual host over HTTPS (its certificate would not match): path style there."""
    if endpoint:
        parts = urlsplit(endpoint)
        virtual = style == "virtual" and not ("." in bucket and parts.scheme == "https")
        return [f"{parts.scheme}://{bucket + '.' if virtual else ''}{parts.netloc.lower()}"]
    path_style = style == "path" or "." in bucket
    region = region or "us-east-1"
    domain = "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"
    prefix = "" if path_style else f"{bucket}."
    hosts = [f"{prefix}s3.{region}.{domain}"]
    if domain == "amazonaws.com" and (region == "us-east-1" or not path_style):
        hosts.append(f"{prefix}s3.amazonaws.com")
    return [f"https://{host}" for host in hosts]


def _origins(values: list[str]) -> list[str]:
    """``PHOTO_ORIGINS``: each ``scheme://host[:port]`` (a ``*.`` label allowed), nothing more."""
    origins = []
    for value in values:
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.path.strip("/") or parts.query:
            raise ImproperlyConfigured(
                f"PHOTO_ORIGINS 应为 https://host[:port],... / PHOTO_ORIGINS is https://host[:port],...; not {value!r}"
            )
        origins.append(f"{parts.scheme}://{parts.netloc.lower()}")
    return origins
