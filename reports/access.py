"""Access helpers for plans and reports: members of the company and its advisors."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.shortcuts import get_object_or_404

from accounts.models import Membership
from diagnostics.models import Diagnostic

from .models import Report

if TYPE_CHECKING:
    import uuid

    from accounts.models import User


def get_visible_report(user: User, public_id: uuid.UUID) -> Report:
    return get_object_or_404(
        Report.objects.select_related("diagnostic__questionnaire", "company", "requested_by").defer(
            "diagnostic__questionnaire__definition", "diagnostic__questionnaire__source"
        ),
        diagnostic__in=Diagnostic.objects.visible_to(user),
        public_id=public_id,
    )


def is_company_admin(user: User, company_id: int) -> bool:
    return Membership.objects.filter(
        user=user, company_id=company_id, role=Membership.Role.ADMIN
    ).exists()


def is_following_advisor(user: User, company_id: int) -> bool:
    return user.is_advisor and user.portfolio.filter(pk=company_id).exists()
