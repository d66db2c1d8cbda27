"""The web process's ASGI server: uvicorn under gunicorn, as this project runs it
(``gunicorn marketplace.asgi:application -k marketplace.server.UvicornWorker``: the Procfile,
the Dockerfile, docker-compose.yml, the tests' ``start_web`` and the benches).

- Who the client is has one answer, TRUSTED_PROXIES, applied once by ``core.clientip`` to
  the address of the socket's peer. uvicorn would otherwise rewrite that address from
  ``X-Forwarded-For`` before Django runs, trusting whatever FORWARDED_ALLOW_IPS or gunicorn's
  ``--forwarded-allow-ips`` say (127.0.0.1 by default): a local proxy passing the header
  through made every forged address a new client, and the login lockout never locked
  (issue 28). Derived from TRUSTED_PROXIES, the server's own trust is therefore none: its
  proxy-header rewriting is off, whatever the environment says, and the peer address
  reaches Django as it is.
- The secrets that travel in URLs (a socket's ticket) are taken out of uvicorn's access and
  WebSocket log lines (``core.logfilters.RedactSecrets``).
- A WebSocket message from a phone is at most WS_MAX_BYTES (it only ever sends ``{"ack": n}``).
"""

import logging

from uvicorn_worker import UvicornWorker as BaseUvicornWorker

from core.logfilters import RedactSecrets

WS_MAX_BYTES = 64 * 1024


class UvicornWorker(BaseUvicornWorker):
    CONFIG_KWARGS = {**BaseUvicornWorker.CONFIG_KWARGS, "proxy_headers": False, "ws_max_size": WS_MAX_BYTES}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("uvicorn.access", "uvicorn.error"):
            logger = logging.getLogger(name)
            if not any(isinstance(f, RedactSecrets) for f in logger.filters):  # once per process, not per worker
                logger.addFilter(RedactSecrets())
