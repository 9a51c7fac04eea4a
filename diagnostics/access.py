"""Access helpers for diagnostics: the one way views and tasks find a diagnostic."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import connection
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.access import record_advisor_view
from accounts.models import Company, User

from .models import Answer, Diagnostic, Questionnaire

if TYPE_CHECKING:
    import uuid

    from accounts.models import Membership


def get_company_diagnostic(
    membership: Membership, public_id: uuid.UUID, *, with_answers_of: User | None = None
) -> Diagnostic:
    """A diagnostic of the current company (answering, submitting).

    One single-table read: the company comes from the membership and the questionnaire
    version, which never changes, from the per-process cache. `with_answers_of`: on
    PostgreSQL the same query also reads the answers that user sees as theirs, for
    `diagnostics.answering.own_answers` (pages that only read: a save would make them
    stale)."""
    if with_answers_of is not None and connection.vendor == "postgresql":
        diagnostic = _diagnostic_with_answer_rows(membership, public_id, with_answers_of)
    else:
        diagnostic = get_object_or_404(
            Diagnostic, company_id=membership.company_id, public_id=public_id
        )
    diagnostic.company = membership.company
    diagnostic.questionnaire = Questionnaire.published(diagnostic.questionnaire_id)
    return diagnostic


def _diagnostic_with_answer_rows(
    membership: Membership, public_id: uuid.UUID, user: User
) -> Diagnostic:
    """PostgreSQL: the company's diagnostic with, in `answer_rows`, the shared answers and
    `user`'s own as JSON arrays (question id, respondent id, value, don't know, not
    concerned, version, who answered, when, to confirm), in one query; what
    `diagnostics.answering.own_answers` reads. Hand-written because the ORM took longer to
    build the subquery (about 1 ms) than the second round trip it saves."""
    found = list(
        Diagnostic.objects.raw(
            "SELECT d.*, (SELECT json_agg(json_build_array(a.question_id, a.respondent_id, "  # noqa: S608
            "a.value, a.dont_know, a.not_concerned, a.version, u.full_name, a.answered_at, "
            f"a.to_confirm)) FROM {Answer._meta.db_table} a "
            f"LEFT JOIN {User._meta.db_table} u ON u.id = a.answered_by_id "
            "WHERE a.diagnostic_id = d.id AND (a.respondent_id IS NULL OR a.respondent_id = %s)) "
            f"AS answer_rows FROM {Diagnostic._meta.db_table} d "
            "WHERE d.company_id = %s AND d.public_id = %s",
            [user.pk, membership.company_id, public_id],
        )
    )
    if not found:
        raise Http404
    diagnostic = found[0]
    diagnostic.answer_rows = diagnostic.answer_rows or []
    diagnostic.answer_rows_of = user.pk
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
