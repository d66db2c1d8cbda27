from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsFactory, IsPlatformAdmin
from accounts.selectors import company_for_user
from core.api.base import EmptyInputSerializer, StrictSerializer, validated
from core.errors import InvalidInputError
from core.idempotency import idempotent
from payments import selectors, services
from payments.gateway import SIGNATURE_HEADER
from payments.models import SettlementBatch
from payments.services import settlement


class WebhookView(APIView):
    """The gateway's callback. Verifies the HMAC over the raw body, stores the event once,
    answers 200 at once and processes it after commit."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = []

    @extend_schema(
        request=OpenApiTypes.OBJECT,
        parameters=[OpenApiParameter(SIGNATURE_HEADER, str, OpenApiParameter.HEADER, required=True)],
        responses=inline_serializer(
            "WebhookAck", {"received": serializers.BooleanField(), "duplicate": serializers.BooleanField()}
        ),
    )
    def post(self, request, provider):
        event, created = services.webhook_receive(
            provider=provider, raw_body=request.body, signature=request.headers.get(SIGNATURE_HEADER)
        )
        return Response({"received": True, "duplicate": not created})


SandboxPayInputSerializer = EmptyInputSerializer


class SandboxPayView(APIView):
    """The sandbox gateway's pay page: ``?fail=1`` declines, ``?duplicate=1`` delivers the
    webhook twice, ``?delay=N`` delivers it N seconds late."""

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(
        request=SandboxPayInputSerializer,
        parameters=[
            OpenApiParameter("fail", bool),
            OpenApiParameter("duplicate", bool),
            OpenApiParameter("delay", int),
        ],
        responses=inline_serializer(
            "SandboxPayResult",
            {
                "payment_id": serializers.IntegerField(),
                "result": serializers.CharField(),
                "webhook": serializers.CharField(),
                "copies": serializers.IntegerField(),
                "delay_seconds": serializers.IntegerField(),
            },
        ),
    )
    def post(self, request, payment_id):
        if request.body:
            validated(SandboxPayInputSerializer, request)
        options = _SandboxOptions(data=request.query_params)
        options.is_valid(raise_exception=True)
        result = services.sandbox_pay(
            payment_id=payment_id,
            fail=options.validated_data["fail"],
            copies=2 if options.validated_data["duplicate"] else 1,
            delay_seconds=options.validated_data["delay"],
        )
        return Response(result)


class _SandboxOptions(serializers.Serializer):
    fail = serializers.BooleanField(default=False)
    duplicate = serializers.BooleanField(default=False)
    delay = serializers.IntegerField(min_value=0, max_value=3600, default=0)


class LedgerCheckView(APIView):
    permission_classes = [IsPlatformAdmin]

    @extend_schema(
        responses=inline_serializer(
            "LedgerCheck",
            {
                "balanced": serializers.BooleanField(),
                "accounts": serializers.IntegerField(),
                "transactions": serializers.IntegerField(),
                "problems": serializers.ListField(child=serializers.CharField()),
            },
        )
    )
    def get(self, request):
        report = selectors.ledger_check_report()
        return Response(
            {
                "balanced": report.balanced,
                "accounts": report.accounts,
                "transactions": report.transactions,
                "problems": report.problems,
            }
        )


class SettlementLineSerializer(serializers.Serializer):
    assignment = serializers.IntegerField(source="assignment_id")
    amount_fen = serializers.IntegerField()
    release_key = serializers.CharField()


class SettlementSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    factory = serializers.IntegerField(source="factory_id")
    factory_name = serializers.CharField(source="factory.name")
    status = serializers.CharField()
    total_fen = serializers.IntegerField()
    cutoff = serializers.DateTimeField()
    reason = serializers.CharField()
    payout_reference = serializers.CharField()
    created_at = serializers.DateTimeField()
    paid_at = serializers.DateTimeField(allow_null=True)
    lines = serializers.SerializerMethodField()

    @extend_schema_field(SettlementLineSerializer(many=True))
    def get_lines(self, obj):
        return SettlementLineSerializer([line for line in obj.lines.all() if line.active], many=True).data


STATUS_FILTER = OpenApiParameter("status", str, enum=[s for s, _ in SettlementBatch.Status.choices])


def _status_param(request):
    wanted = request.query_params.get("status")
    if wanted is not None and wanted not in SettlementBatch.Status.values:
        raise InvalidInputError("Unknown status.", fields={"status": ["Unknown value."]})
    return wanted


class _SettlementListBase(ListAPIView):
    serializer_class = SettlementSerializer

    @extend_schema(parameters=[STATUS_FILTER])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return SettlementBatch.objects.none()
        return selectors.settlement_list(factory_id=self.factory_id(), status=_status_param(self.request))

    def factory_id(self):
        return None


class SettlementListView(_SettlementListBase):
    """A factory's own settlement batches."""

    permission_classes = [IsFactory]

    def factory_id(self):
        return company_for_user(self.request.user).id


class AdminSettlementListView(_SettlementListBase):
    """Every batch, for platform admins."""

    permission_classes = [IsPlatformAdmin]


class RejectInputSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=500)


def _settlement_response(batch_id):
    return Response(SettlementSerializer(selectors.settlement_list().get(id=batch_id)).data)


class AdminSettlementApproveView(APIView):
    permission_classes = [IsPlatformAdmin]

    @extend_schema(request=EmptyInputSerializer, responses=SettlementSerializer)
    @idempotent
    def post(self, request, batch_id):
        validated(EmptyInputSerializer, request)
        batch = settlement.settlement_approve(batch_id=batch_id, admin=request.user)
        return _settlement_response(batch.id)


class AdminSettlementRejectView(APIView):
    permission_classes = [IsPlatformAdmin]

    @extend_schema(request=RejectInputSerializer, responses=SettlementSerializer)
    @idempotent
    def post(self, request, batch_id):
        data = RejectInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        batch = settlement.settlement_reject(
            batch_id=batch_id, admin=request.user, reason=data.validated_data["reason"]
        )
        return _settlement_response(batch.id)
