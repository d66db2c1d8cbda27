"""The cache backend with Redis: Django's, sharing one client (and so one connection pool)
per process.

Django keeps a cache object per thread and async context, and under ASGI every request runs
in a context of its own: with the stock backend each request built a new client, a new pool
and a new TCP connection to Redis (with its handshake) for the throttle counters, measured
as a tenth of a request's CPU (README "Under load"). redis-py's pools are thread-safe and
reset themselves in a forked child."""

import threading

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.utils.functional import cached_property

_clients = {}
_lock = threading.Lock()


class RedisCache(DjangoRedisCache):
    @cached_property
    def _cache(self):
        key = (tuple(self._servers), repr(sorted(self._options.items())))
        with _lock:
            if key not in _clients:
                _clients[key] = self._class(self._servers, **self._options)
            return _clients[key]
