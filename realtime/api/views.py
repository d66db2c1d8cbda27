"""The real-time HTTP endpoints (API.md "Real-time events"): a socket ticket, the stream over
HTTP for catch-up, and the phones that receive pushes. The socket itself is
``realtime.consumers``."""

from django.http import JsonResponse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.tokens import login_age
from accounts.selectors import company_for_user
from core.api.base import EmptyInputSerializer, validated
from core.errors import ForbiddenError
from core.idempotency import idempotent
from realtime import selectors, services
from realtime.api import docs
from realtime.api.serializers import (
    DeviceInputSerializer,
    DeviceSerializer,
    EventPageSerializer,
    EventSerializer,
    EventsQuerySerializer,
    TicketSerializer,
)
from realtime.asyncapi import asyncapi_document
from realtime.models import Device


def _company(request):
    company = company_for_user(request.user)
    if company is None:
        raise ForbiddenError(_("Only a company's users have an event stream."))
    return company


def _ticket_body(request) -> dict:
    ticket, expires_at = services.ticket_issue(user=request.user)
    return TicketSerializer({"ticket": ticket, "expires_at": expires_at}).data


@extend_schema_view(post=docs.ticket)
@method_decorator(never_cache, name="dispatch")  # a ticket: no cache may keep it
class TicketView(APIView):
    """A single-use ticket for opening ``/ws/v1/events?ticket=…`` (good for 60 s), for
    clients that cannot set an ``Authorization`` header on a WebSocket handshake."""

    @extend_schema(request=EmptyInputSerializer, responses={201: TicketSerializer})
    @idempotent(secret_fields=("ticket",), replay=lambda request, body: {**body, **_ticket_body(request)})
    def post(self, request):
        _company(request)
        validated(EmptyInputSerializer, request)
        return Response(_ticket_body(request), status=status.HTTP_201_CREATED)


@extend_schema_view(get=docs.events)
class EventListView(APIView):
    """The company's event stream over HTTP, oldest first: every event with ``seq`` >
    ``after``; follow ``next`` until it is null, then keep the last ``seq`` for the socket's
    ``after`` (or the next poll)."""

    @extend_schema(
        parameters=[OpenApiParameter("after", int), OpenApiParameter("page_size", int)],
        responses=EventPageSerializer,
    )
    def get(self, request):
        company = _company(request)
        query = EventsQuerySerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        query = query.validated_data
        events = selectors.events_after(company_id=company.id, after=query["after"], limit=query["page_size"])
        next_url = None
        if len(events) == query["page_size"]:
            next_url = request.build_absolute_uri(
                f"{request.path}?after={events[-1].seq}&page_size={query['page_size']}"
            )
        return Response(
            {
                "results": EventSerializer(events, many=True).data,
                "next": next_url,
                "last_seq": selectors.last_seq(company_id=company.id),
            }
        )


@extend_schema_view(get=docs.devices, post=docs.device_register)
class DeviceListView(ListAPIView):
    """``GET``: the company's registered phones. ``POST {platform, token}``: register one for
    mobile pushes (sent for offers and jobs that need the company while none of its apps
    holds a socket). Registering its own token again is a 200; another user's token moves to
    this user only after a fresh login (``realtime.services.device_register``), else 409."""

    serializer_class = DeviceSerializer

    def get_queryset(self):
        company = company_for_user(self.request.user)
        if company is None or getattr(self, "swagger_fake_view", False):
            return Device.objects.none()
        return Device.objects.filter(company=company).order_by("id")

    @extend_schema(request=DeviceInputSerializer, responses={201: DeviceSerializer, 200: DeviceSerializer})
    @idempotent
    def post(self, request):
        company = _company(request)
        data = validated(DeviceInputSerializer, request)
        device, created = services.device_register(
            user=request.user, company=company, login_age=login_age(request), **data
        )
        return Response(
            DeviceSerializer(device).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


@extend_schema_view(delete=docs.device_remove)
class DeviceDetailView(APIView):
    @extend_schema(request=None, responses={204: None})
    def delete(self, request, device_id):
        """Stop pushes to this phone (404 if it is not your company's)."""
        services.device_remove(device_id=device_id, company=_company(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


def asyncapi_view(request):
    """The AsyncAPI 3 document of ``/ws/v1/events`` (``realtime.asyncapi``), public like the
    OpenAPI schema."""
    return JsonResponse(asyncapi_document(), json_dumps_params={"ensure_ascii": False, "indent": 1})
