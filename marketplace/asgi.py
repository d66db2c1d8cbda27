"""The web process: HTTP (Django) and the ``/ws/v1/events`` WebSocket (Channels) under one
ASGI server (``gunicorn marketplace.asgi:application -k uvicorn_worker.UvicornWorker``)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")

http_application = get_asgi_application()  # first: it sets Django up before the consumers import models

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from realtime.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter({"http": http_application, "websocket": URLRouter(websocket_urlpatterns)})
