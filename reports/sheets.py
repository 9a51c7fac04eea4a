"""The action plan as spreadsheet rows: what a company needs, line by line, to ask its OPCO
for the funding, and what the advisor's export of a company carries.

The lines come from `reports.document.plan_rows`, in the page's order (legal obligations,
then the first 12 months, then later, each by priority), with the same figures as the page
and the PDF. Amounts are numbers (euros excluding tax), so that a spreadsheet can add them
up; a funding that the rules do not estimate is left empty, not written as 0.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from diagnostics.definition import tr

from .document import plan_rows
from .models import ActionPlan


def plan_lines_header() -> list[str]:
    return [
        _("Action"),
        _("Title"),
        _("Competencies"),
        _("Legal obligation"),
        _("Priority"),
        _("Horizon"),
        _("Target quarter"),
        _("Status"),
        _("Modality"),
        _("Hours per person"),
        _("People"),
        _("Hours (all people)"),
        _("Cost (low)"),
        _("Cost (high)"),
        _("Funding route"),
        _("Estimated funding (low)"),
        _("Estimated funding (high)"),
        _("Remaining cost (low)"),
        _("Remaining cost (high)"),
        _("To confirm with your OPCO"),
        _("Source of the funding rule"),
        _("Funding request filed on"),
        _("OPCO file number"),
        _("Funding granted by the OPCO (€)"),
        _("Owner"),
        _("Notes"),
        # Added last, so that the columns before keep their place for whoever imports them.
        _("Need to confirm with the company"),
        _("Why no funding"),
    ]


def plan_lines_sheet(plan: ActionPlan, language: str) -> list[list[Any]]:
    """A header, then one row per line of the plan."""
    rows, _totals = plan_rows(plan, language)
    sheet: list[list[Any]] = [plan_lines_header()]
    for r in rows:
        best = r["best_route"] if r["best_route"] and r["best_route"]["eligible"] else None
        costed = best is not None and not r["not_estimated"]
        sheet.append(
            [
                r["action_code"],
                r["action_title"],
                "; ".join(r["competencies"]),
                "; ".join(r["compliance"]),
                r["priority"],
                r["horizon_label"],
                r["target_quarter"],
                r["status"],
                r["modality"],
                float(r["duration_hours"]),
                r["people"],
                float(r["duration_hours"]) * r["people"],
                r["cost_min"],
                r["cost_max"],
                best["label"] if best else _("No funding found"),
                r["funding_min"] if costed else None,
                r["estimated_funding"] if costed else None,
                r["remaining_min"],
                r["remaining_max"],
                _("yes") if best and (best["uncertain"] or not best["costed"]) else "",
                best["source"] if best else "",
                r["funding_requested_on"],
                r["funding_reference"],
                r["funding_granted"],
                r["owner"],
                r["notes"],
                " ".join(r["to_confirm"]),
                _why_no_funding(r["best_route"]),
            ]
        )
    return sheet


def _why_no_funding(best: dict[str, Any] | None) -> str:
    """For a line its best route refuses, why, and what the company may do instead: the
    plan page's note, for a file read on its own."""
    if best is None or best["eligible"]:
        return ""
    text = _("%(route)s: not eligible. %(reason)s.") % {
        "route": best["label"],
        "reason": best["reason"],
    }
    other = best["otherwise"]
    if other:
        text += " " + other["text"]
        if other["uncertain"]:
            text += f" ({_('to be confirmed with your OPCO')})"
        text += " " + _("Source: %(url)s") % {"url": other["source"]}
    return text


def plan_about_sheet(plan: ActionPlan, language: str) -> list[list[Any]]:
    """Which plan this is: company, diagnostic, funding rules, validation, revision."""
    diagnostic, rules = plan.diagnostic, plan.funding_rules
    if plan.validated_at:
        validation = _("Validated by %(name)s on %(date)s") % {
            "name": plan.validated_by.full_name if plan.validated_by else _("an advisor"),
            "date": date_format(timezone.localtime(plan.validated_at), "DATE_FORMAT"),
        }
        if plan.changed_since_validation:
            validation += _(
                "; the plan changed on %(date)s, after this validation: this version is not "
                "validated"
            ) % {
                "date": date_format(
                    timezone.localtime(plan.changed_since_validation_at), "DATE_FORMAT"
                )
            }
    else:
        validation = _("Not validated by an advisor yet")
    return [
        [_("Company"), plan.company.name],
        [_("SIRET"), plan.company.siret],
        [
            _("Questionnaire"),
            f"{diagnostic.questionnaire.display_title(language)} "
            f"(v{diagnostic.questionnaire.version})",
        ],
        [
            _("Diagnostic submitted on"),
            date_format(timezone.localtime(diagnostic.submitted_at), "SHORT_DATE_FORMAT"),
        ],
        [
            _("Funding rules"),
            _("%(title)s, version %(version)s (checked on %(date)s)")
            % {
                "title": tr(rules.title, language),
                "version": rules.version,
                "date": date_format(rules.checked_on, "SHORT_DATE_FORMAT"),
            }
            if rules
            else _("No funding rules (no funding estimated)"),
        ],
        [_("Validation"), validation],
        [_("Revision of the plan"), plan.revision],
        [_("Exported on"), date_format(timezone.localdate(), "SHORT_DATE_FORMAT")],
        [],
        [
            _(
                "Estimates are indicative, under the funding rules above, subject to the "
                "OPCO's agreement; amounts in euros excluding tax, at the low and high ends "
                "of the cost range."
            )
        ],
    ]


def plan_sheets(plan: ActionPlan, language: str) -> list[tuple[str, list[list[Any]]]]:
    """The company's export of its plan: the lines, then what the plan is."""
    return [
        (_("Action plan"), plan_lines_sheet(plan, language)),
        (_("About this plan"), plan_about_sheet(plan, language)),
    ]
