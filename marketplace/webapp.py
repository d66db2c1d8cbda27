"""The mobile web app (PWA) for SMEs and factories, served at ``/app/``: an HTML shell, its
manifest and its service worker. Everything else it does goes through the public API
(``/api/v1/``) and the event stream (``/ws/v1/events``) with the tokens a native app uses;
this module only serves files and imports nothing from the other apps."""

from django.templatetags.static import static
from django.urls import path, reverse
from django.views.generic import TemplateView

ICON_192 = "webapp/icon-192.png"
ICON_512 = "webapp/icon-512.png"
# The shell's files, cached by the service worker for offline use (one list, used by both).
ASSETS = [
    "webapp/style.css",
    "webapp/app.js",
    "webapp/api.js",
    "webapp/stream.js",
    "webapp/i18n.js",
    "webapp/views.js",
    "webapp/dom.js",
    "webapp/steps.js",
    "webapp/factory.js",
    "webapp/place.js",
    "webapp/alert.js",
    "webapp/pay.js",
    ICON_192,
    ICON_512,
]


class ShellView(TemplateView):
    template_name = "webapp/index.html"


class ManifestView(TemplateView):
    template_name = "webapp/manifest.webmanifest"
    content_type = "application/manifest+json"

    def get_context_data(self, **kwargs):
        return {"start_url": reverse("webapp"), "icon_192": static(ICON_192), "icon_512": static(ICON_512)}


class ServiceWorkerView(TemplateView):
    """The worker's script lives under ``/app/`` so that its scope is the app's."""

    template_name = "webapp/sw.js"
    content_type = "text/javascript"

    def get_context_data(self, **kwargs):
        return {"shell": [reverse("webapp"), reverse("webapp-manifest"), *(static(a) for a in ASSETS)]}

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        response["Cache-Control"] = "no-cache"
        response["Service-Worker-Allowed"] = reverse("webapp")
        return response


urlpatterns = [
    path("app/manifest.webmanifest", ManifestView.as_view(), name="webapp-manifest"),
    path("app/sw.js", ServiceWorkerView.as_view(), name="webapp-sw"),
    # The shell: under /app/ (the worker's scope); /app itself answers too, never redirecting.
    path("app/", ShellView.as_view(), name="webapp"),
    path("app", ShellView.as_view()),
]
