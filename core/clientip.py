"""The client's address, as the deployment says to find it: with TRUSTED_PROXIES = 0 the
socket address (whatever X-Forwarded-For a client sends is ignored); with N trusted proxies
in front, the address the outermost of them saw, i.e. the N-th entry from the right of
X-Forwarded-For. Throttles, the login lockout and anonymous idempotency keys all use it."""

from django.conf import settings


def client_ip(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "") or ""
    proxies = settings.TRUSTED_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies <= 0 or not forwarded:
        return remote
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    return hops[-min(proxies, len(hops))] if hops else remote
