"""The rows of the results page's tables and of the diagnostics lists, built in Python.

The results page shows some forty table rows of five or six cells: each domain's
competencies, the domains' scores and targets, the gaps to close and the change since the
previous diagnostic. Through the template engine they cost about 5 ms of the page's 6 (each
cell a variable node with its lookups, filters and escaping). Built here as plain strings,
every cell through `html.escape` (what Django's own escaping calls), they cost a tenth of
that. The tables themselves (caption, headers, classes, their translations) stay in
`diagnostics/results.html`; only each `<tbody>`'s rows come from here, with the figures
written as the template wrote them (`fixed`, "—" for what is unknown, `widthratio` for a
domain's target out of 100).

The diagnostics list (the company's, and the company page of an advisor) shows up to twenty
rows of four cells with their links, about 3 ms through the template engine: the same
holds for them (`diagnostic_rows`, the `{% diagnostic_rows %}` tag of `table_rows`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from html import escape
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from accounts.templatetags.links import public_url

from .models import Diagnostic
from .templatetags.figures import fixed

UNKNOWN = "—"


def body_rows(rows: Iterable[Sequence[object]]) -> SafeString:
    """`<tr><th scope="row">first cell</th><td>…</td>…</tr>` for each row, cells escaped."""
    html = "".join(
        f'<tr><th scope="row">{escape(str(first))}</th>'
        + "".join(f"<td>{escape(str(cell))}</td>" for cell in cells)
        + "</tr>"
        for first, *cells in rows
    )
    return mark_safe(html)  # noqa: S308 - every cell went through escape()


def _figure(value: float | None, places: str) -> str:
    return fixed(value, places) or UNKNOWN


def _out_of_100(level: float) -> str:
    """A target level (0 to 4) out of 100, as `{% widthratio level 4 100 %}` writes it."""
    try:
        return str(round(float(level) / 4 * 100))
    except (TypeError, ValueError):
        return ""


def _change(delta: float | None) -> str:
    if delta is None:
        return UNKNOWN
    return ("+" if delta > 0 else "") + fixed(delta, "0")


def results_rows(context: dict[str, Any]) -> dict[str, Any]:
    """The rows of the results page's tables, from `results_context`: the domains' scores
    (the chart's data), each domain's competencies (`rows` added to each domain), the gaps
    and the change since the previous diagnostic."""
    domains = context["domains"]
    for d in domains:
        d["rows"] = body_rows(
            (
                c["title"],
                _figure(c["result"].score, "0"),
                _figure(c["result"].level, "1"),
                c["result"].target,
                f"{c['result'].known}/{c['result'].visible}",
                c["result"].dont_know,
            )
            for c in d["competencies"]
        )
    return {
        "score_rows": body_rows(
            (
                d["title"],
                _figure(d["result"].score, "0"),
                _out_of_100(d["result"].target),
                _figure(d["result"].gap, "1"),
                _figure(d["benchmark"], "0"),
            )
            for d in domains
        ),
        "gap_rows": body_rows(
            (title, fixed(c.level, "1"), c.target, fixed(c.gap, "1"), f"×{c.weight}")
            for title, c in context["gaps"]
        ),
        "evolution_rows": body_rows(
            (
                e["title"],
                _figure(e["before"], "0"),
                _figure(e["now"], "0"),
                _change(e["delta"]),
            )
            for e in context["evolution"]
        ),
    }


def diagnostic_rows(diagnostics: Iterable[Diagnostic], *, answer_links: bool) -> SafeString:
    """The rows of a diagnostics table: questionnaire, day started, status (with the day of
    submission), and the links: "Answer" to a draft (`answer_links`, for its company's
    members; "—" otherwise), "Results" and "Action plan and PDF" to a submitted one."""
    answer, results, plan = (
        escape(_("Answer")),
        escape(_("Results")),
        escape(_("Action plan and PDF")),
    )
    statuses = {value: escape(str(label)) for value, label in Diagnostic.Status.choices}
    days: dict[date, str] = {}

    def short_date(moment: datetime) -> str:
        """`{{ moment|date:"SHORT_DATE_FORMAT" }}`, once per day of the list."""
        day = timezone.localtime(moment).date()
        if day not in days:
            days[day] = date_format(day, "SHORT_DATE_FORMAT")
        return days[day]

    rows = []
    for d in diagnostics:
        status = statuses[d.status]
        if d.submitted_at:
            status += f" ({short_date(d.submitted_at)})"
        if not d.is_draft:
            links = (
                f'<a href="{public_url("diagnostics:results", d.public_id)}">{results}</a> · '
                f'<a href="{public_url("reports:plan", d.public_id)}">{plan}</a>'
            )
        elif answer_links:
            links = f'<a href="{public_url("diagnostics:overview", d.public_id)}">{answer}</a>'
        else:
            links = UNKNOWN
        rows.append(
            f"<tr>\n      <td>{escape(str(d.questionnaire))}</td>\n"
            f"      <td>{short_date(d.created_at)}</td>\n"
            f"      <td>{status}</td>\n      <td>{links}</td>\n    </tr>"
        )
    return mark_safe("\n".join(rows))  # noqa: S308 - every value went through escape()
