"""Reads for evidence: who may see a job's photos (the job's SME, the factories holding its
shares, platform admins; anyone else gets a 404 as for the job itself) and the short-lived
URLs they read them through."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.selectors import company_for_user
from core.errors import NotFoundError
from evidence import storage
from evidence.models import Photo
from orders import selectors as order_selectors


def is_admin(user) -> bool:
    return bool(user and user.is_authenticated and user.is_staff)


def photo_list_for_user(*, job_id: int, user):
    """The job's photos the user may see, oldest first; a job the user may not see is a 404.
    A factory sees its own share's photos and the job's own (none of another factory's)."""
    if is_admin(user):
        job = order_selectors.job_get(job_id=job_id)
        return Photo.objects.filter(job=job).order_by("id")
    company = company_for_user(user)
    job = order_selectors.job_get_for_company(job_id=job_id, company=company)
    photos = Photo.objects.filter(job=job)
    if not company.is_sme:
        photos = photos.filter(Q(assignment__factory=company) | Q(assignment__isnull=True))
    return photos.order_by("id")


def photo_read_urls(photo: Photo, *, local_url) -> dict:
    """The photo's and its thumbnail's URLs, good until ``expires_at``."""
    return {
        "url": storage.read_url(photo.image_name, local_url=local_url),
        "thumbnail_url": storage.read_url(photo.thumbnail_name, local_url=local_url),
        "expires_at": timezone.now() + timedelta(seconds=settings.PHOTO_URL_EXPIRES_SECONDS),
    }


def photo_file_for_token(token: str) -> str:
    """The stored file a local read URL grants: a photo's image or thumbnail that still
    exists, or a 404."""
    name = storage.local_file_name(token)
    if not Photo.objects.filter(Q(image_name=name) | Q(thumbnail_name=name)).exists():
        raise NotFoundError(_("No such photo."))
    if not storage.photo_storage().exists(name):  # removed from the folder by hand
        raise NotFoundError(_("No such photo."))
    return name


def photos_owned(*, job_id: int, company_id: int, kind: str, ids, assignment_id: int | None = None) -> set[int]:
    """Which of ``ids`` are photos of ``kind`` on the job uploaded by the company, attached to
    the share ``assignment_id`` or to the whole job (``orders.seams.photos_owned``)."""
    photos = Photo.objects.filter(id__in=list(ids), job_id=job_id, company_id=company_id, kind=kind)
    if assignment_id is not None:
        photos = photos.filter(Q(assignment_id=assignment_id) | Q(assignment__isnull=True))
    return set(photos.values_list("id", flat=True))


def job_photos(*, job_id: int) -> list[dict]:
    """The job's photos for the admin's desk, oldest first, each with its short-lived URLs
    (``orders.seams.job_photos``)."""

    def local_url(token):
        return reverse("photo-file", kwargs={"token": token})

    photos = Photo.objects.filter(job_id=job_id).select_related("company").order_by("id")
    return [
        {
            "id": photo.id,
            "kind": photo.kind,
            "kind_label": photo.get_kind_display(),
            "assignment_id": photo.assignment_id,
            "company_id": photo.company_id,
            "company": photo.company.name,
            "side": "sme" if photo.kind in Photo.SME_KINDS else "factory",
            "created_at": photo.created_at,
            **photo_read_urls(photo, local_url=local_url),
        }
        for photo in photos
    ]
