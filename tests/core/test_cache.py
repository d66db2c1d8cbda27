"""The Redis cache backend of ``core.cache``: one client per process, and the throttles'
window counter in one atomic round trip."""

import pytest
from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache

from core import throttling
from core.cache import RedisCache

pytestmark = pytest.mark.skipif(not settings.REDIS_URL, reason="needs Redis (REDIS_URL)")


def test_cache_count_in_window_counts_from_one_and_sets_the_window_expiry():
    # given
    cache.delete("test-window")
    # when
    counts = [cache.count_in_window("test-window", 7) for _ in range(3)]
    # then
    assert counts == [1, 2, 3]
    client = cache._cache.get_client(write=True)
    assert 0 < client.ttl(cache.make_key("test-window")) <= 7
    cache.delete("test-window")


def test_cache_hands_out_one_redis_client_per_pool():
    assert isinstance(caches["default"], RedisCache)
    assert cache._cache.get_client(write=True) is cache._cache.get_client(write=True)


def test_throttle_hit_counts_with_the_window_counter_as_the_stock_backend_does():
    # given: the same limit counted through core.cache and through Django's own backend
    stock = DjangoRedisCache(settings.REDIS_URL, {"KEY_PREFIX": "stock"})
    outcomes = {}
    for name, backend in (("ours", cache), ("stock", stock)):
        backend.delete("test-throttle:0")
        original, throttling.cache = throttling.cache, backend
        try:
            # when
            outcomes[name] = [throttling.hit(["test-throttle"], limit=2, seconds=3600)[0] for _ in range(4)]
        finally:
            throttling.cache = original
    # then
    assert outcomes == {"ours": [True, True, False, False], "stock": [True, True, False, False]}


def test_throttle_hit_lets_requests_through_when_our_backend_cannot_reach_redis(monkeypatch, dead_redis_url):
    # given
    dead = RedisCache(dead_redis_url, {"OPTIONS": {"socket_connect_timeout": 0.5}})
    monkeypatch.setattr(throttling, "cache", dead)
    # when
    allowed, wait = throttling.hit(["test-dead"], limit=1, seconds=60)
    # then
    assert (allowed, wait) == (True, 0)
