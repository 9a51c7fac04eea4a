"""What the observatory's pages and exports show, read from the precomputed tables.

An operator admin reads the `Aggregate` rows of the whole sector; an advisor the same
figures summed over the facts of the companies of the portfolio only. Either way a fixed
number of queries, whatever the number of companies, and no cell made from fewer than
BENCHMARK_MIN_COMPANIES companies.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.branches import branch_label
from accounts.i18n import display_quarter
from accounts.models import HeadcountBand, Region
from diagnostics.models import Questionnaire
from documents.parsing import tr
from documents.services import LATEST_FIRST
from reports.models import FundingRules, PlanItem, TrainingAction
from reports.quarters import is_past

from .charts import bar_svg
from .models import Aggregate, PlanLineFact
from .services import COLUMNS, FORECAST_STATUSES, aggregate_sql

if TYPE_CHECKING:
    from accounts.models import User

METRICS = (
    "companies",
    "lines",
    "hours",
    "cost_min",
    "cost_max",
    "funding_min",
    "funding_max",
    "remaining_min",
    "remaining_max",
)
PORTFOLIO = (
    "company_id IN (SELECT ca.company_id FROM accounts_company_advisors ca "
    "JOIN accounts_company c ON c.id = ca.company_id "
    "WHERE ca.user_id = %(user)s AND c.closed_at IS NULL) AND questionnaire_id = %(q)s"
)
SECTOR = "questionnaire_id = %(q)s"  # the facts are of open companies only


def sees_everything(user: User) -> bool:
    return user.is_staff or user.is_superuser


def check_access(user: User) -> None:
    """Operator admins and advisors; anyone else gets 403."""
    if not (sees_everything(user) or user.is_advisor):
        raise PermissionDenied(_("The observatory is for the operator's staff and advisors."))


@dataclass
class Selection:
    questionnaire: Questionnaire | None
    period: int  # 0: every period
    questionnaires: list[Questionnaire] = field(default_factory=list)
    periods: list[int] = field(default_factory=list)
    region: str = ""  # "": every region
    branch: str = ""  # "": every branch
    branches: list[tuple[str, str]] = field(default_factory=list)  # (IDCC, label)
    refreshed_at: datetime | None = None  # the refresh the figures come from; None: none yet

    @property
    def region_label(self) -> str:
        return str(dict(Region.choices).get(self.region, ""))

    @property
    def branch_label(self) -> str:
        return branch_label(self.branch)

    @property
    def query(self) -> str:
        """The selection as a query string, for the links that keep it."""
        params: dict[str, Any] = {
            "questionnaire": self.questionnaire.pk if self.questionnaire else "",
            "period": self.period,
        }
        if self.region:
            params["region"] = self.region
        if self.branch:
            params["branch"] = self.branch
        return urlencode(params)


def selection(
    user: User,
    questionnaire_id: int | None,
    period: int | None,
    region: str = "",
    branch: str = "",
) -> Selection:
    """The questionnaire version, period, region and branch asked for, with the versions,
    periods and branches there are to choose from (the latest version, every period, region
    and branch by default). The branches offered are the sector's of at least
    BENCHMARK_MIN_COMPANIES companies, or every branch of an advisor's portfolio; another
    one falls back to every branch; with the time of the refresh the figures come from.
    Two queries (three for an advisor); one more reads the chosen version's definition
    when its labels are needed, never any version's source."""
    questionnaires = list(
        Questionnaire.objects.defer("source", "definition").order_by("key", "-version")
    )
    chosen = next((q for q in questionnaires if q.pk == questionnaire_id), None)
    if chosen is None and questionnaires:
        chosen = questionnaires[0]
    if sees_everything(user):
        # Every period and branch has a total of its counted lines.
        totals = list(
            Aggregate.objects.filter(
                questionnaire=chosen, region="", dimension="total", status="", priority=0
            ).values_list("period", "branch", "companies", "refreshed_at")
        )
        k = settings.BENCHMARK_MIN_COMPANIES
        found = [(p, b) for p, b, _companies, _at in totals]
        codes = {b for p, b, companies, _at in totals if b and not p and companies >= k}
        refreshed_at = max((at for *_rest, at in totals), default=None)
    else:
        found = list(
            PlanLineFact.objects.filter(
                questionnaire=chosen, company__advisors=user, company__closed_at__isnull=True
            )
            .values_list("period", "idcc")
            .distinct()
        )
        codes = {b for _p, b in found if b}
        # Facts and aggregates are written by the same refresh: the sector's total says when.
        refreshed_at = (
            Aggregate.objects.filter(
                questionnaire=chosen, period=0, region="", branch="", dimension="total"
            )
            .values_list("refreshed_at", flat=True)
            .first()
        )
    periods = sorted({p for p, _b in found if p}, reverse=True)
    return Selection(
        questionnaire=chosen,
        period=period if period in periods else 0,
        questionnaires=questionnaires,
        periods=periods,
        region=region,
        branch=branch if branch in codes else "",
        branches=sorted(((code, branch_label(code)) for code in codes), key=lambda b: b[1]),
        refreshed_at=refreshed_at,
    )


