"""Reads for evidence: who may see a job's photos (the job's SME, the factories holding its
shares, platform admins; anyone else gets a 404 as for the job itself) and the short-lived
URLs they read them through."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Q
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
