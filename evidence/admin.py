from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdmin
from evidence import selectors
from evidence.models import Photo


def _urls(photo: Photo) -> dict:
    return selectors.photo_read_urls(photo, local_url=lambda token: reverse("photo-file", kwargs={"token": token}))


@admin.register(Photo)
class PhotoAdmin(ReadOnlyAdmin):
    """Evidence as uploaded: filter by job (``?job__id__exact=42``), kind or uploader; each
    row shows its thumbnail, linked to the photo (short-lived URLs, as the API gives)."""

    list_display = ["id", "preview", "job", "assignment", "kind", "company", "width", "height", "created_at"]
    list_filter = ["kind", "created_at"]
    search_fields = ["=job__id", "=assignment__id", "company__name"]
    list_select_related = ["job", "assignment", "company"]
    fields = [
        "preview",
        "job",
        "assignment",
        "kind",
        "company",
        "uploaded_by",
        "source_format",
        "source_bytes",
        "width",
        "height",
        "size_bytes",
        "created_at",
    ]
    readonly_fields = fields

    @admin.display(description=_("photo"))
    def preview(self, photo: Photo):
        urls = _urls(photo)
        return format_html(
            '<a href="{}" target="_blank" rel="noopener"><img src="{}" alt="" style="max-height:120px"></a>',
            urls["url"],
            urls["thumbnail_url"],
        )
