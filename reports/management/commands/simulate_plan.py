"""manage.py simulate_plan: the action plan a company profile and its answers would get.

Operators try a catalogue or funding rules change on a few profiles before publishing it;
nothing is written to the database. The plan is printed as JSON on stdout:

    manage.py simulate_plan --questionnaire competences-industrie --headcount 10_49 \\
        --naf 25.62B --answers answers.yaml [--idcc 3248] [--people 1]

The answers file maps question codes to values: a level (0-4) for maturity questions,
"yes"/"no", a choice code or a list of them, a number, a text; "dk" for "don't know" and
"na" for "not concerned".
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone, translation

from accounts.validators import normalize_naf
from diagnostics.definition import HEADCOUNT_BANDS, Profile, QuestionnaireDef
from diagnostics.forms import AnswerError, parse_answer
from diagnostics.models import Questionnaire
from diagnostics.scoring import AnswerValue, question_level, score
from documents.parsing import DocumentError, read_yaml
from reports.models import FundingRules
from reports.planning import YEAR1, fund_lines, plan_from_results, uncovered
from reports.recommendations import PlanLine
from reports.services import latest_catalogue


class Command(BaseCommand):
    help = (
        "Print as JSON the action plan that a company profile and its answers would get "
        "with the published questionnaire, catalogue and funding rules. Writes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--questionnaire", required=True, metavar="KEY")
        parser.add_argument("--headcount", required=True, choices=HEADCOUNT_BANDS)
        parser.add_argument("--naf", required=True, metavar="CODE", help="e.g. 25.62B")
        parser.add_argument("--region", default="", help="kept in the output, for the record")
        parser.add_argument("--idcc", default="", metavar="N", help="4-digit branch agreement")
        parser.add_argument("--answers", required=True, type=Path, metavar="FILE")
        parser.add_argument("--people", type=int, default=1, help="people per line (1)")

    def handle(self, *args: Any, **options: Any) -> None:
        questionnaire = (
            Questionnaire.objects.filter(key=options["questionnaire"]).order_by("-version").first()
        )
        if questionnaire is None:
            raise CommandError(f"no published questionnaire {options['questionnaire']!r}")
        catalogue_row = latest_catalogue()
        if catalogue_row is None:
            raise CommandError("no training catalogue is published")
        naf = normalize_naf(options["naf"])
        if not re.fullmatch(r"[0-9]{2}\.[0-9]{2}[A-Z]", naf):
            raise CommandError(f"--naf: expected a NAF code such as 25.62B, got {naf!r}")
        idcc = options["idcc"].zfill(4) if options["idcc"] else ""
        if idcc and not re.fullmatch(r"[0-9]{4}", idcc):
            raise CommandError(f"--idcc: expected up to 4 digits, got {options['idcc']!r}")
        if options["people"] < 1:
            raise CommandError("--people: at least 1")
        spec = questionnaire.spec
        with translation.override("en"):  # the output speaks English, like its reasons
            answers = read_answers(Path(options["answers"]), spec)
        band = options["headcount"]
        results = score(spec, answers, Profile(sector=naf[:2], headcount_band=band))
        levels = {
            code: level
            for code, answer in answers.items()
            if (q := spec.question(code)) and (level := question_level(q, answer)) is not None
        }
        catalogue = catalogue_row.spec
        lines, recommendations = plan_from_results(
            spec, results.competencies, levels, catalogue, headcount_band=band
        )
        plan_lines = [
            PlanLine(line.action, people=options["people"], status="proposed", horizon=line.horizon)
            for line in lines
        ]
        rules_row = FundingRules.latest()
        fundings = (
            fund_lines(
                rules_row.rules, plan_lines, headcount_band=band, idcc=idcc, on=timezone.localdate()
            )
            if rules_row
            else [None] * len(lines)
        )
        out_lines = []
        for line, plan_line, funding in zip(lines, plan_lines, fundings, strict=True):
            cost_min, cost_max = plan_line.cost
            out_lines.append(
                {
                    "action": line.action.code,
                    "competencies": list(line.competencies),
                    "priority": line.priority,
                    "horizon": line.horizon,
                    "hours": line.action.duration_hours,
                    "people": plan_line.people,
                    "cost_min": cost_min,
                    "cost_max": cost_max,
                    "routes": [
                        {
                            "route": e.route,
                            "eligible": e.eligible,
                            "reason": e.reason.get("en", ""),
                            "estimated_funding": e.estimated_funding,
                            "remaining_cost": e.remaining_cost,
                            "uncertain": e.uncertain,
                            "source": e.source,
                        }
                        for e in (funding.routes if funding else ())
                    ],
                    "funded_by": (
                        funding.best.route if funding and funding.best and funding.funding else None
                    ),
                    "estimated_funding": funding.funding if funding else 0,
                    # eligible, but its route's rule gives no amount: counted as 0 above
                    "not_estimated": bool(funding and funding.uncosted),
                    "remaining_cost": funding.remaining_max if funding else cost_max,
                    "compliance": line.compliance,
                }
            )
        plan = {
            "profile": {
                "headcount": band,
                "naf": naf,
                "region": options["region"],
                "idcc": idcc,
            },
            "questionnaire": {"key": questionnaire.key, "version": questionnaire.version},
            "catalogue": {"key": catalogue_row.key, "version": catalogue_row.version},
            "funding_rules": (
                {"key": rules_row.key, "version": rules_row.version} if rules_row else None
            ),
            "lines": out_lines,
            "compliance": [
                {"question": f.question, "obligation": f.obligation.get("en", "")}
                for line in lines
                for f in line.findings
            ],
            "open_gaps": [
                {"competency": r.competency, "gap": r.gap}
                for r in uncovered(recommendations, lines)
            ],
            "totals": totals(out_lines),
        }
        self.stdout.write(json.dumps(plan, ensure_ascii=False, indent=2))


def totals(lines: list[dict[str, Any]]) -> dict[str, Any]:
    def add(group: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            "lines": len(group),
            "hours": round(sum(line["hours"] * line["people"] for line in group), 1),
            "cost_min": sum(line["cost_min"] for line in group),
            "cost_max": sum(line["cost_max"] for line in group),
            "estimated_funding": sum(line["estimated_funding"] for line in group),
            "remaining_cost": sum(line["remaining_cost"] for line in group),
            # the eligible lines the funding leaves out, as the plan page says
            "uncosted_lines": sum(1 for line in group if line["not_estimated"]),
        }

    by_route: dict[str, list[dict[str, Any]]] = {}
    for line in lines:  # under the route the estimate chose (ceilings applied), as the page
        by_route.setdefault(line["funded_by"] or "none", []).append(line)
    return {
        **add(lines),
        "priority1": sum(1 for line in lines if line["priority"] == 1),
        "by_horizon": {
            horizon: add([line for line in lines if line["horizon"] == horizon])
            for horizon in (YEAR1, "later")
        },
        "by_route": {route: add(group) for route, group in by_route.items()},
    }


def read_answers(path: Path, spec: QuestionnaireDef) -> dict[str, AnswerValue]:
    """The answers of a YAML file, each checked as the answering page checks it."""
    try:
        data = read_yaml(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(f"{path}: cannot read the file: {exc}") from None
    except DocumentError as exc:
        raise CommandError(f"{path}: {exc}") from None
    if not isinstance(data, dict):
        raise CommandError(f"{path}: expected a mapping of question codes to answers")
    answers: dict[str, AnswerValue] = {}
    errors = []
    for code, raw in data.items():
        question = spec.question(str(code))
        if question is None:
            errors.append(f"{code}: no such question in {spec.key} v{spec.version}")
            continue
        if isinstance(raw, bool):  # YAML 1.1 reads an unquoted yes/no as a boolean
            raw = "yes" if raw else "no"
        values = [str(v) for v in raw] if isinstance(raw, list) else [str(raw)]
        try:
            answers[question.code] = parse_answer(
                question,
                [] if raw in ("dk", "na") else values,
                dont_know=raw == "dk",
                not_concerned=raw == "na",
            )
        except AnswerError as exc:
            errors.append(f"{code}: {exc}")
    if errors:
        raise CommandError(f"{path}:\n" + "\n".join(errors))
    return answers
