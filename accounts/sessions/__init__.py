"""Sessions whose read also brings the session's user and their memberships.

Every logged-in request reads its session, then its user with their memberships (the
companies they may act for). On PostgreSQL both come from one statement: the session row
carries its user's id in a column (`accounts.models.Session.user_id`, written whenever the
session is saved), and the read joins the user and the memberships of open companies to it.

What the read found is kept for the authentication backend
(`accounts.backends.MembershipBackend.get_user`), which takes it once, and only for the user
id the session's signed data names. The data stays the authority: a column that names
another user (or none, as in sessions saved before the column existed) only costs the
backend its own query. The kept rows are dropped when the next session store is made, that
is at the start of every request (SessionMiddleware), so they never outlive the request
that read them.

The engine is `accounts.sessions.db`, whatever the cache: the request reads the database
for its user anyway, and a cache in front of the sessions would only add its own round trip
to that statement (and make logged-in pages depend on the cache being up).
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from django.contrib.auth import SESSION_KEY
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from ..rows import Columns

if TYPE_CHECKING:
    from ..models import Membership, Session, User


@dataclass(frozen=True)
class SessionUser:
    """The user a session row names and their memberships of open companies, by name."""

    user_id: int
    user: User | None  # None: no such user any more
    memberships: list[Membership]


_read: ContextVar[SessionUser | None] = ContextVar("accounts_session_user", default=None)


def take_session_user(user_id: Any) -> SessionUser | None:
    """What the request's session read found, if it was for `user_id`; once only."""
    found = _read.get()
    if found is None:
        return None
    _read.set(None)
    return found if str(found.user_id) == str(user_id) else None


def forget_session_user() -> None:
    _read.set(None)


def user_id_of(data: dict[str, Any]) -> int | None:
    """The logged-in user's id in a session's data, for the column; None if there is none."""
    from ..models import User

    try:
        return User._meta.pk.to_python(data[SESSION_KEY])
    except (KeyError, ValidationError):
        return None


@cache
def _select() -> tuple[str, Columns]:
    """The session read with its user and memberships, worked out once per process."""
    from ..models import Company, Membership, Session, User

    columns = Columns((User, "u"), (Membership, "m"), (Company, "c"))
    sql = (
        f"SELECT s.session_data, s.expire_date, s.user_id, {columns.sql} "  # noqa: S608
        f"FROM {Session._meta.db_table} s "
        f"LEFT JOIN {User._meta.db_table} u ON u.id = s.user_id "
        f"LEFT JOIN ({Membership._meta.db_table} m "
        f"JOIN {Company._meta.db_table} c ON c.id = m.company_id AND c.closed_at IS NULL) "
        "ON m.user_id = u.id "
        "WHERE s.session_key = %s AND s.expire_date > %s "
        "ORDER BY c.name"
    )
    return sql, columns


def read_session(model: type[Session], session_key: str) -> Session | None:
    """The unexpired session row of `session_key`, or None. On PostgreSQL, its user and
    memberships are read in the same statement and kept for `take_session_user`."""
    forget_session_user()
    if connection.vendor != "postgresql":
        return model.objects.filter(session_key=session_key, expire_date__gt=timezone.now()).first()
    sql, columns = _select()
    with connection.cursor() as cursor:
        cursor.execute(sql, [session_key, timezone.now()])
        rows = cursor.fetchall()
    if not rows:
        return None
    session_data, expire_date, user_id = rows[0][:3]
    session = model(session_key=session_key, session_data=session_data, expire_date=expire_date)
    session.user_id = user_id
    if user_id is not None:
        user = None
        memberships = []
        for row in rows:
            row_user, membership, company = columns.instances(row[3:])
            user = user or row_user
            if membership is not None:
                membership.user = user
                membership.company = company
                memberships.append(membership)
        _read.set(SessionUser(user_id=user_id, user=user, memberships=memberships))
    return session
