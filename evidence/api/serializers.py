from rest_framework import serializers

from core.api.base import StrictSerializer
from evidence.models import Photo


class UploadInputSerializer(StrictSerializer):
    kind = serializers.ChoiceField(choices=Photo.Kind.choices)
    assignment = serializers.IntegerField(
        min_value=1,
        required=False,
        allow_null=True,
        help_text="The share the photo is about. A factory's photos are always its own share's; "
        "an SME may name one of the job's shares, or none for the job as a whole.",
    )


class UploadSerializer(serializers.Serializer):
    upload_key = serializers.CharField(help_text="Opaque; confirms the upload (POST .../photos).")
    url = serializers.URLField(help_text="Where to POST the multipart form.")
    fields = serializers.DictField(
        child=serializers.CharField(), help_text="Form fields to send, as given, before the file."
    )
    file_field = serializers.CharField(help_text="The form field carrying the file, sent last: `file`.")
    max_bytes = serializers.IntegerField(help_text="The largest file accepted.")
    expires_in = serializers.IntegerField(help_text="Seconds the form is good for.")


class ConfirmInputSerializer(StrictSerializer):
    upload_key = serializers.CharField(max_length=2000)


class PhotoSerializer(serializers.ModelSerializer):
    """A photo with short-lived URLs (``context["urls"]`` makes them per photo)."""

    uploaded_by = serializers.IntegerField(source="company_id", help_text="The uploading company's id.")
    url = serializers.SerializerMethodField(help_text="The photo (JPEG, no EXIF); good until expires_at.")
    thumbnail_url = serializers.SerializerMethodField(help_text="A thumbnail (JPEG); good until expires_at.")
    expires_at = serializers.SerializerMethodField()

    class Meta:
        model = Photo
        fields = [
            "id",
            "job",
            "assignment",
            "kind",
            "uploaded_by",
            "width",
            "height",
            "size_bytes",
            "thumbnail_width",
            "thumbnail_height",
            "created_at",
            "url",
            "thumbnail_url",
            "expires_at",
        ]

    def _urls(self, photo) -> dict:
        cache = self.context.setdefault("_urls", {})
        if photo.id not in cache:
            cache[photo.id] = self.context["urls"](photo)
        return cache[photo.id]

    def get_url(self, photo) -> str:
        return self._urls(photo)["url"]

    def get_thumbnail_url(self, photo) -> str:
        return self._urls(photo)["thumbnail_url"]

    def get_expires_at(self, photo) -> str:
        return serializers.DateTimeField().to_representation(self._urls(photo)["expires_at"])
