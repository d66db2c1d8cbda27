from marketplace.routing import route
from orders.api import views

urlpatterns = [
    route("processes", views.ProcessListView.as_view(), "process-list"),
]
