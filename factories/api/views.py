from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsFactory, IsPlatformAdmin
from accounts.selectors import company_for_user
from catalogue.selectors import process_get_by_code
from core.api.base import validated
from core.errors import InvalidInputError
from core.idempotency import idempotent
from factories import selectors, services
from factories.api import docs
from factories.api import serializers as s
from factories.models import Capability


@extend_schema_view(get=docs.profile_get, patch=docs.profile_update)
class FactoryProfileView(APIView):
    permission_classes = [IsFactory]

    @extend_schema(responses=s.FactoryProfileSerializer)
    def get(self, request):
        profile = selectors.factory_profile_get(company=company_for_user(request.user))
        return Response(s.FactoryProfileSerializer(profile).data)

    @extend_schema(request=s.FactoryProfileInputSerializer, responses=s.FactoryProfileSerializer)
    def patch(self, request):
        data = validated(s.FactoryProfileInputSerializer, request)
        profile = services.factory_profile_update(company=company_for_user(request.user), **data)
        return Response(s.FactoryProfileSerializer(profile).data)


@extend_schema_view(get=docs.capability_list, post=docs.capability_create)
class CapabilityListCreateView(ListAPIView):
    permission_classes = [IsFactory]
    serializer_class = s.CapabilitySerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Capability.objects.none()
        return selectors.capability_list_for_factory(company=company_for_user(self.request.user))

    @extend_schema(request=s.CapabilityInputSerializer, responses={201: s.CapabilitySerializer})
    @idempotent
    def post(self, request):
        data = validated(s.CapabilityInputSerializer, request)
        process = process_get_by_code(data.pop("process"))
        if process is None:
            raise InvalidInputError(_("Unknown process."), code="unknown_process", fields={"process": [_("Unknown.")]})
        capability = services.capability_create(company=company_for_user(request.user), process=process, **data)
        return Response(s.CapabilitySerializer(capability).data, status=status.HTTP_201_CREATED)


@extend_schema_view(patch=docs.capability_update, delete=docs.capability_delete)
class CapabilityDetailView(APIView):
    permission_classes = [IsFactory]

    @extend_schema(request=s.CapabilityUpdateSerializer, responses=s.CapabilitySerializer)
    def patch(self, request, capability_id):
        capability = selectors.capability_get_for_factory(
            company=company_for_user(request.user), capability_id=capability_id
        )
        data = validated(s.CapabilityUpdateSerializer, request)
        capability = services.capability_update(capability=capability, **data)
        return Response(s.CapabilitySerializer(capability).data)

    @extend_schema(responses={204: None})
    def delete(self, request, capability_id):
        capability = selectors.capability_get_for_factory(
            company=company_for_user(request.user), capability_id=capability_id
        )
        services.capability_delete(capability=capability)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(post=docs.verify)
class AdminFactoryVerifyView(APIView):
    permission_classes = [IsPlatformAdmin]

    @extend_schema(request=s.VerifyInputSerializer, responses=s.FactoryProfileSerializer)
    @idempotent
    def post(self, request, company_id):
        data = validated(s.VerifyInputSerializer, request)
        # The path's digits as the number the services and seams take (core.seams checks it).
        profile = services.factory_verify(company_id=int(company_id), admin=request.user, status=data["status"])
        return Response(s.FactoryProfileSerializer(profile).data)
