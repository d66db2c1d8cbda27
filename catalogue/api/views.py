from rest_framework.generics import ListAPIView

from catalogue import selectors
from catalogue.api.serializers import ProcessSerializer


class ProcessListView(ListAPIView):
    """The standard sub-processes a job can ask for, with each one's spec schema."""

    serializer_class = ProcessSerializer

    def get_queryset(self):
        return selectors.process_list()
