"""The shapes of a share's inspection and a factory's quality (docs/inspection.md)."""

from rest_framework import serializers

from catalogue.api.serializers import InspectionStandardSerializer, LotPlanSerializer
from core.api.base import ModelSerializer, StrictSerializer
from orders.models import FactoryQuality, Inspection
from orders.services import MAX_QUANTITY


class InspectionInputSerializer(StrictSerializer):
    sample_inspected = serializers.IntegerField(
        min_value=1, max_value=MAX_QUANTITY, help_text="Pieces inspected: at least the plan's sample_size."
    )
    defects = serializers.DictField(
        child=serializers.IntegerField(min_value=0, max_value=MAX_QUANTITY),
        help_text="Defects found per checklist item code; items not named found none.",
    )
    on_reject = serializers.ChoiceField(
        choices=[Inspection.Next.REWORK, Inspection.Next.DISPUTE],
        default=Inspection.Next.REWORK,
        help_text="If the lot is rejected: back to the factory to rework, or a dispute.",
    )
    note = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")
    photo_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1), max_length=20, required=False, default=list
    )


class InspectionSerializer(ModelSerializer):
    """One inspection of a delivered lot: the plan it was judged by and the verdict."""

    plan = LotPlanSerializer()
    defects = serializers.DictField(child=serializers.IntegerField(), help_text="Defects per checklist item.")
    found = serializers.DictField(child=serializers.IntegerField(), help_text="Defects per class.")
    photo_ids = serializers.ListField(child=serializers.IntegerField())
    inspected_at = serializers.DateTimeField(source="created_at")

    class Meta:
        model = Inspection
        fields = [
            "id",
            "assignment",
            "round",
            "lot_size",
            "severity",
            "plan",
            "sample_inspected",
            "defects",
            "found",
            "accepted",
            "next",
            "note",
            "photo_ids",
            "inspected_at",
        ]


class LastInspectionSerializer(serializers.Serializer):
    """A share's latest inspection, as the share carries it (``orders.selectors.last_inspection``):
    enough to know whether and how its lot was judged; the rest is the share's inspection page."""

    id = serializers.IntegerField()
    round = serializers.IntegerField()
    accepted = serializers.BooleanField()
    next = serializers.ChoiceField(choices=Inspection.Next.choices)
    inspected_at = serializers.DateTimeField()


class AssignmentInspectionSerializer(serializers.Serializer):
    assignment_id = serializers.IntegerField()
    status = serializers.CharField(help_text="The share's status.")
    severity = serializers.CharField(help_text="Where the switching rules stand for this factory and process.")
    plan = LotPlanSerializer(allow_null=True, help_text="The plan for the delivered lot, until it is inspected.")
    standard = InspectionStandardSerializer()
    inspections = InspectionSerializer(many=True)


class FactoryQualitySerializer(ModelSerializer):
    """A factory's quality at one process, from its lots' original inspections."""

    process = serializers.CharField(source="process.code")
    first_pass_rate = serializers.FloatField(
        allow_null=True, help_text="Share of lots accepted at their first inspection (null before any)."
    )
    defects_per_100 = serializers.FloatField(
        allow_null=True, help_text="Defects found per 100 pieces inspected (null before any)."
    )

    class Meta:
        model = FactoryQuality
        fields = [
            "process",
            "severity",
            "discontinued",
            "lots",
            "lots_accepted",
            "first_pass_rate",
            "units_inspected",
            "defects",
            "defects_per_100",
            "score",
            "updated_at",
        ]
