"""The Redis cache backend (config.cache): Django's, with one client kept per pool."""

from __future__ import annotations

import uuid

import pytest
from django.conf import settings

from config.cache import RedisCache
from tests.fresh_settings import settings_value


@pytest.fixture
def redis_cache():
    """A cache on the test Redis (the broker's server), under a prefix of its own."""
    cache = RedisCache(settings.CELERY_BROKER_URL, {"KEY_PREFIX": f"test-{uuid.uuid4().hex}"})
    yield cache
    cache.delete_many(["a", "b", "n"])
    cache.close()


def test_a_redis_cache_url_gets_the_backend_that_keeps_its_client():
    backend = settings_value(
        "settings.CACHES['default']['BACKEND']", CACHE_URL="redis://127.0.0.1:6379/15"
    )
    assert backend == "config.cache.RedisCache"


def test_every_call_goes_through_one_client(redis_cache):
    client = redis_cache._cache.get_client("a", write=True)
    redis_cache.set("a", {"x": 1})
    assert redis_cache.get("a") == {"x": 1}
    assert redis_cache._cache.get_client("b") is client
    assert redis_cache._cache.get_client(write=True) is client


def test_the_cache_reads_and_writes_as_django_s(redis_cache):
    assert redis_cache.add("a", "first")
    assert not redis_cache.add("a", "second")
    redis_cache.set_many({"b": [1, 2], "n": 5})
    assert redis_cache.get_many(["a", "b", "n", "missing"]) == {"a": "first", "b": [1, 2], "n": 5}
    assert redis_cache.incr("n", 2) == 7
    assert redis_cache.touch("a", 60)
    assert redis_cache.delete("a")
    assert redis_cache.get("a", "gone") == "gone"
