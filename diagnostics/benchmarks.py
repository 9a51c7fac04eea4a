"""Benchmarks: how similar companies score, precomputed into `Benchmark` rows.

`refresh_benchmarks` rebuilds the table from the latest submitted diagnostic with reliable
scores (`Diagnostic.scores_reliable`: enough known answers) of each open company per
questionnaire version (a periodic task calls it). A diagnostic resting on too few known answers
shows no index to its own company, so it weighs on nobody else's comparison either: its company
counts with its previous reliable diagnostic, or not at all. Likewise a domain whose own
questions have too few known answers (`Score.reliable`) is left out of that domain's mean.
`benchmark_for` reads the table for one diagnostic. A group is shown only when at least
BENCHMARK_MIN_COMPANIES companies contribute, so no figure ever describes a single company; a
closed company leaves at the next refresh.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import NAF_SECTIONS, naf_section

from .models import Benchmark, Diagnostic, Score


def section_sql(column: str) -> str:
    """A SQL CASE giving the NAF section letter of a two-digit division column."""
    whens = " ".join(
        f"WHEN {column} BETWEEN '{low:02d}' AND '{high:02d}' THEN '{letter}'"
        for letter, low, high in NAF_SECTIONS
    )
    return f"(CASE {whens} ELSE '' END)"


LATEST = f"""
WITH ranked AS (
    SELECT d.id, d.company_id, d.questionnaire_id, d.headcount_band, c.region,
           {section_sql("d.sector")} AS section,
           ROW_NUMBER() OVER (
               PARTITION BY d.company_id, d.questionnaire_id
               ORDER BY d.submitted_at DESC, d.id DESC
           ) AS rank
    FROM diagnostics_diagnostic d
    JOIN accounts_company c ON c.id = d.company_id
    WHERE d.status = 'submitted' AND d.scores_reliable AND c.closed_at IS NULL
),
scored AS (
    SELECT l.company_id, l.questionnaire_id, l.section, l.headcount_band, l.region,
           s.level, s.code, s.score
    FROM ranked l
    JOIN diagnostics_score s ON s.diagnostic_id = l.id
    WHERE l.rank = 1 AND s.level IN ('overall', 'domain') AND s.score IS NOT NULL
      AND s.reliable AND l.section <> ''
)
"""  # noqa: S608 - built from constants, no user input
# The group of the band and region, of the band (every region), of the section alone.
GROUPS = (("headcount_band", "region"), ("headcount_band", None), (None, None))


def _group_select(band: str | None, region: str | None) -> str:
    keys = ", ".join(["questionnaire_id", "section", *(c for c in (band, region) if c)])
    blank = "''"
    return (
        f"SELECT questionnaire_id, section, {band or blank}, {region or blank}, level, code, "  # noqa: S608 - constants
        f"COUNT(DISTINCT company_id), AVG(score), %s FROM scored "
        f"GROUP BY {keys}, level, code"
    )


REFRESH_SQL = (
    LATEST
    + "INSERT INTO diagnostics_benchmark (questionnaire_id, section, headcount_band, region, "
    "level, code, companies, mean, refreshed_at) "
    + " UNION ALL ".join(_group_select(band, region) for band, region in GROUPS)
)


def refresh_benchmarks() -> int:
    """Rebuild every benchmark row; the number of rows written."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM diagnostics_benchmark")
        cursor.execute(REFRESH_SQL, [timezone.now()] * len(GROUPS))
        return cursor.rowcount


@dataclass
class BenchmarkGroup:
    """The most specific group of similar companies that is large enough."""

    section: str
    headcount_band: str
    region: str
    companies: int
    overall: float | None = None
    domains: dict[str, tuple[float, int]] = field(default_factory=dict)


def benchmark_for(diagnostic: Diagnostic) -> BenchmarkGroup | None:
    """The benchmark of a diagnostic: the companies of its NAF section, band and region,
    else of its section and band, else of its section; None when no group reaches
    BENCHMARK_MIN_COMPANIES companies. One query."""
    k = settings.BENCHMARK_MIN_COMPANIES
    section = naf_section(diagnostic.sector)
    region = diagnostic.company.region
    rows = Benchmark.objects.filter(
        questionnaire_id=diagnostic.questionnaire_id,
        section=section,
        headcount_band__in=[diagnostic.headcount_band, ""],
        region__in=[region, ""],
    ).exclude(headcount_band="", region__gt="")
    groups: dict[tuple[str, str], list[Benchmark]] = {}
    for row in rows:
        groups.setdefault((row.headcount_band, row.region), []).append(row)
    for key in ((diagnostic.headcount_band, region), (diagnostic.headcount_band, ""), ("", "")):
        cells = [row for row in groups.get(key, []) if row.companies >= k]
        if not cells:
            continue
        group = BenchmarkGroup(
            section=section,
            headcount_band=key[0],
            region=key[1],
            companies=max(row.companies for row in cells),
        )
        for row in cells:
            if row.level == Score.Level.OVERALL:
                group.overall = round(row.mean, 1)
            else:
                group.domains[row.code] = (round(row.mean, 1), row.companies)
        return group
    return None
