"""The cache backend with Redis: Django's, sharing one client (and so one connection pool)
per process, and counting a throttle window in one round trip.

Django keeps a cache object per thread and async context, and under ASGI every request runs
in a context of its own: with the stock backend each request built a new client, a new pool
and a new TCP connection to Redis (with its handshake) for the throttle counters, measured
as a tenth of a request's CPU (docs/performance.md). Within that client Django also builds a
new ``redis.Redis`` object for every command (about 1 ms of Python each: its table of reply
callbacks); here there is one per pool. redis-py's clients and pools are thread-safe and
reset themselves in a forked child."""

import threading

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient
from django.utils.functional import cached_property

_clients = {}
_lock = threading.Lock()


class RedisCacheClient(DjangoRedisCacheClient):
    """Django's client, handing out one ``redis.Redis`` per connection pool."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._redis_clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._redis_clients.get(id(pool))
        if client is None:
            client = self._redis_clients.setdefault(id(pool), self._client(connection_pool=pool))
        return client

    def count_in_window(self, key, timeout: int) -> int:
        """INCR ``key``, first creating it at 0 with ``timeout`` seconds to live: one round
        trip (MULTI/EXEC), atomic, so a window's first request counts 1 and no request can
        find the key gone between the two commands."""
        with self.get_client(key, write=True).pipeline(transaction=True) as pipe:
            pipe.set(key, 0, ex=timeout, nx=True)
            pipe.incr(key)
            return int(pipe.execute()[1])


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient

    @cached_property
    def _cache(self):
        key = (tuple(self._servers), repr(sorted(self._options.items())))
        with _lock:
            if key not in _clients:
                _clients[key] = self._class(self._servers, **self._options)
            return _clients[key]

    def count_in_window(self, key, timeout: int) -> int:
        """The window counter ``core.throttling`` reads: one atomic round trip."""
        key = self.make_and_validate_key(key)
        return self._cache.count_in_window(key, timeout)
