"""Writes for evidence: handing out an upload, receiving it on the filesystem stand-in for a
bucket, and confirming it into a photo (checked by its bytes, re-encoded without EXIF, a
thumbnail made, the raw upload deleted)."""

import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.selectors import company_for_user
from core.errors import ForbiddenError, InvalidInputError, NotFoundError
from evidence import storage
from evidence.events import PhotoAdded
from evidence.images import clean_photo
from evidence.models import Photo
from orders import selectors as order_selectors
from orders.models import Assignment

logger = logging.getLogger(__name__)

KEY_SALT = "evidence.upload-key"


def _share_for(*, job, company, kind: str, assignment_id: int | None) -> Assignment | None:
    """The share a photo of ``kind`` belongs to, if ``company`` may attach it to ``job``."""
    if kind in Photo.FACTORY_KINDS:
        share = (
            Assignment.objects.filter(job=job, factory=company, status__in=Assignment.COVERING).order_by("-id").first()
        )
        if share is None:
            raise ForbiddenError(_("Only a factory holding a share of the job may attach this kind of photo."))
        if assignment_id is not None and assignment_id != share.id:
            raise NotFoundError(_("No such assignment."))
        return share
    if job.sme_id != company.id:
        raise ForbiddenError(_("Only the job's SME may attach this kind of photo."))
    if assignment_id is None:
        return None
    share = Assignment.objects.filter(job=job, id=assignment_id).first()
    if share is None:
        raise NotFoundError(_("No such assignment."))
    return share


def photo_upload_start(*, job_id: int, user, kind: str, assignment_id: int | None, local_url) -> dict:
    """An upload for one photo of ``kind`` on the job: the form to post the file with, and
    the upload key that confirms it (``photo_confirm``). Writes nothing."""
    company = company_for_user(user)
    job = order_selectors.job_get_for_company(job_id=job_id, company=company)
    share = _share_for(job=job, company=company, kind=kind, assignment_id=assignment_id)
    key = storage.new_upload_key(job.id)
    grant = {"key": key, "job": job.id, "share": share.id if share else None, "kind": kind, "company": company.id}
    return {
        "upload_key": signing.dumps(grant, salt=KEY_SALT, compress=True),
        **storage.upload_form(key=key, local_url=local_url),
        "file_field": storage.FILE_FIELD,
        "max_bytes": settings.PHOTO_MAX_BYTES,
        "expires_in": settings.PHOTO_UPLOAD_EXPIRES_SECONDS,
    }


def too_large() -> InvalidInputError:
    message = _("The photo is larger than %(mb)s MB.") % {"mb": f"{settings.PHOTO_MAX_BYTES / (1024 * 1024):.3g}"}
    return InvalidInputError(message, code="photo_too_large", fields={"file": [message]})


def photo_upload_receive(*, token: str, upload) -> None:
    """The filesystem's stand-in for a presigned POST: store ``upload`` under the key the
    signed URL grants, if it is good and small enough."""
    key, max_bytes = storage.local_upload_key(token)
    if upload is None or upload.size == 0:
        message = _("No file in the form's file field.")
        raise InvalidInputError(message, code="no_file", fields={"file": [message]})
    if upload.size > max_bytes:
        raise too_large()
    target = storage.photo_storage()
    if target.exists(key):
        target.delete(key)  # a retried upload replaces the first
    target.save(key, upload)


def _grant(upload_key: str, *, company) -> dict:
    """What an upload key grants; another company's key is a 404, an old one refused."""
    try:
        grant = signing.loads(upload_key, salt=KEY_SALT)
    except signing.BadSignature:
        raise NotFoundError(_("No such upload.")) from None
    if company is None or grant["company"] != company.id:
        raise NotFoundError(_("No such upload."))
    try:
        signing.loads(upload_key, salt=KEY_SALT, max_age=2 * settings.PHOTO_UPLOAD_EXPIRES_SECONDS)
    except signing.SignatureExpired:
        storage.photo_storage().delete(grant["key"])
        raise storage.upload_expired() from None
    return grant


def _read_upload(key: str) -> bytes:
    target = storage.photo_storage()
    if not target.exists(key):
        message = _("Nothing has been uploaded with this key yet.")
        raise InvalidInputError(message, code="not_uploaded", fields={"upload_key": [message]})
    try:
        if target.size(key) > settings.PHOTO_MAX_BYTES:
            raise too_large()
        with target.open(key, "rb") as raw:
            return raw.read(settings.PHOTO_MAX_BYTES + 1)
    except InvalidInputError:
        target.delete(key)
        raise


