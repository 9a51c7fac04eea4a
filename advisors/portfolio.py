"""What the advisor's lists show: the portfolio and the review queue.

Each list is one query (plus the paginator's count) whatever the number of companies:
every figure of a row comes from a subquery or from the plan's stored first-year figures,
never from a query per row.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    DateTimeField,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Company
from diagnostics.models import Diagnostic, Score
from reports.models import ActionPlan, PlanItem
from reports.quarters import over_by

from .forms import ReviewState, naf_regex

if TYPE_CHECKING:
    from collections.abc import Iterator

    from accounts.models import User

PLAN_FIGURES = (
    "year1_cost_min",
    "year1_cost_max",
    "year1_funding_min",
    "year1_funding",
    "year1_remaining_min",
    "year1_remaining_max",
    "year1_requests_to_file",
    "year1_uncosted_lines",
    "validated_at",
    "changed_since_validation_at",
)
ORDERINGS = {
    "name": [F("name").asc()],
    "last": [F("last_date").asc(nulls_first=True), F("name").asc()],
    "-last": [F("last_date").desc(nulls_last=True), F("name").asc()],
    "index": [F("index").asc(nulls_last=True), F("name").asc()],
    "-index": [F("index").desc(nulls_last=True), F("name").asc()],
    "-change": [F("change").desc(nulls_last=True), F("name").asc()],
    "-remaining": [F("year1_remaining_max").desc(nulls_last=True), F("name").asc()],
    "-requests": [F("year1_requests_to_file").desc(nulls_last=True), F("name").asc()],
    "-overdue": [F("overdue_lines").desc(), F("name").asc()],
}


def _first(queryset: QuerySet, field: str, output: Any = None, offset: int = 0) -> Subquery:
    return Subquery(queryset.values(field)[offset : offset + 1], output_field=output)


def portfolio(user: User) -> QuerySet[Company]:
    """The advisor's open companies, each with its latest diagnostic (any status), and from
    its latest submitted one: the overall index, its change since the submitted diagnostic
    before, the plan's first-year figures and whether the plan is validated.

    As on the results page, a diagnostic whose scores rest on too few known answers has no
    index (`index_unreliable` says so) and is left out of the change, which compares the
    latest index with the one of the last reliable diagnostic before it.

    `overdue_lines`: the lines still accepted in any of the company's plans whose target
    quarter is over (the home lists an earlier plan's too)."""
    diagnostics = Diagnostic.objects.filter(company=OuterRef("pk"))
    latest = diagnostics.order_by("-created_at", "-pk")
    submitted = diagnostics.filter(status=Diagnostic.Status.SUBMITTED).order_by(
        "-submitted_at", "-pk"
    )
    reliable = submitted.reliable()
    overall = Score.objects.filter(level=Score.Level.OVERALL)
    plan = ActionPlan.objects.filter(diagnostic_id=OuterRef("submitted_id"))
    overdue = (
        PlanItem.objects.filter(company_id=OuterRef("pk"), status=PlanItem.Status.ACCEPTED)
        .filter(over_by(timezone.localdate()))
        .order_by()
        .values("company_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    rows = (
        Company.objects.for_advisor(user)
        .annotate(
            last_public_id=_first(latest, "public_id"),
            last_status=_first(latest, "status"),
            last_date=Coalesce(
                _first(latest, "submitted_at"),
                _first(latest, "created_at"),
                output_field=DateTimeField(),
            ),
            submitted_id=_first(submitted, "pk"),
            submitted_public_id=_first(submitted, "public_id"),
            reliable_id=_first(reliable, "pk"),
            previous_id=_first(reliable, "pk", offset=1),
        )
        .annotate(
            # The latest submitted diagnostic's index, when it is also the latest reliable one.
            index=_first(
                overall.filter(diagnostic_id=OuterRef("submitted_id")).filter(
                    diagnostic_id=OuterRef("reliable_id")
                ),
                "score",
            ),
            index_unreliable=Case(
                When(submitted_id__isnull=True, then=Value(False)),
                When(submitted_id=F("reliable_id"), then=Value(False)),
                default=Value(True),
                output_field=BooleanField(),
            ),
            previous_index=_first(overall.filter(diagnostic_id=OuterRef("previous_id")), "score"),
            overdue_lines=Coalesce(Subquery(overdue, output_field=IntegerField()), 0),
            **{name: _first(plan, name) for name in PLAN_FIGURES},
        )
        .annotate(
            change=Case(
                When(
                    index__isnull=False,
                    previous_index__isnull=False,
                    then=F("index") - F("previous_index"),
                ),
                output_field=FloatField(),
            ),
            state=Case(
                When(
                    validated_at__isnull=False,
                    changed_since_validation_at__isnull=False,
                    then=Value(ReviewState.CHANGED),
                ),
                When(validated_at__isnull=False, then=Value(ReviewState.VALIDATED)),
                When(submitted_id__isnull=False, then=Value(ReviewState.TO_REVIEW)),
                When(last_status__isnull=False, then=Value(ReviewState.DRAFT)),
                default=Value(ReviewState.NONE),
                output_field=CharField(),
            ),
        )
    )
    return rows


def filtered_portfolio(user: User, filters: dict[str, Any]) -> QuerySet[Company]:
    """The portfolio narrowed by the (cleaned) filters of PortfolioFilterForm, sorted."""
    rows = portfolio(user)
    if q := filters.get("q"):
        digits = q.replace(" ", "")
        match = Q(name__icontains=q)
        if digits.isdigit():
            match |= Q(siret__startswith=digits)
        rows = rows.filter(match)
    if sector := filters.get("sector"):
        rows = rows.filter(naf_code__regex=naf_regex(sector))
    if region := filters.get("region"):
        rows = rows.filter(region=region)
    if band := filters.get("band"):
        rows = rows.filter(headcount_band=band)
    if (status := filters.get("status")) == ReviewState.DRAFT:
        # Whatever the review of the diagnostic before it: the list shows the latest
        # diagnostic, in progress.
        rows = rows.filter(last_status=Diagnostic.Status.DRAFT)
    elif status:
        rows = rows.filter(state=status)
    if since := filters.get("since"):
        rows = rows.filter(last_date__date__gte=since)
    if until := filters.get("until"):
        rows = rows.filter(last_date__date__lte=until)
    return rows.order_by(*ORDERINGS[filters.get("sort") or "name"], "pk")


def review_queue(user: User) -> QuerySet[Diagnostic]:
    """Submitted diagnostics of the portfolio whose plan is not validated, or changed since
    its validation, the longest waiting first (since the submission, or since the change)."""
    return (
        Diagnostic.objects.filter(
            company__in=Company.objects.for_advisor(user),
            status=Diagnostic.Status.SUBMITTED,
        )
        .filter(
            Q(plan__isnull=True)
            | Q(plan__validated_at__isnull=True)
            | Q(plan__changed_since_validation_at__isnull=False)
        )
        .select_related("company")
        .only(
            "public_id",
            "submitted_at",
            "created_at",
            "mode",
            "scores_reliable",
            "company__name",
            "company__public_id",
            "company__siret",
            "company__naf_code",
            "company__region",
            "company__headcount_band",
        )
        .annotate(
            # No index without enough known answers, as on the results page.
            index=Case(
                When(
                    scores_reliable=True,
                    then=_first(
                        Score.objects.filter(
                            diagnostic_id=OuterRef("pk"), level=Score.Level.OVERALL
                        ),
                        "score",
                    ),
                ),
                output_field=FloatField(),
            ),
            changed_at=F("plan__changed_since_validation_at"),
            waiting_since=Coalesce("changed_at", "submitted_at"),
        )
        .order_by("waiting_since", "pk")
    )


def export_rows(rows: QuerySet[Company]) -> Iterator[list[Any]]:
    """The portfolio's rows as a spreadsheet gives them: the page's columns and the
    company's branch (IDCC), each end of a range in its own column, read in chunks so that
    memory stays flat."""
    states = dict(ReviewState.CHOICES)
    yield [
        _("Company"),
        "SIRET",
        _("NAF code"),
        "IDCC",
        _("Region"),
        _("Headcount"),
        _("Latest diagnostic"),
        _("Latest diagnostic's status"),
        _("Index /100"),
        _("Change since the previous diagnostic"),
        _("Year-one cost (low)"),
        _("Year-one cost (high)"),
        _("Estimated funding (low)"),
        _("Estimated funding (high)"),
        _("Remaining cost (low)"),
        _("Remaining cost (high)"),
        _("Funding requests to file"),
        _("Review"),
        _("Accepted lines past their quarter"),
        _("Year-one lines whose funding is not estimated"),
    ]
    for c in rows.iterator(chunk_size=2000):
        yield [
            c.name,
            c.siret,
            c.naf_code,
            c.idcc,
            c.get_region_display(),
            c.get_headcount_band_display(),
            timezone.localdate(c.last_date) if c.last_date else None,  # a date cell in XLSX
            {"draft": _("In progress"), "submitted": _("Submitted")}.get(c.last_status),
            None if c.index is None else round(c.index, 1),
            None if c.change is None else round(c.change, 1),
            c.year1_cost_min,
            c.year1_cost_max,
            c.year1_funding_min,
            c.year1_funding,
            c.year1_remaining_min,
            c.year1_remaining_max,
            c.year1_requests_to_file,
            str(states[c.state]),
            c.overdue_lines,
            c.year1_uncosted_lines,
        ]
