"""Database sessions (Django's), read with their user and memberships: see the package."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from django.contrib.sessions.backends import db
from django.core.exceptions import SuspiciousOperation

from . import forget_session_user, read_session, user_id_of

if TYPE_CHECKING:
    from ..models import Session


# The class keeps Django's name: the name salts the signature of the session data, so
# sessions signed by Django's store still read.
class SessionStore(db.SessionStore):
    """Django's database store, with the session model's user id column written on every
    save, and the read of the package."""

    def __init__(self, session_key: str | None = None) -> None:
        forget_session_user()  # a new store: a new request, nothing kept from the last one
        super().__init__(session_key)

    @classmethod
    def get_model_class(cls) -> type[Session]:
        from ..models import Session

        return Session

    def create_model_instance(self, data: dict[str, Any]) -> Session:
        session = super().create_model_instance(data)
        session.user_id = user_id_of(data)
        return session

    def _get_session_from_db(self) -> Session | None:
        try:
            session = read_session(self.model, self.session_key)
        except SuspiciousOperation as e:
            logging.getLogger(f"django.security.{e.__class__.__name__}").warning(str(e))
            session = None
        if session is None:
            self._session_key = None
        return session
