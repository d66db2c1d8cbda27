"""Thin views: parse, call one service or selector, render."""

from django.http import FileResponse
from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.base import validated
from evidence import selectors, services, storage
from evidence.api import docs
from evidence.api import serializers as s
from evidence.models import Photo


def _local_url(request, name: str):
    return lambda token: request.build_absolute_uri(reverse(name, kwargs={"token": token}))


def _photo_context(request) -> dict:
    local = _local_url(request, "photo-file")
    return {"request": request, "urls": lambda photo: selectors.photo_read_urls(photo, local_url=local)}


@extend_schema_view(post=docs.photo_upload_start)
class PhotoUploadStartView(APIView):
    @extend_schema(request=s.UploadInputSerializer, responses={201: s.UploadSerializer})
    def post(self, request, job_id):
        data = validated(s.UploadInputSerializer, request)
        upload = services.photo_upload_start(
            job_id=int(job_id),
            user=request.user,
            kind=data["kind"],
            assignment_id=data.get("assignment"),
            local_url=_local_url(request, "photo-upload-receive"),
        )
        return Response(s.UploadSerializer(upload).data, status=status.HTTP_201_CREATED)


@extend_schema_view(get=docs.photo_list, post=docs.photo_confirm)
class PhotoListConfirmView(ListAPIView):
    serializer_class = s.PhotoSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Photo.objects.none()
        return selectors.photo_list_for_user(job_id=int(self.kwargs["job_id"]), user=self.request.user)

    def get_serializer_context(self):
        return _photo_context(self.request)

    @extend_schema(request=s.ConfirmInputSerializer, responses={201: s.PhotoSerializer, 200: s.PhotoSerializer})
    def post(self, request, job_id):
        data = validated(s.ConfirmInputSerializer, request)
        photo, created = services.photo_confirm(job_id=int(job_id), user=request.user, upload_key=data["upload_key"])
        body = s.PhotoSerializer(photo, context=_photo_context(request)).data
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


@extend_schema_view(post=docs.photo_upload_receive)
class PhotoUploadReceiveView(APIView):
    # The signed URL is the credential, as a presigned POST's policy is: no API token.
    authentication_classes = []
    permission_classes = [AllowAny]
    parser_classes = [MultiPartParser]

    @extend_schema(request=None, responses={204: OpenApiResponse(description="Stored.")})
    def post(self, request, token):
        services.photo_upload_receive(token=token, upload=request.FILES.get(storage.FILE_FIELD))
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(get=docs.photo_file)
class PhotoFileView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(responses={200: OpenApiResponse(description="The photo's JPEG bytes (`image/jpeg`).")})
    def get(self, request, token):
        name = selectors.photo_file_for_token(token)
        response = FileResponse(storage.photo_storage().open(name, "rb"), content_type="image/jpeg")
        response["Cache-Control"] = "private, max-age=60"
        return response
