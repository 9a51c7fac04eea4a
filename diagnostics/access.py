"""Access helpers for diagnostics: the one way views and tasks find a diagnostic."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import connection
from django.shortcuts import get_object_or_404

from accounts.access import record_advisor_view
from accounts.models import Company

from .models import Diagnostic, Questionnaire

if TYPE_CHECKING:
    import uuid

    from accounts.models import Membership, User


def get_company_diagnostic(
    membership: Membership, public_id: uuid.UUID, *, with_answers_of: User | None = None
) -> Diagnostic:
    """A diagnostic of the current company (answering, submitting).

    One single-table read: the company comes from the membership and the questionnaire
    version, which never changes, from the per-process cache. `with_answers_of`: on
    PostgreSQL the same query also reads the answers that user sees as theirs, for
    `diagnostics.answering.own_answers` (pages that only read: a save would make them
    stale)."""
    diagnostics = Diagnostic.objects.filter(company_id=membership.company_id)
    if with_answers_of is not None and connection.vendor == "postgresql":
        diagnostics = diagnostics.with_answer_rows(with_answers_of)
    diagnostic = get_object_or_404(diagnostics, public_id=public_id)
    diagnostic.company = membership.company
    diagnostic.questionnaire = Questionnaire.published(diagnostic.questionnaire_id)
    return diagnostic


def get_visible_diagnostic(user: User, public_id: uuid.UUID) -> Diagnostic:
    """A diagnostic of one of the user's companies, or of an advisor's portfolio (results)."""
    diagnostic = get_object_or_404(
        Diagnostic.objects.visible_to(user).select_related("company"), public_id=public_id
    )
    diagnostic.questionnaire = Questionnaire.published(diagnostic.questionnaire_id)
    record_advisor_view(user, diagnostic.company_id, diagnostic.public_id)
    return diagnostic


def get_portfolio_diagnostic(user: User, public_id: uuid.UUID) -> Diagnostic:
    """A diagnostic of a company the advisor follows (review); 404 for any other."""
    diagnostic = get_object_or_404(
        Diagnostic.objects.select_related("questionnaire", "company").filter(
            company__in=Company.objects.for_advisor(user)
        ),
        public_id=public_id,
    )
    record_advisor_view(user, diagnostic.company_id, diagnostic.public_id)
    return diagnostic
