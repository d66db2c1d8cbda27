from django.urls import re_path

from realtime.consumers import EventsConsumer

websocket_urlpatterns = [re_path(r"^ws/v1/events/?$", EventsConsumer.as_asgi())]
