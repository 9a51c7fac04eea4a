"""The authentication backend: Django's ModelBackend, whose per-request user lookup also
brings the user's memberships."""

from __future__ import annotations

from functools import cache
from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.db import connection

from .models import Company, Membership, User
from .rows import Columns
from .sessions import take_session_user


class MembershipBackend(ModelBackend):
    """Reads the session's user and their memberships (with the companies) in one query,
    or takes them from the session's read when it brought them (accounts.sessions).

    Every request reads them afresh, so a removed member or a closed company loses access
    on the next request. Django still checks the session's password hash against the user
    read here, so a password change still ends the other sessions. Without the session's
    read, a user without a membership (an advisor, a staff member, a new account) costs a
    second query.
    """

    def get_user(self, user_id: Any) -> User | None:
        read = take_session_user(user_id)
        if read is not None:  # read with the session (accounts.sessions)
            if read.user is None:
                return None
            return self._with_memberships(read.user, read.memberships)
        if connection.vendor == "postgresql":
            memberships = _memberships_with_user(user_id)
        else:
            memberships = list(
                Membership.objects.filter(user_id=user_id, company__closed_at__isnull=True)
                .select_related("user", "company")
                .order_by("company__name")
            )
        if not memberships:
            user = super().get_user(user_id)
            return self._with_memberships(user, []) if user is not None else None
        return self._with_memberships(memberships[0].user, memberships)

    def _with_memberships(self, user: User, memberships: list[Membership]) -> User | None:
        for membership in memberships:
            membership.user = user
        user.loaded_memberships = memberships
        return user if self.user_can_authenticate(user) else None


@cache
def _select() -> tuple[str, Columns]:
    """The query of `_memberships_with_user` and its columns, worked out once per process
    from the models."""
    columns = Columns((Membership, "m"), (User, "u"), (Company, "c"))
    sql = (
        f"SELECT {columns.sql} FROM {Membership._meta.db_table} m "  # noqa: S608
        f"JOIN {User._meta.db_table} u ON u.id = m.user_id "
        f"JOIN {Company._meta.db_table} c ON c.id = m.company_id "
        "WHERE m.user_id = %s AND c.closed_at IS NULL ORDER BY c.name"
    )
    return sql, columns


def _memberships_with_user(user_id: Any) -> list[Membership]:
    """PostgreSQL: what the ORM query of the other databases reads (the user's memberships
    of open companies, with the user and the companies, by company name), written out:
    on every request, the ORM spent longer building the query and its objects (about
    0.65 ms) than PostgreSQL spent answering it (about 0.35 ms)."""
    sql, columns = _select()
    with connection.cursor() as cursor:
        cursor.execute(sql, [user_id])
        rows = cursor.fetchall()
    memberships = []
    user = None
    for row in rows:
        membership, row_user, company = columns.instances(row)
        user = user or row_user
        membership.user = user
        membership.company = company
        memberships.append(membership)
    return memberships
