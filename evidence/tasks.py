from celery import shared_task

from evidence.services import photo_uploads_purge


@shared_task
def photo_uploads_purge_task() -> int:
    """Delete uploads never confirmed, once their keys can no longer be."""
    return photo_uploads_purge()
