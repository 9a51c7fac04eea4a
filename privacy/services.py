"""Personal data: a person's export, account deletion and company closure.

This module sits above accounts, diagnostics, reports and audit: it gathers and deletes
across all of them.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

import audit
from accounts.models import Company, Invitation, Membership, Session, User
from accounts.services import AccountError
from accounts.templatetags.wording import elide
from audit.models import Action, Entry
from diagnostics.models import Answer


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def personal_data(user: User) -> dict[str, Any]:
    """Everything stored about the person, as plain JSON-ready data."""
    answers = (
        Answer.objects.filter(Q(answered_by=user) | Q(respondent=user))
        .select_related("diagnostic", "question", "company")
        .order_by("answered_at")
    )
    invitations = Invitation.objects.filter(
        Q(email__iexact=user.email) | Q(invited_by=user)
    ).select_related("company")
    entries = Entry.objects.filter(Q(actor=user) | Q(subject=user)).order_by("at")
    return {
        "profile": {
            "email": user.email,
            "full_name": user.full_name,
            "preferred_language": user.preferred_language,
            "reassessment_reminders": user.reassessment_reminders,
            "date_joined": _iso(user.date_joined),
            "last_login": _iso(user.last_login),
            "advisor": user.is_advisor,
            "operator_admin": user.is_staff,
        },
        "memberships": [
            {"company": m.company.name, "role": m.role, "since": _iso(m.created_at)}
            for m in Membership.objects.filter(user=user).select_related("company")
        ],
        "advisor_of": list(user.portfolio.values_list("name", flat=True)),
        "answers": [
            {
                "company": a.company.name,
                "diagnostic": str(a.diagnostic.public_id),
                "question": a.question.code,
                "value": a.value,
                "dont_know": a.dont_know,
                "own_answer_set": a.respondent_id == user.pk,
                "answered_at": _iso(a.answered_at),
            }
            for a in answers
        ],
        "invitations": [
            {
                "company": i.company.name,
                "email": i.email,
                "role": i.role,
                "sent_by_me": i.invited_by_id == user.pk,
                "created_at": _iso(i.created_at),
                "accepted_at": _iso(i.accepted_at),
                "revoked_at": _iso(i.revoked_at),
            }
            for i in invitations
        ],
        "audit_entries": [
            {
                "at": _iso(e.at),
                "action": e.action,
                "by_me": e.actor_id == user.pk,
                "address": e.ip_address,
            }
            for e in entries
        ],
    }


def export_personal_data(*, user: User) -> dict[str, Any]:
    data = personal_data(user)
    audit.record(Action.DATA_EXPORTED, actor=user, subject=user)
    return data


def _sole_admin_of(user: User) -> list[Company]:
    other_admins = Membership.objects.filter(
        company=OuterRef("company"), role=Membership.Role.ADMIN
    ).exclude(user=user)
    memberships = (
        Membership.objects.select_for_update(of=("self",))
        .filter(user=user, role=Membership.Role.ADMIN, company__closed_at__isnull=True)
        .filter(~Exists(other_admins))
        .select_related("company")
    )
    return [m.company for m in memberships]


@transaction.atomic
def delete_account(*, user: User) -> None:
    """Erase the person: the row stays without name or e-mail, so the answers they gave
    stay with their companies as a former member's. The last admin of a company hands
    over (or closes the company) first."""
    blocking = _sole_admin_of(user)
    if blocking:
        raise AccountError(
            elide(
                _(
                    "You are the only administrator of %(companies)s: make a colleague "
                    "administrator, or close the company, before deleting your account."
                )
                % {"companies": ", ".join(c.name for c in blocking)}
            )
        )
    email = user.email
    Invitation.objects.filter(email__iexact=email).delete()
    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        model.objects.filter(username__iexact=email).delete()
    Membership.objects.filter(user=user).delete()
    user.portfolio.clear()
    with translation.override(settings.LANGUAGE_CODE):
        user.full_name = _("Former member")
    user.email = f"erased-{uuid.uuid4().hex}@erased.invalid"
    user.set_unusable_password()  # ends the person's sessions, which are deleted too:
    Session.objects.filter(user_id=user.pk).delete()
    user.is_active = user.is_staff = user.is_superuser = user.is_advisor = False
    user.erased_at = timezone.now()
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
    audit.record(Action.ACCOUNT_DELETED, actor=user, subject=user)


@transaction.atomic
def close_company(*, membership: Membership) -> Company:
    """An admin closes the company: it disappears from every page now and everything of
    it is deleted after the grace period (apply_retention)."""
    if not membership.is_admin:
        raise AccountError(_("Only an administrator of the company can do this."))
    company = Company.objects.select_for_update().get(pk=membership.company_id)
    if company.closed_at is None:
        company.closed_at = timezone.now()
        company.save(update_fields=["closed_at"])
        Invitation.objects.pending().filter(company=company).update(revoked_at=timezone.now())
        audit.record(Action.COMPANY_CLOSED, actor=membership.user, company=company)
    return company
