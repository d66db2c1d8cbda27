from catalogue.api import views
from core.routing import route

urlpatterns = [
    route("processes", views.ProcessListView.as_view(), "process-list"),
]
