from catalogue.api import views
from core.routing import route

urlpatterns = [
    route("processes", views.ProcessListView.as_view(), "process-list"),
    route(r"processes/(?P<code>[-\w]+)", views.ProcessDetailView.as_view(), "process-detail"),
    route(r"processes/(?P<code>[-\w]+)/inspection", views.ProcessInspectionView.as_view(), "process-inspection"),
]
