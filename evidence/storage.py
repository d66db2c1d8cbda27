"""The ``photos`` storage (Django's storage API: ``settings.STORAGES["photos"]``) and the
short-lived signed URLs that reach it without the API's token.

On S3-compatible object storage (django-storages' ``S3Storage``) a phone uploads straight to
the bucket with a presigned POST (one key, a content-length-range condition, expiring) and
reads through presigned GETs. On the filesystem the service stands in for the bucket: the
same form posted to its own upload URL, signed with Django's signing (key, size limit,
expiry), and reads through its own signed, expiring file URL."""

import secrets

from django.conf import settings
from django.core import signing
from django.core.files.storage import FileSystemStorage, storages
from django.utils.translation import gettext_lazy as _

from core.errors import InvalidInputError, NotFoundError

UPLOAD_SALT = "evidence.upload-url"
FILE_SALT = "evidence.file-url"
# The form field that carries the file, last in the form (S3 ignores fields after it).
FILE_FIELD = "file"


def photo_storage():
    return storages["photos"]


def is_local(storage=None) -> bool:
    return isinstance(storage or photo_storage(), FileSystemStorage)


def new_upload_key(job_id: int) -> str:
    return f"uploads/{job_id}/{secrets.token_hex(16)}"


def upload_form(*, key: str, local_url) -> dict:
    """Where and how a phone posts the file: ``{"url", "fields"}``, a multipart form whose
    ``fields`` come first and the file last in the field ``file``."""
    storage = photo_storage()
    seconds = settings.PHOTO_UPLOAD_EXPIRES_SECONDS
    if is_local(storage):
        token = signing.dumps({"key": key, "max": settings.PHOTO_MAX_BYTES}, salt=UPLOAD_SALT, compress=True)
        return {"url": local_url(token), "fields": {}}
    client = storage.connection.meta.client
    post = client.generate_presigned_post(
        Bucket=storage.bucket_name,
        Key=storage._normalize_name(key),
        Conditions=[["content-length-range", 1, settings.PHOTO_MAX_BYTES]],
        ExpiresIn=seconds,
    )
    return {"url": post["url"], "fields": post["fields"]}


def upload_expired():
    message = _("The upload's time ran out; ask for a new one.")
    return InvalidInputError(message, code="upload_expired", fields={"upload_key": [message]})


def local_upload_key(token: str) -> tuple[str, int]:
    """The key and size limit a local upload URL grants, while it is good."""
    try:
        grant = signing.loads(token, salt=UPLOAD_SALT, max_age=settings.PHOTO_UPLOAD_EXPIRES_SECONDS)
    except signing.SignatureExpired:
        raise upload_expired() from None
    except signing.BadSignature:
        raise NotFoundError(_("No such upload.")) from None
    return grant["key"], grant["max"]


def read_url(name: str, *, local_url) -> str:
    """A short-lived URL that reads ``name`` without the API's token."""
    storage = photo_storage()
    seconds = settings.PHOTO_URL_EXPIRES_SECONDS
    if is_local(storage):
        return local_url(signing.dumps({"name": name}, salt=FILE_SALT, compress=True))
    return storage.url(name, expire=seconds)


def local_file_name(token: str) -> str:
    """The file a local read URL grants, while it is good; anything else is a 404."""
    try:
        return signing.loads(token, salt=FILE_SALT, max_age=settings.PHOTO_URL_EXPIRES_SECONDS)["name"]
    except signing.BadSignature:  # SignatureExpired included: an old link is simply gone
        raise NotFoundError(_("No such photo.")) from None
