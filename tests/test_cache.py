"""The Redis cache backend (config.cache): Django's, with one client kept per pool."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from config.cache import RedisCache

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def redis_cache():
    """A cache on the test Redis (the broker's server), under a prefix of its own."""
    cache = RedisCache(settings.CELERY_BROKER_URL, {"KEY_PREFIX": f"test-{uuid.uuid4().hex}"})
    yield cache
    cache.delete_many(["a", "b", "n"])
    cache.close()


def test_a_redis_cache_url_gets_the_backend_that_keeps_its_client():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.base"}
    env["CACHE_URL"] = "redis://127.0.0.1:6379/15"
    code = "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"
    printed = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert printed == "config.cache.RedisCache"


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
