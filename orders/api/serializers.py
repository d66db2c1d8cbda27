from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.selectors import company_for_user
from core.api.base import (  # noqa: F401 (re-exported)
    EmptyInputSerializer,
    ModelSerializer,
    OffsetDateTimeField,
    StrictSerializer,
    money,
)
from core.api.shapes import shape_serializer
from orders import selectors
from orders.api.inspection_serializers import LastInspectionSerializer
from orders.cards import BoardCard, OfferCard
from orders.models import Assignment, Job, JobHistory
from orders.services import MAX_QUANTITY, MAX_UNIT_PRICE_FEN
from payments.selectors import payment_summary

REASON = {"max_length": 500, "required": False, "allow_blank": True, "default": ""}


# --- input --------------------------------------------------------------------------


class QuoteInputSerializer(StrictSerializer):
    process = serializers.CharField(max_length=64)
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY)
    spec = serializers.JSONField(
        required=False, help_text="Optional for a quote; checked against the process if given."
    )
    deadline = OffsetDateTimeField(
        help_text="By when the work must be delivered: an ISO 8601 date-time with its offset, "
        "e.g. 2026-12-12T18:00:00+08:00 (a date alone or a time without an offset is a 400)."
    )


class JobInputSerializer(QuoteInputSerializer):
    spec = serializers.JSONField()
    unit_price_fen = serializers.IntegerField(min_value=1, max_value=MAX_UNIT_PRICE_FEN)
    mode = serializers.ChoiceField(choices=Job.Mode.choices, default=Job.Mode.GRAB)
    allow_split = serializers.BooleanField(default=False)
    lat = serializers.FloatField(min_value=-90, max_value=90, required=False, allow_null=True)
    lng = serializers.FloatField(min_value=-180, max_value=180, required=False, allow_null=True)
    address = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class ReasonInputSerializer(StrictSerializer):
    reason = serializers.CharField(**REASON)


class RequiredReasonInputSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=500)


class AcceptJobInputSerializer(StrictSerializer):
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY, required=False)


class MaterialsSentInputSerializer(StrictSerializer):
    note = serializers.CharField(**REASON)
    quantity_sent = serializers.IntegerField(min_value=1, max_value=2 * MAX_QUANTITY, required=False)


class MaterialsReceivedInputSerializer(StrictSerializer):
    quantity_received = serializers.IntegerField(min_value=0, max_value=2 * MAX_QUANTITY)


class ProgressInputSerializer(StrictSerializer):
    quantity_done = serializers.IntegerField(min_value=0, max_value=MAX_QUANTITY)


class DeliverInputSerializer(StrictSerializer):
    quantity_delivered = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY)
    quantity_lost = serializers.IntegerField(min_value=0, max_value=MAX_QUANTITY, default=0)
    leftover = serializers.ChoiceField(choices=["return", "write_off"], default="return")


class AcceptDeliveryInputSerializer(StrictSerializer):
    quantity_accepted = serializers.IntegerField(min_value=0, max_value=MAX_QUANTITY)
    rating = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class ResolveDisputeInputSerializer(StrictSerializer):
    quantity_accepted = serializers.IntegerField(min_value=0, max_value=MAX_QUANTITY)
    note = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


# --- output -------------------------------------------------------------------------


class CompanyRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class AssignmentSerializer(ModelSerializer):
    factory = CompanyRefSerializer()
    amount_fen = serializers.IntegerField()
    amount = serializers.SerializerMethodField()
    materials = serializers.SerializerMethodField()
    last_inspection = serializers.SerializerMethodField()

    class Meta:
        model = Assignment
        fields = [
            "id",
            "job",
            "factory",
            "quantity",
            "unit_price_fen",
            "amount_fen",
            "amount",
            "status",
            "via",
            "quantity_sent",
            "quantity_received",
            "quantity_done",
            "quantity_delivered",
            "quantity_accepted",
            "quantity_rejected",
            "rating",
            "comment",
            "assigned_at",
            "delivered_at",
            "completed_at",
            "materials",
            "last_inspection",
        ]

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_amount(self, obj):
        return money(obj.amount_fen)

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_materials(self, obj):
        """Pieces' worth of the SME's material, by movement kind."""
        totals = {kind: 0 for kind in ("sent", "received", "consumed", "loss", "returned", "written_off")}
        totals["returned_confirmed"] = 0  # of returned: what the SME confirmed it has back
        for movement in obj.material_movements.all():
            totals[movement.kind] += movement.quantity
            if movement.kind == "returned" and movement.confirmed_at is not None:
                totals["returned_confirmed"] += movement.quantity
        return totals

    @extend_schema_field(LastInspectionSerializer(allow_null=True))
    def get_last_inspection(self, obj):
        row = selectors.last_inspection(obj)
        return None if row is None else LastInspectionSerializer(row).data


class PaymentSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    amount_fen = serializers.IntegerField()
    refunded_fen = serializers.IntegerField()
    currency = serializers.CharField()
    pay_url = serializers.CharField(
        help_text="The gateway's pay page, for the job's SME while the payment can be paid (`requires_payment`, "
        '`failed`); "" for anyone else and in every other status.'
    )


class JobSerializer(ModelSerializer):
    process = serializers.CharField(source="process.code")
    process_name = serializers.CharField(source="process.name", help_text="The process's name in English.")
    process_name_zh = serializers.CharField(source="process.name_zh", help_text="The process's name in Chinese.")
    sme = CompanyRefSerializer()
    total = serializers.SerializerMethodField()
    assignments = AssignmentSerializer(many=True)
    payment = serializers.SerializerMethodField()

    class Meta:
        model = Job
        fields = [
            "id",
            "process",
            "process_name",
            "process_name_zh",
            "spec",
            "quantity",
            "unit_price_fen",
            "total_fen",
            "total",
            "currency",
            "deadline",
            "lat",
            "lng",
            "address",
            "mode",
            "allow_split",
            "status",
            "on_board",
            "sme",
            "assignments",
            "payment",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_total(self, obj):
        return money(obj.total_fen, obj.currency)

    @extend_schema_field(PaymentSummarySerializer(allow_null=True))
    def get_payment(self, obj):
        """The payment; its ``pay_url`` only for the job's SME (a factory holding a share sees "")."""
        request = self.context.get("request")
        viewer = company_for_user(getattr(request, "user", None))
        return payment_summary(obj.payment, request=request, payer=viewer is not None and viewer.id == obj.sme_id)


class BoardJobSerializer(shape_serializer(BoardCard)):
    """A job on the factory's board (``orders.cards.BoardCard``): rows of ``BoardRow``."""


def board_rows_data(rows) -> list[dict]:
    """A board page: each ``BoardRow`` as its card (``BoardCard.of``), without a
    serializer's per-field machinery (50 rows a page were a tenth of the board's CPU)."""
    return [BoardCard.of(row) for row in rows]


class JobHistorySerializer(ModelSerializer):
    actor = serializers.SerializerMethodField(
        help_text="Who did it: a username of the reader's own company, else the other party's role and company "
        'name ("Factory · Hongda Caps"), "Platform" for a platform admin, "system" for the platform itself.'
    )

    class Meta:
        model = JobHistory
        fields = ["id", "assignment", "actor", "action", "old_status", "new_status", "data", "created_at"]

    def get_actor(self, event) -> str:
        """Another company's login names are not shown (they are what a password guesser
        needs): its people appear by their company's role and name."""
        if event.actor_id is None:
            return event.actor_label if event.actor_label == "system" else gettext("A former user")
        membership = getattr(event.actor, "membership", None)
        if membership is None:
            return gettext("Platform")
        request = self.context.get("request")
        viewer = company_for_user(getattr(request, "user", None))
        if viewer is not None and viewer.id == membership.company_id:
            return event.actor_label
        company = membership.company
        return f"{company.get_kind_display()} · {company.name}"


class QuoteSerializer(serializers.Serializer):
    unit_price_fen = serializers.IntegerField()
    total_fen = serializers.IntegerField()
    currency = serializers.CharField()
    reference_unit_price_fen = serializers.IntegerField()
    market_unit_price_fen = serializers.IntegerField(allow_null=True)
    urgency_surcharge_bps = serializers.IntegerField()


class OfferSerializer(shape_serializer(OfferCard)):
    """Everything a factory needs to decide before it accepts (``orders.cards.OfferCard``),
    and over HTTP when the offer was made."""

    created_at = serializers.DateTimeField(read_only=True, help_text="When the offer was made (+08:00).")


class DeclineInputSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class WalletSerializer(serializers.Serializer):
    escrow_fen = serializers.IntegerField()
    payable_fen = serializers.IntegerField()
    in_transit_fen = serializers.IntegerField()
    paid_out_fen = serializers.IntegerField()
    currency = serializers.CharField()


class JobsSummarySerializer(serializers.Serializer):
    jobs_by_status = serializers.DictField(child=serializers.IntegerField())
    paid_fen = serializers.IntegerField()
    escrow_fen = serializers.IntegerField()
    released_fen = serializers.IntegerField()
    refunded_fen = serializers.IntegerField()
    refunds_sent_fen = serializers.IntegerField()
    currency = serializers.CharField()
