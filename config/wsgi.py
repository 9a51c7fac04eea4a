from __future__ import annotations

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

application = get_wsgi_application()

# What is loaded by now (modules, settings, models, URL patterns: some 80,000 objects
# tracked by the garbage collector) lives as long as the server process. Frozen, it is left
# out of every later collection, which otherwise walks all of it on each full collection:
# about half of the collector's time over a respondent's journey (docs/performance.md).
# Objects made later (per-process caches, each request's objects) are collected as before.
gc.freeze()
