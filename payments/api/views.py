from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsFactory, IsPlatformAdmin, IsSME
from accounts.selectors import company_for_user
from core.admin import yuan
from core.api.base import EmptyInputSerializer, StrictSerializer, validated
from core.errors import ApplicationError, InvalidInputError, error_body
from core.idempotency import idempotent
from payments import selectors, services
from payments.api import docs
from payments.gateways.sandbox import checkout as sandbox
from payments.gateways.sandbox.signing import SIGNATURE_HEADER
from payments.models import Payment, SettlementBatch, SettlementLine
from payments.services import settlement


@extend_schema_view(post=docs.webhook)
class WebhookView(APIView):
    """The gateway's callback. Verifies the provider's signature over the raw body (the
    sandbox's HMAC; WeChat Pay's RSA signature and AES-GCM resource), stores the event once,
    answers 200 at once and processes it after commit."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = []

    @extend_schema(
        request=OpenApiTypes.OBJECT,
        parameters=[
            OpenApiParameter(
                SIGNATURE_HEADER,
                str,
                OpenApiParameter.HEADER,
                description="The sandbox's HMAC; WeChat Pay sends Wechatpay-Signature, -Timestamp, -Nonce, -Serial.",
            )
        ],
        responses=inline_serializer(
            "WebhookAck", {"received": serializers.BooleanField(), "duplicate": serializers.BooleanField()}
        ),
    )
    def post(self, request, provider):
        try:
            event, created = services.webhook_receive(provider=provider, raw_body=request.body, headers=request.headers)
        except ApplicationError as error:
            if provider != "wechatpay":
                raise
            # WeChat Pay's protocol: a refusal is a 4xx whose body carries {"code": "FAIL",
            # "message"}; it retries later. The contract's error shape rides along.
            body = {**error_body(error.code, error.message, error.fields), "code": "FAIL", "message": error.message}
            return Response(body, status=error.status_code)
        return Response({"received": True, "duplicate": not created})


class WechatPayPrepayInputSerializer(StrictSerializer):
    channel = serializers.ChoiceField(choices=["app", "jsapi"])
    openid = serializers.CharField(max_length=128, required=False, default="")


@extend_schema_view(post=docs.wechatpay_prepay)
class WechatPayPrepayView(APIView):
    """WeChat Pay's prepay parameters for the SME's app (``app``: appid, partnerid,
    prepayid, package, noncestr, timestamp, sign) or a WeChat page (``jsapi``, with the
    payer's ``openid``: appId, timeStamp, nonceStr, package, signType, paySign). The job's
    ``pay_url`` is the QR code (Native) instead; asking here closes that one."""

    permission_classes = [IsSME]

    @extend_schema(request=WechatPayPrepayInputSerializer, responses=OpenApiTypes.OBJECT)
    def post(self, request, payment_id):
        data = validated(WechatPayPrepayInputSerializer, request)
        checkout = services.payment_checkout(
            payment_id=payment_id,
            sme_id=company_for_user(request.user).id,
            channel=data["channel"],
            payer=data["openid"],
        )
        return Response(dict(checkout.params))


class WechatPayQrSerializer(serializers.Serializer):
    payment_id = serializers.IntegerField(help_text="The payment the code pays.")
    amount_fen = serializers.IntegerField(help_text="What the code pays, in fen (the job's total).")
    code_url = serializers.CharField(help_text="The Native order's code_url (the job's pay_url).")
    qr_svg_data_url = serializers.CharField(help_text="The QR code of code_url: data:image/svg+xml;base64,…")
    expires_at = serializers.DateTimeField(allow_null=True, help_text="When WeChat Pay closes this code.")


@extend_schema_view(post=docs.wechatpay_qr)
class WechatPayQrView(APIView):
    """The QR code the job's SME scans with WeChat to pay (Native): its ``code_url`` and the
    code drawn as an SVG data URL an ``<img>`` shows. A POST, like the prepay: asking may open
    or renew the order at WeChat Pay."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=EmptyInputSerializer, responses=WechatPayQrSerializer)
    def post(self, request, payment_id):
        validated(EmptyInputSerializer, request)
        company = company_for_user(request.user)
        qr = services.payment_native_qr(payment_id=payment_id, sme_id=company.id if company else None)
        return Response(WechatPayQrSerializer(qr).data)


SandboxPayInputSerializer = EmptyInputSerializer

_PAY_RESULT = {
    "paid": "已支付，确认稍后到达。Paid: the confirmation is on its way.",
    "declined": "已拒绝。Declined.",
}


@extend_schema_view(post=docs.sandbox_pay)
class SandboxPayView(APIView):
    """The sandbox gateway's checkout for one payment, at the payment's ``pay_url`` (the
    token in the path is the payer's key: a wrong one is 404). ``GET`` is the HTML page;
    ``POST`` pays, ``?fail=1`` declines. With ``DEBUG`` or ``SANDBOX_TEST_KNOBS``,
    ``?duplicate=1`` delivers the webhook twice and ``?delay=N`` delivers it late."""

    permission_classes = [AllowAny]
    authentication_classes = []

    def perform_content_negotiation(self, request, force=False):
        # A browser asking for HTML gets the page (rendered here), never a 406.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(exclude=True)
    def get(self, request, payment_id, token):
        payment = sandbox.sandbox_payment_for_link(payment_id=payment_id, token=token)
        return _pay_page(request, payment)

    @extend_schema(
        request=SandboxPayInputSerializer,
        parameters=[
            OpenApiParameter("fail", bool),
            OpenApiParameter("duplicate", bool, description="Test knob (DEBUG or SANDBOX_TEST_KNOBS only)."),
            OpenApiParameter("delay", int, description="Test knob (DEBUG or SANDBOX_TEST_KNOBS only), seconds."),
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
    def post(self, request, payment_id, token):
        wants_html = "text/html" in request.headers.get("Accept", "")
        try:
            if request.body and not wants_html:
                validated(SandboxPayInputSerializer, request)
            options = _SandboxOptions(data=request.query_params)
            options.is_valid(raise_exception=True)
            result = sandbox.sandbox_pay(
                payment_id=payment_id,
                token=token,
                fail=options.validated_data["fail"],
                copies=2 if options.validated_data["duplicate"] else 1,
                delay_seconds=options.validated_data["delay"],
            )
        except ApplicationError as error:
            if not wants_html or error.status_code == 404:
                raise
            payment = sandbox.sandbox_payment_for_link(payment_id=payment_id, token=token)
            return _pay_page(request, payment, message=error.message, error=True, status=error.status_code)
        if wants_html:
            payment = sandbox.sandbox_payment_for_link(payment_id=payment_id, token=token)
            return _pay_page(request, payment, message=_PAY_RESULT[result["result"]], payable=False)
        return Response(result)


def _pay_page(request, payment, *, message="", error=False, payable=None, status=200):
    context = {
        "payment": payment,
        "amount": yuan(payment.amount_fen),
        "payable": payment.status == Payment.Status.REQUIRES_PAYMENT if payable is None else payable,
        "message": message,
        "error": error,
    }
    return TemplateResponse(request, "payments/sandbox_pay.html", context, status=status)


class _SandboxOptions(serializers.Serializer):
    fail = serializers.BooleanField(default=False)
    duplicate = serializers.BooleanField(default=False)
    delay = serializers.IntegerField(min_value=0, max_value=3600, default=0)


@extend_schema_view(get=docs.ledger_check)
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


class PayoutConfirmationSerializer(serializers.Serializer):
    package_info = serializers.CharField(help_text="WeChat Pay's package for requestMerchantTransfer.")
    mch_id = serializers.CharField(help_text="The merchant id (mchId) to pass to WeChat.")
    app_id = serializers.CharField(help_text="The AppID (appId) the payee's openid belongs to.")
    confirm_by = serializers.DateTimeField(allow_null=True, help_text="WeChat Pay closes the transfer after this.")


class SettlementLineSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    assignment = serializers.IntegerField(source="assignment_id")
    amount_fen = serializers.IntegerField()
    release_key = serializers.CharField()
    active = serializers.BooleanField(help_text="False once the line left the batch (its transfer came back).")
    payout_status = serializers.ChoiceField(choices=SettlementLine.Payout.choices)
    payout_reference = serializers.CharField()
    payout_reason = serializers.CharField()
    confirmation = serializers.SerializerMethodField()

    @extend_schema_field(PayoutConfirmationSerializer(allow_null=True))
    def get_confirmation(self, line):
        """What the factory's app needs to open WeChat's confirmation, while it is asked for."""
        if line.payout_status != SettlementLine.Payout.AWAITING_CONFIRMATION or not line.confirmation:
            return None
        return PayoutConfirmationSerializer({**line.confirmation, "confirm_by": line.confirm_by}).data


class SettlementSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    factory = serializers.IntegerField(source="factory_id")
    factory_name = serializers.CharField(source="factory.name")
    status = serializers.CharField()
    total_fen = serializers.IntegerField()
    cutoff = serializers.DateTimeField()
    reason = serializers.CharField()
    created_at = serializers.DateTimeField()
    paid_at = serializers.DateTimeField(allow_null=True)
    lines = serializers.SerializerMethodField()

    @extend_schema_field(SettlementLineSerializer(many=True))
    def get_lines(self, obj):
        """Every line of the batch, those whose transfer came back too (not ``active``):
        the lines add up to ``total_fen``."""
        return SettlementLineSerializer(list(obj.lines.all()), many=True).data


STATUS_FILTER = OpenApiParameter("status", str, enum=[s for s, _ in SettlementBatch.Status.choices])


def _status_param(request):
    wanted = request.query_params.get("status")
    if wanted is not None and wanted not in SettlementBatch.Status.values:
        raise InvalidInputError(_("Unknown status."), fields={"status": [_("Unknown value.")]})
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


@extend_schema_view(get=docs.settlement_list)
class SettlementListView(_SettlementListBase):
    """A factory's own settlement batches."""

    permission_classes = [IsFactory]

    def factory_id(self):
        return company_for_user(self.request.user).id


@extend_schema_view(get=docs.admin_settlement_list)
class AdminSettlementListView(_SettlementListBase):
    """Every batch, for platform admins."""

    permission_classes = [IsPlatformAdmin]


class RejectInputSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=500)


def _settlement_response(batch_id):
    return Response(SettlementSerializer(selectors.settlement_list().get(id=batch_id)).data)


@extend_schema_view(post=docs.approve)
class AdminSettlementApproveView(APIView):
    permission_classes = [IsPlatformAdmin]

    @extend_schema(request=EmptyInputSerializer, responses=SettlementSerializer)
    @idempotent
    def post(self, request, batch_id):
        validated(EmptyInputSerializer, request)
        batch = settlement.settlement_approve(batch_id=batch_id, admin=request.user)
        return _settlement_response(batch.id)


@extend_schema_view(post=docs.reject)
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


@extend_schema_view(post=docs.payout_refresh)
class PayoutRefreshView(APIView):
    """The factory's app, after the payee confirmed the transfer in WeChat: ask the gateway
    now instead of waiting for its notification. Answers the line."""

    permission_classes = [IsFactory]

    @extend_schema(request=EmptyInputSerializer, responses=SettlementLineSerializer)
    def post(self, request, line_id):
        validated(EmptyInputSerializer, request)
        line = settlement.payout_refresh(line_id=line_id, factory_id=company_for_user(request.user).id)
        return Response(SettlementLineSerializer(line).data)
