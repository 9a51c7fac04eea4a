"""Rebuild the observatory's tables from the action plans (called by periodic tasks).

`refresh_observatory` writes one `PlanLineFact` per line of the latest submitted diagnostic's
plan of each open company per questionnaire version, funding estimated with
`reports.planning.fund_lines` under each plan's own funding rules, then sums the facts into
`Aggregate` rows with one INSERT … SELECT. Both run in one transaction behind an advisory
lock, so two deliveries of the task never interleave and pages always see a whole refresh.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from accounts.models import naf_section
from diagnostics.models import Questionnaire
from reports.catalogue import CatalogueDef
from reports.models import ActionPlan, Catalogue, FundingRules, PlanItem
from reports.planning import fund_lines
from reports.recommendations import PlanLine

logger = logging.getLogger(__name__)

LOCK_KEY = 74_110_201  # pg advisory lock of the observatory refresh
CHUNK = 1000  # plans read and written per round
# The statuses of lines that stand for a need (postponed and dropped lines do not).
NEED_STATUSES = ("proposed", "accepted", "done")
# The statuses the funding forecast keeps apart.
FORECAST_STATUSES = ("proposed", "accepted", "done")

# Each figure of the pages: dimension name -> column of PlanLineFact ("" for the total).
NEED_DIMENSIONS = {
    "total": "",
    "domain": "domain_code",
    "competency": "competency_code",
    "section": "section",
    "region": "region",
    "band": "headcount_band",
    "action": "action_code",
}
FUNDING_DIMENSIONS = {
    "funding": "",
    "route": "route",
    "quarter": "quarter",
    "funding_region": "region",
    "idcc": "idcc",
    "rules": "funding_rules_key",
}
MEASURES = (
    "COUNT(DISTINCT company_id) AS companies, COUNT(*) AS lines, SUM(hours) AS hours, "
    "SUM(cost_min) AS cost_min, SUM(cost_max) AS cost_max, "
    "SUM(funding_min) AS funding_min, SUM(funding_max) AS funding_max, "
    "SUM(remaining_min) AS remaining_min, SUM(remaining_max) AS remaining_max, "
    "SUM(CASE WHEN uncosted THEN 1 ELSE 0 END) AS uncosted_lines"
)
COLUMNS = (
    "questionnaire_id, period, region, branch, dimension, key, status, priority, companies, "
    "lines, hours, cost_min, cost_max, funding_min, funding_max, remaining_min, remaining_max, "
    "uncosted_lines"
)
# The slices every figure is also computed for: Aggregate column -> the facts' column. A
# dimension grouped by the slice's own column is not split by it, and facts with a blank
# value make no slice of their own (a blank slice is every region, every branch).
SLICES = {"region": "region", "branch": "idcc"}
BLANK = "''"


def _select(
    dimension: str,
    column: str,
    extra: str,
    statuses: tuple[str, ...],
    condition: str,
    grouping_sets: bool,
    slices: bool,
) -> list[str]:
    """The SELECTs of one dimension: by period and for every period (period 0), for the
    whole and for each region and each branch (SLICES), split by `extra` (priority or
    status) when given; nothing is sliced when `slices` is False. PostgreSQL computes every
    grouping in one pass (GROUPING SETS); other databases get one SELECT per grouping."""
    cols = [c for c in (column, extra) if c]
    split = [(name, fact) for name, fact in SLICES.items() if slices and fact != column]
    key = column or "''"
    priority = "priority" if extra == "priority" else "0"
    status = "status" if extra == "status" else "''"
    where = f"status IN ({_in(statuses)}){condition}"

    def select(period: str, sliced: dict[str, str], tail: str) -> str:
        values = ", ".join(f"{sliced.get(name, BLANK)} AS {name}" for name in SLICES)
        return (
            f"SELECT questionnaire_id, {period} AS period, {values}, "  # noqa: S608 - constants
            f"'{dimension}' AS dimension, {key} AS key, {status} AS status, "
            f"{priority} AS priority, {MEASURES} "
            f"FROM observatory_planlinefact WHERE {where}{tail}"
        )

    whole = [["questionnaire_id", "period", *cols], ["questionnaire_id", *cols]]
    if grouping_sets:
        sets = whole + [[*grouping, fact] for grouping in whole for _, fact in split]
        sets_sql = ", ".join(f"({', '.join(cols_)})" for cols_ in sets)
        sliced = {
            name: f"CASE WHEN GROUPING({fact}) = 0 THEN {fact} ELSE '' END" for name, fact in split
        }
        having = " AND ".join(f"NOT (GROUPING({fact}) = 0 AND {fact} = '')" for _, fact in split)
        tail = f" GROUP BY GROUPING SETS ({sets_sql})" + (f" HAVING {having}" if having else "")
        return [select("COALESCE(period, 0)", sliced, tail)]
    selects = [
        select("period", {}, f" GROUP BY {', '.join(whole[0])}"),
        select("0", {}, f" GROUP BY {', '.join(whole[1])}"),
    ]
    for name, fact in split:
        for period, grouping in (("period", whole[0]), ("0", whole[1])):
            tail = f" AND {fact} <> '' GROUP BY {', '.join([*grouping, fact])}"
            selects.append(select(period, {name: fact}, tail))
    return selects


def _in(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


def aggregate_sql(where: str = "", *, slices: bool = True) -> str:
    """SELECT of every Aggregate column (but refreshed_at) from the facts matching `where`
    (an SQL condition on observatory_planlinefact, with named parameters), also for each
    region and each branch unless `slices` is False (every row's region and branch are
    then blank)."""
    condition = f" AND ({where})" if where else ""
    args = (condition, connection.vendor == "postgresql", slices)
    parts = []
    for dimension, column in NEED_DIMENSIONS.items():
        for extra in ("priority", ""):
            parts += _select(dimension, column, extra, NEED_STATUSES, *args)
    for dimension, column in FUNDING_DIMENSIONS.items():
        parts += _select(dimension, column, "status", FORECAST_STATUSES, *args)
    return " UNION ALL ".join(parts)


def refresh_observatory(*, on: date | None = None) -> int | None:
    """Rebuild the facts and the aggregates; the number of facts, None when another
    refresh holds the lock."""
    on = on or timezone.localdate()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [LOCK_KEY])
            if not cursor.fetchone()[0]:
                logger.info("Observatory refresh skipped: another one is running.")
                return None
        cursor.execute("DELETE FROM observatory_planlinefact")
        written = 0
        for chunk in _chunks(_latest_diagnostic_ids(cursor)):
            written += _write_facts(cursor, chunk, on)
        rebuild_aggregates(cursor)
        if connection.vendor == "postgresql":
            # Every row is new: give the planner their statistics now, not whenever
            # autovacuum comes by (if it is on), or the pages summed from the facts may be
            # planned as if the table held what it held before.
            cursor.execute("ANALYZE observatory_planlinefact, observatory_aggregate")
    logger.info("Observatory refreshed: %s plan lines.", written)
    return written


def rebuild_aggregates(cursor: Any) -> None:
    """Sum the facts into the aggregates, in one statement."""
    cursor.execute("DELETE FROM observatory_aggregate")
    cursor.execute(
        f"INSERT INTO observatory_aggregate ({COLUMNS}, refreshed_at) "  # noqa: S608 - constant SQL
        f"SELECT {COLUMNS}, %(now)s FROM ({aggregate_sql()}) AS figures",
        {"now": timezone.now()},
    )


def _latest_diagnostic_ids(cursor: Any) -> list[int]:
    cursor.execute(
        "SELECT id FROM (SELECT d.id, ROW_NUMBER() OVER (PARTITION BY d.company_id, "
        "d.questionnaire_id ORDER BY d.submitted_at DESC, d.id DESC) AS rank "
        "FROM diagnostics_diagnostic d JOIN accounts_company c ON c.id = d.company_id "
        "WHERE d.status = 'submitted' AND c.closed_at IS NULL) AS latest "
        "WHERE rank = 1 ORDER BY id"
    )
    return [row[0] for row in cursor.fetchall()]


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


_catalogues: dict[int, CatalogueDef] = {}
_rules: dict[int, Any] = {}
_domains: dict[int, dict[str, str]] = {}


def _catalogue(pk: int) -> CatalogueDef:
    if pk not in _catalogues:
        _catalogues[pk] = Catalogue.objects.defer("source").get(pk=pk).spec
    return _catalogues[pk]


def _funding_rules(pk: int) -> Any:
    if pk not in _rules:
        _rules[pk] = FundingRules.objects.get(pk=pk).rules
    return _rules[pk]


def _domain_of(questionnaire_id: int) -> dict[str, str]:
    if questionnaire_id not in _domains:
        spec = Questionnaire.objects.get(pk=questionnaire_id).spec
        _domains[questionnaire_id] = {c.code: d.code for d in spec.domains for c in d.competencies}
    return _domains[questionnaire_id]


def _write_facts(cursor: Any, diagnostic_ids: list[int], on: date) -> int:
    plans = {
        plan.pk: plan
        for plan in ActionPlan.objects.filter(diagnostic_id__in=diagnostic_ids).select_related(
            "diagnostic", "company"
        )
    }
    items: dict[int, list[dict[str, Any]]] = {}
    for item in (
        PlanItem.objects.filter(plan_id__in=plans)
        .values(
            "plan_id",
            "action__code",
            "competency_code",
            "priority",
            "horizon",
            "status",
            "target_quarter",
            "people",
        )
        .order_by("plan_id", "position", "pk")
    ):
        items.setdefault(item["plan_id"], []).append(item)
    rows = []
    for plan_id, plan_items in items.items():
        rows.extend(_facts(plans[plan_id], plan_items, on))
    if rows:
        fields = list(rows[0])
        cursor.executemany(
            f"INSERT INTO observatory_planlinefact ({', '.join(fields)}) "  # noqa: S608 - constant SQL
            f"VALUES ({', '.join(['%s'] * len(fields))})",
            [tuple(row.values()) for row in rows],
        )
    return len(rows)


def _facts(plan: ActionPlan, items: list[dict[str, Any]], on: date) -> list[dict[str, Any]]:
    diagnostic, company = plan.diagnostic, plan.company
    catalogue = _catalogue(plan.catalogue_id)
    domains = _domain_of(diagnostic.questionnaire_id)
    kept = [(item, catalogue.action(item["action__code"])) for item in items]
    kept = [(item, action) for item, action in kept if action is not None]
    lines = [
        PlanLine(
            action=action, people=item["people"], status=item["status"], horizon=item["horizon"]
        )
        for item, action in kept
    ]
    fundings = (
        fund_lines(
            _funding_rules(plan.funding_rules_id),
            lines,
            headcount_band=diagnostic.headcount_band,
            idcc=company.idcc,
            on=on,
        )
        if plan.funding_rules_id
        else [None] * len(lines)
    )
    section = naf_section(diagnostic.sector)
    facts = []
    for (item, action), line, funding in zip(kept, lines, fundings, strict=True):
        cost_min, cost_max = line.cost
        best = funding.best if funding and funding.best and funding.best.eligible else None
        facts.append(
            {
                "company_id": company.pk,
                "questionnaire_id": diagnostic.questionnaire_id,
                "period": diagnostic.submitted_at.year,
                "section": section,
                "region": company.region,
                "headcount_band": diagnostic.headcount_band,
                "idcc": company.idcc,
                "domain_code": domains.get(item["competency_code"], ""),
                "competency_code": item["competency_code"],
                "action_code": action.code,
                "priority": item["priority"],
                "quarter": item["target_quarter"] or item["horizon"],
                "status": item["status"],
                "route": best.route if best else "",
                "funding_rules_key": str(plan.funding_rules_id or ""),
                "hours": float(action.duration_hours) * line.people,
                "cost_min": cost_min,
                "cost_max": cost_max,
                "funding_min": funding.funding_min if funding else 0,
                "funding_max": funding.funding_max if funding else 0,
                "remaining_min": funding.remaining_min if funding else cost_min,
                "remaining_max": funding.remaining_max if funding else cost_max,
                "uncosted": bool(funding and funding.uncosted),
            }
        )
    return facts
