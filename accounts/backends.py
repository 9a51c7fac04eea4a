"""The authentication backend: Django's ModelBackend, whose per-request user lookup also
brings the user's memberships."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from .models import Membership, User


class MembershipBackend(ModelBackend):
    """Reads the session's user and their memberships (with the companies) in one query.

    Every request reads them afresh, so a removed member or a closed company loses access
    on the next request. Django still checks the session's password hash against the user
    read here, so a password change still ends the other sessions. A user without a
    membership (an advisor, a staff member, a new account) costs a second query, as
    before.
    """

    def get_user(self, user_id: Any) -> User | None:
        memberships = list(
            Membership.objects.filter(user_id=user_id, company__closed_at__isnull=True)
            .select_related("user", "company")
            .order_by("company__name")
        )
        if not memberships:
            return super().get_user(user_id)
        user = memberships[0].user
        for membership in memberships:
            membership.user = user
        user.loaded_memberships = memberships
        return user if self.user_can_authenticate(user) else None
