"""Cached database sessions (Django's), read with their user and memberships on a cache
miss: see the package."""

from __future__ import annotations

from django.contrib.sessions.backends import cached_db

from .db import SessionReadWithUser


# Django's name, as in .db: it salts the signature of the session data.
class SessionStore(SessionReadWithUser, cached_db.SessionStore):
    pass
