"""The front door's settings (request bodies, the Content-Security-Policy), kept out of
``settings.py`` for its size."""

from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured


def frontdoor_settings(env) -> dict:
    """- REQUEST_BODY_MAX_BYTES: request bodies are refused (413) past this many bytes before
      they are read (``core.bodylimit``); REQUEST_BODY_LIMITS gives path prefixes a larger
      one, e.g. ``/api/v1/uploads/=20971520``. The reverse proxy's ``client_max_body_size``
      (deploy/nginx.conf) says the same.
    - CONTENT_SECURITY_POLICY (django-csp) on every HTML page: the admin, the API docs
      (Swagger UI and ReDoc, from our own static files), the sandbox pay page and the landing
      page. Scripts only from files this server serves (no inline script, no eval), nothing
      from other origins but the photos' bucket with PHOTO_STORAGE=s3 (``connect-src`` and
      ``img-src``: settings_photos.py), no framing, forms post only here. Inline styles stay allowed:
      Swagger UI and ReDoc write <style> elements as they render, and a style cannot run
      code. The JSON API and the health check carry no HTML and no policy."""
    return {
        "REQUEST_BODY_MAX_BYTES": env.int("REQUEST_BODY_MAX_BYTES", default=1_048_576),
        "REQUEST_BODY_LIMITS": body_limits(env.str("REQUEST_BODY_LIMITS", default="")),
        "CONTENT_SECURITY_POLICY": {
            "EXCLUDE_URL_PREFIXES": ["/api/v1/", "/healthz"],
            "DIRECTIVES": {
                "default-src": [SELF],
                "script-src": [SELF],
                "style-src": [SELF, UNSAFE_INLINE],
                "img-src": [SELF, "data:"],
                "font-src": [SELF, "data:"],
                "connect-src": [SELF],
                "worker-src": [SELF, "blob:"],  # ReDoc's search runs in a worker made from a blob
                "object-src": [NONE],
                "base-uri": [NONE],
                "form-action": [SELF],
                "frame-ancestors": [NONE],
            },
        },
    }


def body_limits(value: str) -> dict[str, int]:
    """``/prefix/=bytes,...`` -> {prefix: bytes}; anything else is refused at start-up."""
    limits = {}
    for item in filter(None, (part.strip() for part in value.split(","))):
        prefix, _, size = item.rpartition("=")
        if not prefix.startswith("/") or not size.isdigit():
            raise ImproperlyConfigured(f"REQUEST_BODY_LIMITS is /path/prefix/=bytes,...; not {item!r}")
        limits[prefix] = int(size)
    return limits
