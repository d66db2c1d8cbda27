from core.routing import route
from realtime.api import views

urlpatterns = [
    route("realtime/ticket", views.TicketView.as_view(), "realtime-ticket"),
    route("events", views.EventListView.as_view(), "event-list"),
    route("devices", views.DeviceListView.as_view(), "device-list"),
    route(r"devices/(?P<device_id>\d+)", views.DeviceDetailView.as_view(), "device-detail"),
]
