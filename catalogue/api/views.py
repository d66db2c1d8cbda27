from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from catalogue import sampling, selectors
from catalogue.api import docs
from catalogue.api.serializers import InspectionStandardSerializer, LotPlanSerializer, ProcessSerializer
from core.errors import InvalidInputError, NotFoundError

MAX_LOT_SIZE = 10_000_000


@extend_schema_view(get=docs.process_list)
class ProcessListView(ListAPIView):
    """The standard sub-processes a job can ask for, with each one's spec schema."""

    serializer_class = ProcessSerializer

    def get_queryset(self):
        return selectors.process_list()


CODE = OpenApiParameter(
    "code",
    str,
    OpenApiParameter.PATH,
    pattern=r"^[-a-zA-Z0-9_]+$",
    description="The process's code, e.g. `velcro_sewing` (a job's `process`).",
)


class ProcessDetailView(APIView):
    """One process of the catalogue, with the JSON Schema a job's spec for it must meet."""

    @docs.process_detail
    @extend_schema(parameters=[CODE], responses=ProcessSerializer)
    def get(self, request, code):
        process = selectors.process_get_by_code(code)
        if process is None:
            raise NotFoundError(_("Unknown process."))
        return Response(ProcessSerializer(process).data)


class _PlanQuery(serializers.Serializer):
    lot_size = serializers.IntegerField(min_value=2, max_value=MAX_LOT_SIZE, required=False)
    severity = serializers.ChoiceField(choices=list(sampling.SEVERITIES), default=sampling.NORMAL)


class ProcessInspectionSerializer(InspectionStandardSerializer):
    plan = LotPlanSerializer(allow_null=True, read_only=True)

    class Meta(InspectionStandardSerializer.Meta):
        fields = [*InspectionStandardSerializer.Meta.fields, "plan"]


class ProcessInspectionView(APIView):
    """A process's inspection standard: checklist, AQL per defect class and inspection level."""

    @docs.process_inspection
    @extend_schema(
        parameters=[
            OpenApiParameter("lot_size", int, description="A lot size to preview its sampling plan (2 or more)."),
            OpenApiParameter("severity", str, enum=list(sampling.SEVERITIES), description="Default normal."),
        ],
        responses=ProcessInspectionSerializer,
    )
    def get(self, request, code):
        process = selectors.process_get_by_code(code)
        if process is None:
            raise NotFoundError(_("Unknown process."))
        query = _PlanQuery(data=request.query_params)
        if not query.is_valid():
            raise InvalidInputError(_("Bad lot size or severity."), fields=query.errors)
        body = InspectionStandardSerializer(process).data
        lot_size = query.validated_data.get("lot_size")
        body["plan"] = (
            selectors.lot_plan(process, lot_size, query.validated_data["severity"]) if lot_size is not None else None
        )
        return Response(body)