def figures(user: User, chosen: Selection) -> list[dict[str, Any]]:
    """Every figure of the selection (of every region or one, of every branch or one), as
    Aggregate rows (dicts). One query: the sector's precomputed aggregates, or the same
    figures summed over the facts on each request, for a portfolio's companies or for one
    region and one branch at once."""
    if chosen.questionnaire is None:
        return []
    if sees_everything(user) and not (chosen.region and chosen.branch):
        return list(
            Aggregate.objects.filter(
                questionnaire=chosen.questionnaire,
                period=chosen.period,
                region=chosen.region,
                branch=chosen.branch,
            ).values(*COLUMNS.replace(" ", "").split(","))
        )
    where = (
        (SECTOR if sees_everything(user) else PORTFOLIO)
        + (" AND region = %(region)s" if chosen.region else "")
        + (" AND idcc = %(branch)s" if chosen.branch else "")
    )
    sql = (
        f"SELECT {COLUMNS} FROM ({aggregate_sql(where, slices=False)}) AS f "  # noqa: S608 - constant SQL
        "WHERE period = %(period)s"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            {
                "user": user.pk,
                "q": chosen.questionnaire.pk,
                "period": chosen.period,
                "region": chosen.region,
                "branch": chosen.branch,
            },
        )
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


class Labels:
    """Readable names of the keys: domains and competencies from the questionnaire, actions
    from the catalogue, routes from the funding rules. Two queries."""

    def __init__(self, questionnaire: Questionnaire | None, action_codes: set[str], lang: str):
        self.lang = lang
        self.names: dict[str, dict[str, str]] = {
            "region": {k: str(v) for k, v in Region.choices},
            "funding_region": {k: str(v) for k, v in Region.choices},
            "band": {k: str(v) for k, v in HeadcountBand.choices},
            "quarter": {k: str(v) for k, v in PlanItem.Horizon.choices},
            "section": {},
            "idcc": {"": _("No collective agreement given")},
            "route": {"": _("No funding found")},
        }
        if questionnaire is not None:
            spec = questionnaire.spec
            self.names["domain"] = {d.code: tr(d.title, lang) for d in spec.domains}
            self.names["competency"] = {c.code: tr(c.title, lang) for c in spec.competencies()}
        self.names["action"] = {
            code: tr(title, lang)
            for code, title in TrainingAction.objects.filter(code__in=action_codes)
            .order_by("catalogue_id")
            .values_list("code", "title")
        }
        # Every published version of the funding rules, the latest first (one query; their
        # definitions are parsed once per process).
        versions = list(FundingRules.objects.defer("source").order_by(*LATEST_FIRST))
        self.latest_rules_key = str(versions[0].pk) if versions else ""
        if versions:
            latest = versions[0].rules
            routes = {r.route for r in latest.rules}
            self.names["route"].update({r: tr(latest.label(r), lang) or r for r in routes})
        self.names["rules"] = {"": _("No funding rules (no funding estimated)")}
        for rules in versions:
            checked = date_format(rules.checked_on, "SHORT_DATE_FORMAT")
            self.names["rules"][str(rules.pk)] = (
                _("%(title)s, version %(version)s (checked on %(date)s): the latest")
                if str(rules.pk) == self.latest_rules_key
                else _("%(title)s, version %(version)s (checked on %(date)s): an earlier version")
            ) % {"title": tr(rules.title, lang), "version": rules.version, "date": checked}

    def __call__(self, dimension: str, key: str) -> str:
        if dimension == "section":
            return _("Section %(letter)s") % {"letter": key} if key else _("Unknown")
        if dimension == "quarter" and key not in self.names["quarter"]:
            return display_quarter(key, self.lang) or "—"
        if dimension == "idcc" and key:
            return branch_label(key)
        return self.names.get(dimension, {}).get(key) or key or "—"


