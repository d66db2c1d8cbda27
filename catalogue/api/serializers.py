from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from catalogue import sampling, selectors
from catalogue.api.schema import JSON_SCHEMA_REF
from catalogue.models import InspectionItem, Process


@extend_schema_field(JSON_SCHEMA_REF)
class SpecSchemaField(serializers.JSONField):
    """A process's JSON Schema of a job's spec: the schema's ``JsonSchema`` component."""


class ProcessSerializer(serializers.ModelSerializer):
    spec_schema = SpecSchemaField(read_only=True)

    class Meta:
        model = Process
        fields = [
            "code",
            "name",
            "name_zh",
            "unit",
            "spec_schema",
            "reference_unit_price_fen",
            "material_tolerance_bps",
        ]


class InspectionItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = InspectionItem
        fields = ["code", "name", "name_zh", "criterion", "criterion_zh", "defect_class"]


class ClassPlanSerializer(serializers.Serializer):
    aql = serializers.CharField(help_text="The class's AQL as the standard prints it.")
    plan_letter = serializers.CharField(help_text="The master table row used, after any arrow.")
    sample_size = serializers.IntegerField(help_text="Pieces inspected for this class.")
    ac = serializers.IntegerField(help_text="Accept the lot with at most this many defects of the class.")
    re = serializers.IntegerField(help_text="Reject the lot at this many defects of the class or more.")


class ClassPlansSerializer(serializers.Serializer):
    critical = ClassPlanSerializer()
    major = ClassPlanSerializer()
    minor = ClassPlanSerializer()


class LotPlanSerializer(serializers.Serializer):
    """A lot's single sampling plan (catalogue.selectors.lot_plan)."""

    lot_size = serializers.IntegerField()
    level = serializers.CharField(help_text="Inspection level: I, II, III or S-1..S-4.")
    severity = serializers.ChoiceField(choices=list(sampling.SEVERITIES))
    code_letter = serializers.CharField(help_text="Sample size code letter of the lot (Table 1).")
    sample_size = serializers.IntegerField(help_text="Pieces to draw: the largest class's sample.")
    full_inspection = serializers.BooleanField(help_text="A class's sample is the whole lot.")
    classes = ClassPlansSerializer()


class InspectionStandardSerializer(serializers.ModelSerializer):
    process = serializers.CharField(source="code")
    level = serializers.CharField(source="inspection_level")
    aql = serializers.SerializerMethodField()
    items = InspectionItemSerializer(source="inspection_items", many=True)

    class Meta:
        model = Process
        fields = ["process", "level", "aql", "items"]

    def get_aql(self, process) -> dict[str, str]:
        return {defect_class: process.aql_of(defect_class) for defect_class in selectors.DEFECT_CLASSES}
