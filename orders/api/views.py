from rest_framework.generics import ListAPIView

from orders import selectors
from orders.api.serializers import ProcessSerializer


class ProcessListView(ListAPIView):
    serializer_class = ProcessSerializer

    def get_queryset(self):
        return selectors.process_list()