def photo_confirm(*, job_id: int, user, upload_key: str) -> tuple[Photo, bool]:
    """Turn what arrived under the upload key into a photo: ``(photo, created)``. A retried
    confirm of the same key returns the photo it made. Refused uploads are deleted."""
    company = company_for_user(user)
    job = order_selectors.job_get_for_company(job_id=job_id, company=company)
    grant = _grant(upload_key, company=company)
    if grant["job"] != job.id:
        raise NotFoundError(_("No such upload."))
    existing = Photo.objects.filter(source_key=grant["key"]).first()
    if existing is not None:
        return existing, False
    # Who may attach it is asked again: a factory that gave its share back may not.
    share = _share_for(job=job, company=company, kind=grant["kind"], assignment_id=grant["share"])
    data = _read_upload(grant["key"])
    try:
        if len(data) > settings.PHOTO_MAX_BYTES:
            raise too_large()
        clean = clean_photo(data)
    except InvalidInputError:
        storage.photo_storage().delete(grant["key"])
        raise
    photo, created = _photo_store(job=job, share=share, company=company, user=user, grant=grant, clean=clean, raw=data)
    storage.photo_storage().delete(grant["key"])
    return photo, created


def _photo_store(*, job, share, company, user, grant, clean, raw) -> tuple[Photo, bool]:
    target = storage.photo_storage()
    stem = f"photos/{job.id}/{secrets.token_hex(16)}"
    image_name = target.save(f"{stem}.jpg", ContentFile(clean.image))
    thumbnail_name = target.save(f"{stem}-thumb.jpg", ContentFile(clean.thumbnail))
    try:
        with transaction.atomic():
            photo = Photo.objects.create(
                job=job,
                assignment=share,
                kind=grant["kind"],
                company=company,
                uploaded_by=user,
                source_key=grant["key"],
                source_format=clean.source_format,
                source_bytes=len(raw),
                image_name=image_name,
                width=clean.width,
                height=clean.height,
                size_bytes=len(clean.image),
                thumbnail_name=thumbnail_name,
                thumbnail_width=clean.thumbnail_width,
                thumbnail_height=clean.thumbnail_height,
            )
            _photo_added(photo)
    except IntegrityError:
        # A concurrent confirm of the same upload made it first: keep its files, not ours.
        target.delete(image_name)
        target.delete(thumbnail_name)
        return Photo.objects.get(source_key=grant["key"]), False
    logger.info("photo %s (%s) on job %s by company %s", photo.id, photo.kind, job.id, company.id)
    return photo, True


def _photo_added(photo: Photo) -> None:
    """``photo.added`` to every company that may see the photo: the job's SME and the
    factory of its share, or every factory holding a share for a photo of the whole job."""
    job = photo.job
    if photo.assignment_id is not None:
        factories = [photo.assignment.factory_id]
    else:
        factories = Assignment.objects.filter(job=job, status__in=Assignment.COVERING).values_list(
            "factory_id", flat=True
        )
    data = {"photo_id": photo.id, "job_id": job.id, "assignment_id": photo.assignment_id, "kind": photo.kind}
    PhotoAdded.emit([job.sme_id, *factories], data, topic=f"job:{job.id}")


def photo_uploads_purge(*, now=None) -> int:
    """Delete the raw uploads nobody confirmed (a phone that lost its connection, a refused
    kind): older than twice the upload window, their keys can no longer be confirmed.
    Returns how many. On a bucket a lifecycle rule on ``uploads/`` does the same."""
    target = storage.photo_storage()
    cutoff = (now or timezone.now()) - timedelta(seconds=2 * settings.PHOTO_UPLOAD_EXPIRES_SECONDS + 60)
    try:
        job_folders, _files = target.listdir("uploads")
    except FileNotFoundError:  # nothing was ever uploaded to this folder
        return 0
    removed = 0
    for folder in job_folders:
        for name in target.listdir(f"uploads/{folder}")[1]:
            key = f"uploads/{folder}/{name}"
            if target.get_modified_time(key) < cutoff:
                target.delete(key)
                removed += 1
    if removed:
        logger.info("deleted %s photo uploads never confirmed", removed)
    return removed
