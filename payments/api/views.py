from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.api.base import StrictSerializer
from marketplace.permissions import IsFactory, IsPlatformAdmin
from marketplace.selectors import company_for_user
from payments import ledger, selectors, services
from payments.gateway import SIGNATURE_HEADER


class WalletSerializer(serializers.Serializer):
    escrow_fen = serializers.IntegerField()
    payable_fen = serializers.IntegerField()
    in_transit_fen = serializers.IntegerField()
    paid_out_fen = serializers.IntegerField()
    currency = serializers.CharField()


class WalletView(APIView):
    permission_classes = [IsFactory]

    @extend_schema(responses=WalletSerializer)
    def get(self, request):
        company = company_for_user(request.user)
        return Response(WalletSerializer(selectors.wallet_for_factory(company_id=company.id)).data)


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


class SandboxPayInputSerializer(StrictSerializer):
    pass


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
            SandboxPayInputSerializer(data=request.data).is_valid(raise_exception=True)
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
        report = ledger.ledger_check(finished_job_ids=selectors.finished_job_ids())
        return Response(
            {
                "balanced": report.balanced,
                "accounts": report.accounts,
                "transactions": report.transactions,
                "problems": report.problems,
            }
        )
