"""The web process: HTTP (Django) and the ``/ws/v1/events`` WebSocket (Channels) under one
ASGI server (``gunicorn marketplace.asgi:application -k marketplace.server.UvicornWorker``),
request bodies bounded in front of both (``core.bodylimit``)."""

import os

import django
from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIHandler

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")


class SyncStackASGIHandler(ASGIHandler):
    """Django's ASGI handler, running the middleware and the view in one hop to a thread.

    Our views, the ORM and most middleware are synchronous. Django's own handler builds an
    asynchronous middleware chain, so every async-capable middleware (sessions, locale, CSRF,
    auth, messages ...) hops to a thread and back for its request and response halves, and the
    view hops once more: a dozen thread switches a request, measured as over half the CPU of
    ``/healthz`` under load (docs/performance.md). Here the chain is the synchronous one, as
    under WSGI, entered once per request in the request's own thread (thread-sensitive, so its
    database connection is the one closed when the response is)."""

    def load_middleware(self, is_async=False):
        super().load_middleware(is_async=False)
        self._middleware_chain = sync_to_async(self._middleware_chain, thread_sensitive=True)


django.setup(set_prefix=False)
http_application = SyncStackASGIHandler()  # first: Django is set up before the consumers import models

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.conf import settings  # noqa: E402

from core.bodylimit import RequestBodyLimit  # noqa: E402
from realtime.routing import websocket_urlpatterns  # noqa: E402

# Bodies are bounded before Django reads (and spools) them: core.bodylimit.
application = RequestBodyLimit(
    ProtocolTypeRouter({"http": http_application, "websocket": URLRouter(websocket_urlpatterns)}),
    default=settings.REQUEST_BODY_MAX_BYTES,
    by_prefix=settings.REQUEST_BODY_LIMITS,
)
