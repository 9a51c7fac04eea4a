"""Access helpers for diagnostics: the one way views and tasks find a diagnostic."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from django.db import connection
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.access import record_advisor_view
from accounts.models import Company, User
from accounts.rows import Columns

from .models import Answer, Diagnostic, Questionnaire

if TYPE_CHECKING:
    import uuid

    from accounts.models import Membership


def get_company_diagnostic(
    membership: Membership, public_id: uuid.UUID, *, with_answers_of: User | None = None
) -> Diagnostic:
    """A diagnostic of the current company (answering, submitting).

    One single-table read: the company comes from the membership and the questionnaire
    version, which never changes, from the per-process cache. On PostgreSQL the query is
    written out (`accounts.rows`), and `with_answers_of` makes it also read the answers
    that user sees as theirs, for `diagnostics.answering.own_answers` (pages that only
    read: a save would make them stale)."""
    if connection.vendor == "postgresql":
        diagnostic = _company_diagnostic(membership, public_id, with_answers_of)
    else:
        diagnostic = get_object_or_404(
            Diagnostic, company_id=membership.company_id, public_id=public_id
        )
    diagnostic.company = membership.company
    diagnostic.questionnaire = Questionnaire.published(diagnostic.questionnaire_id)
    _keep_fixed(
        (membership.company_id, diagnostic.public_id),
        (
            diagnostic.pk,
            diagnostic.questionnaire_id,
            diagnostic.mode,
            diagnostic.sector,
            diagnostic.headcount_band,
        ),
    )
    return diagnostic


# What never changes once a diagnostic is started (its id, questionnaire version, mode and
# profile), by (company id, public id): kept per process for the saves, from the first read
# of the diagnostic in the process.
_FIXED: dict[tuple[int, uuid.UUID], tuple[int, int, str, str, str]] = {}
FIXED_FACTS_KEPT = 4096


def get_company_diagnostic_to_save(membership: Membership, public_id: uuid.UUID) -> Diagnostic:
    """A diagnostic of the current company for a save (autosave), without reading its row
    on every request: the facts a save needs never change once it is started, so they are
    read once per process, by the company of the membership (checked on every request) and
    the public id.

    What can change is not known here: `status` is empty, so `is_draft` is False. The save
    statement checks, under its lock, that the diagnostic is still a draft of this company;
    when it is gone, the save raises `Diagnostic.DoesNotExist` and the caller calls
    `forget_diagnostic` and answers 404."""
    key = (membership.company_id, public_id)
    facts = _FIXED.get(key)
    if facts is None:
        found = (
            Diagnostic.objects.filter(company_id=membership.company_id, public_id=public_id)
            .values_list("pk", "questionnaire_id", "mode", "sector", "headcount_band")
            .first()
        )
        if found is None:
            raise Http404
        facts = _keep_fixed(key, found)
    pk, questionnaire_id, mode, sector, headcount_band = facts
    diagnostic = Diagnostic(
        pk=pk,
        public_id=public_id,
        company=membership.company,
        questionnaire_id=questionnaire_id,
        mode=mode,
        status="",
        sector=sector,
        headcount_band=headcount_band,
    )
    diagnostic.questionnaire = Questionnaire.published(questionnaire_id)
    return diagnostic


def _keep_fixed(
    key: tuple[int, uuid.UUID], facts: tuple[int, int, str, str, str]
) -> tuple[int, int, str, str, str]:
    if key not in _FIXED:
        if len(_FIXED) >= FIXED_FACTS_KEPT:
            _FIXED.clear()
        _FIXED[key] = facts
    return facts


def forget_diagnostic(company_id: int, public_id: uuid.UUID) -> None:
    """Drop what `get_company_diagnostic_to_save` kept of a diagnostic found gone."""
    _FIXED.pop((company_id, public_id), None)


@cache
def _diagnostic_columns() -> Columns:
    return Columns((Diagnostic, "d"))


def _company_diagnostic(
    membership: Membership, public_id: uuid.UUID, user: User | None
) -> Diagnostic:
    """PostgreSQL: the company's diagnostic, written out (the ORM took about 0.65 ms to
    build the query and the object, against 0.25 ms in all now). With `user`, the same
    query also reads, into `answer_rows`, the shared answers and the user's own as JSON
    arrays (question id, respondent id, value, don't know, not concerned, version, who
    answered, when, to confirm): what `diagnostics.answering.own_answers` reads."""
    columns = _diagnostic_columns()
    answers = (
        ", (SELECT json_agg(json_build_array(a.question_id, a.respondent_id, a.value, "  # noqa: S608
        "a.dont_know, a.not_concerned, a.version, u.full_name, a.answered_at, a.to_confirm)) "
        f"FROM {Answer._meta.db_table} a "
        f"LEFT JOIN {User._meta.db_table} u ON u.id = a.answered_by_id "
        "WHERE a.diagnostic_id = d.id AND (a.respondent_id IS NULL OR a.respondent_id = %s))"
        if user is not None
        else ""
    )
    sql = (
        f"SELECT {columns.sql}{answers} FROM {Diagnostic._meta.db_table} d "  # noqa: S608
        "WHERE d.company_id = %s AND d.public_id = %s"
    )
    params = [user.pk] if user is not None else []
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, membership.company_id, public_id])
        row = cursor.fetchone()
    if row is None:
        raise Http404
    (diagnostic,) = columns.instances(row)
    if user is not None:
        diagnostic.answer_rows = row[columns.count] or []
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