def _pick(rows: list[dict[str, Any]], dimension: str, **match: Any) -> list[dict[str, Any]]:
    return [
        r for r in rows if r["dimension"] == dimension and all(r[k] == v for k, v in match.items())
    ]


def needs_tables(rows: list[dict[str, Any]], labels: Labels) -> dict[str, Any]:
    """Training needs: how many companies need what, at which priority, for how many hours."""
    k = settings.BENCHMARK_MIN_COMPANIES
    by_priority = {
        (r["dimension"], r["key"], r["priority"]): r["companies"]
        for r in rows
        if r["status"] == "" and r["priority"]
    }
    tables = []
    titles = {
        "domain": _("By domain"),
        "competency": _("By competency"),
        "section": _("By NAF section"),
        "region": _("By region"),
        "band": _("By headcount"),
        "action": _("The most needed actions"),
    }
    for dimension, title in titles.items():
        all_rows = sorted(
            _pick(rows, dimension, status="", priority=0),
            key=lambda r: (-r["companies"], -r["hours"], r["key"]),
        )
        shown = [r for r in all_rows if r["companies"] >= k]
        if dimension == "action":
            shown = shown[:15]
        lines = []
        for r in shown:
            priorities = [by_priority.get((dimension, r["key"], p), 0) for p in (1, 2, 3)]
            lines.append(
                {
                    "key": r["key"],
                    "label": labels(dimension, r["key"]),
                    "companies": r["companies"],
                    "priorities": [n if n >= k else None for n in priorities],
                    "lines": r["lines"],
                    "hours": round(r["hours"]),
                }
            )
        tables.append(
            {
                "dimension": dimension,
                "title": title,
                "rows": lines,
                "hidden": len([r for r in all_rows if r["companies"] < k]),
                "chart": bar_svg(
                    [(line["label"], line["companies"]) for line in lines[:12]],
                    title=_("%(title)s: companies in need") % {"title": title},
                )
                if lines
                else "",
            }
        )
    total = next(iter(_pick(rows, "total", status="", priority=0)), None)
    return {
        "total": total if total and total["companies"] >= k else None,
        "tables": tables,
    }


