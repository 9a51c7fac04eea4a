"""Workflows on users, companies, memberships and invitations."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

import audit
from audit.models import Action

from .models import Company, Invitation, Membership, User, hash_token

if TYPE_CHECKING:
    from collections.abc import Mapping


class AccountError(Exception):
    """An expected refusal, with a message for the user."""


@transaction.atomic
def register_company(
    *,
    company_data: Mapping[str, object],
    user: User | None = None,
    user_data: Mapping[str, str] | None = None,
) -> Membership:
    """Create the company and make the user (existing or new) its first admin."""
    if user is None:
        if user_data is None:
            raise ValueError("user or user_data is required")
        user = User.objects.create_user(
            email=user_data["email"],
            password=user_data["password"],
            full_name=user_data["full_name"],
            preferred_language=user_data.get("preferred_language") or get_language() or "fr",
        )
    company = Company.objects.create(**company_data)
    return Membership.objects.create(user=user, company=company, role=Membership.Role.ADMIN)


@transaction.atomic
def invite(*, membership: Membership, email: str, role: str) -> Invitation:
    """An admin invites someone by e-mail; the message is sent by a worker after commit."""
    from .tasks import send_invitation

    email = email.strip().lower()
    company = membership.company
    if Membership.objects.filter(company=company, user__email__iexact=email).exists():
        raise AccountError(_("%(email)s is already a member of this company.") % {"email": email})
    open_invitations = Invitation.objects.select_for_update().filter(
        company=company, email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True
    )
    for existing in open_invitations:
        if not existing.is_expired:
            raise AccountError(
                _("An invitation to %(email)s is already pending. Revoke it to send a new one.")
                % {"email": email}
            )
        existing.revoked_at = timezone.now()
        existing.save(update_fields=["revoked_at"])
    invitation = Invitation.objects.create(
        company=company,
        email=email,
        role=role,
        invited_by=membership.user,
        token_hash=hash_token(Invitation.new_token()),
        expires_at=timezone.now() + settings.INVITATION_VALIDITY,
    )
    audit.record(
        Action.INVITATION_SENT,
        actor=membership.user,
        company=company,
        target=invitation.public_id,
        detail={"role": role},
    )
    language = get_language() or settings.LANGUAGE_CODE
    transaction.on_commit(lambda: send_invitation.delay(invitation.pk, language))
    return invitation


@transaction.atomic
def revoke_invitation(*, invitation: Invitation) -> None:
    Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    audit.record(
        Action.INVITATION_REVOKED, company=invitation.company_id, target=invitation.public_id
    )


def find_invitation(token: str) -> Invitation | None:
    return (
        Invitation.objects.select_related("company", "invited_by")
        .filter(token_hash=hash_token(token))
        .first()
    )


@transaction.atomic
def accept_invitation(*, token: str, user: User) -> Membership:
    """Single use: the invitation row is locked and marked accepted in one transaction."""
    invitation = (
        Invitation.objects.select_for_update()
        .select_related("company")
        .filter(token_hash=hash_token(token))
        .first()
    )
    if invitation is None or not invitation.is_usable:
        raise AccountError(_("This invitation is no longer valid. Ask for a new one."))
    if invitation.email.lower() != user.email.lower():
        raise AccountError(
            _("This invitation was sent to another e-mail address than the one you use.")
        )
    membership, _created = Membership.objects.get_or_create(
        user=user, company=invitation.company, defaults={"role": invitation.role}
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit.record(
        Action.INVITATION_ACCEPTED,
        actor=user,
        subject=user,
        company=invitation.company,
        target=invitation.public_id,
    )
    return membership


@transaction.atomic
def create_user_and_accept(*, token: str, full_name: str, password: str) -> Membership:
    invitation = find_invitation(token)
    if invitation is None or not invitation.is_usable:
        raise AccountError(_("This invitation is no longer valid. Ask for a new one."))
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                email=invitation.email,
                password=password,
                full_name=full_name,
                preferred_language=get_language() or settings.LANGUAGE_CODE,
            )
    except IntegrityError as exc:
        raise AccountError(
            _("An account already exists for this address: log in to accept the invitation.")
        ) from exc
    return accept_invitation(token=token, user=user)


def _lock_admins(company: Company) -> list[Membership]:
    return list(Membership.objects.select_for_update().filter(company=company, role="admin"))


@transaction.atomic
def change_role(*, target: Membership, role: str) -> Membership:
    admins = _lock_admins(target.company)
    target.refresh_from_db()
    if role == target.role:
        return target
    if target.is_admin and len(admins) <= 1:
        raise AccountError(_("A company keeps at least one administrator."))
    previous = target.role
    target.role = role
    target.save(update_fields=["role"])
    audit.record(
        Action.ROLE_CHANGED,
        subject=target.user,
        company=target.company_id,
        target=target.public_id,
        detail={"from": previous, "to": role},
    )
    return target


@transaction.atomic
def remove_member(*, target: Membership) -> None:
    admins = _lock_admins(target.company)
    target.refresh_from_db()
    if target.is_admin and len(admins) <= 1:
        raise AccountError(_("The last administrator cannot be removed."))
    target.delete()
    audit.record(
        Action.MEMBER_REMOVED,
        subject=target.user,
        company=target.company_id,
        target=target.public_id,
        detail={"role": target.role},
    )
