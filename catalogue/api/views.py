from drf_spectacular.utils import extend_schema_view
from rest_framework.generics import ListAPIView

from catalogue import selectors
from catalogue.api import docs
from catalogue.api.serializers import ProcessSerializer


@extend_schema_view(get=docs.process_list)
class ProcessListView(ListAPIView):
    """The standard sub-processes a job can ask for, with each one's spec schema."""

    serializer_class = ProcessSerializer

    def get_queryset(self):
        return selectors.process_list()