def funding_tables(rows: list[dict[str, Any]], labels: Labels) -> dict[str, Any]:
    """The funding forecast: cost, estimated OPCO funding and remaining cost, with the
    proposed, accepted and done lines kept apart."""
    k = settings.BENCHMARK_MIN_COMPANIES
    statuses = dict(PlanItem.Status.choices)
    status_label = {s: str(statuses.get(s, _("Done"))) for s in FORECAST_STATUSES}
    titles = {
        "route": _("By funding route"),
        "quarter": _("By quarter"),
        "funding_region": _("By region"),
        "idcc": _("By branch (IDCC)"),
        "rules": _("By funding rules"),
    }

    def line(r: dict[str, Any], dimension: str) -> dict[str, Any]:
        return {
            "key": r["key"],
            "label": labels(dimension, r["key"]),
            "status": r["status"],
            "status_label": status_label[r["status"]],
            **{m: r[m] for m in METRICS},
            "hours": round(r["hours"]),
            "uncosted_lines": r["uncosted_lines"],
            # every line eligible under a route whose rule gives no amount: not "0 €"
            "not_estimated": r["lines"] > 0 and r["uncosted_lines"] == r["lines"],
        }

    totals = [
        line(r, "funding")
        for r in sorted(_pick(rows, "funding"), key=lambda r: FORECAST_STATUSES.index(r["status"]))
        if r["companies"] >= k
    ]
    tables = []
    for dimension, title in titles.items():
        all_rows = sorted(
            _pick(rows, dimension),
            key=lambda r: (r["key"], FORECAST_STATUSES.index(r["status"])),
        )
        shown = [line(r, dimension) for r in all_rows if r["companies"] >= k]
        secured: dict[str, int] = {}
        for r in shown:
            if r["status"] in ("proposed", "accepted"):
                secured[r["label"]] = secured.get(r["label"], 0) + r["funding_max"]
        tables.append(
            {
                "dimension": dimension,
                "title": title,
                "rows": shown,
                "hidden": len(all_rows) - len(shown),
                "chart": bar_svg(
                    sorted(secured.items())[:12]
                    if dimension == "quarter"
                    else sorted(secured.items(), key=lambda kv: -kv[1])[:12],
                    title=_(
                        "%(title)s: estimated OPCO funding of proposed and accepted lines, "
                        "at the high end of their cost"
                    )
                    % {"title": title},
                    unit="€",
                )
                # A handful of rules versions, named at length: the table alone says it.
                if secured and dimension != "rules"
                else "",
            }
        )
    planned = [t for t in totals if t["status"] in ("proposed", "accepted")]
    # The accepted lines of the quarters shown whose quarter is over: still counted as to
    # secure, though each is done by now (not recorded) or to plan again.
    today = timezone.localdate()
    over = [
        r
        for t in tables
        if t["dimension"] == "quarter"
        for r in t["rows"]
        if r["status"] == "accepted" and is_past(r["key"], today)
    ]
    return {
        # Some lines were estimated under other rules than the latest (shown or held back):
        # their figures are to be confirmed until their plans follow the latest rules.
        "earlier_rules": any(r["key"] != labels.latest_rules_key for r in _pick(rows, "rules")),
        "totals": totals,
        "tables": tables,
        # At both ends of the lines' cost ranges, as every other funding figure; only the
        # statuses shown (a status of too few companies is left out of the sum, or its
        # figure would be the difference between two sums).
        "to_secure_min": sum(t["funding_min"] for t in planned),
        "to_secure": sum(t["funding_max"] for t in planned),
        "to_secure_shown": bool(planned),
        # Eligible lines whose rule gives no amount, so counted in none of the amounts above
        # (to price with the OPCO); their routes, as far as the route table shows them.
        "to_secure_uncosted": sum(t["uncosted_lines"] for t in planned),
        "uncosted_routes": list(
            dict.fromkeys(
                r["label"]
                for t in tables
                if t["dimension"] == "route"
                for r in t["rows"]
                if r["status"] in ("proposed", "accepted") and r["uncosted_lines"]
            )
        ),
        # Part of the amount to secure only when the accepted lines are counted in it.
        "overdue_shown": bool(over) and any(t["status"] == "accepted" for t in planned),
        "overdue_min": sum(r["funding_min"] for r in over),
        "overdue": sum(r["funding_max"] for r in over),
        "overdue_quarters": [r["label"] for r in over],
        "to_secure_partial": any(
            r["status"] in ("proposed", "accepted") and r["companies"] < k
            for r in _pick(rows, "funding")
        ),
    }


def observatory_context(user: User, chosen: Selection, lang: str) -> dict[str, Any]:
    rows = figures(user, chosen)
    labels = Labels(
        chosen.questionnaire,
        {r["key"] for r in rows if r["dimension"] == "action"},
        lang,
    )
    needs, funding = needs_tables(rows, labels), funding_tables(rows, labels)
    # Within one region no table by region, within one branch none by branch.
    left_out = {"region", "funding_region"} if chosen.region else set()
    if chosen.branch:
        left_out.add("idcc")
    for figures_ in (needs, funding):
        figures_["tables"] = [t for t in figures_["tables"] if t["dimension"] not in left_out]
    return {
        "selection": chosen,
        "scope": _scope(chosen, whole_sector=sees_everything(user)),
        "regions": Region.choices,
        "min_companies": settings.BENCHMARK_MIN_COMPANIES,
        "whole_sector": sees_everything(user),
        "needs": needs,
        "funding": funding,
    }


# Whose figures a page shows: (the whole sector, one region, one branch) -> its sentence.
SCOPES = {
    (True, False, False): gettext_lazy("Every company of the sector."),
    (True, True, False): gettext_lazy("Every company of the sector in the %(region)s region."),
    (True, False, True): gettext_lazy("Every company of the sector in the %(branch)s branch."),
    (True, True, True): gettext_lazy(
        "Every company of the sector in the %(branch)s branch and the %(region)s region."
    ),
    (False, False, False): gettext_lazy("The companies of your portfolio only."),
    (False, True, False): gettext_lazy(
        "The companies of your portfolio in the %(region)s region only."
    ),
    (False, False, True): gettext_lazy(
        "The companies of your portfolio in the %(branch)s branch only."
    ),
    (False, True, True): gettext_lazy(
        "The companies of your portfolio in the %(branch)s branch and the %(region)s region only."
    ),
}


def _scope(chosen: Selection, *, whole_sector: bool) -> str:
    """Whose figures the page shows, in a sentence."""
    text = SCOPES[whole_sector, bool(chosen.region), bool(chosen.branch)]
    return str(text) % {"region": chosen.region_label, "branch": chosen.branch_label}
