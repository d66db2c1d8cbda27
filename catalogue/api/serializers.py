from rest_framework import serializers

from catalogue.models import Process


class ProcessSerializer(serializers.ModelSerializer):
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
