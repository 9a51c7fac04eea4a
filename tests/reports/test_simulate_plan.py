"""manage.py simulate_plan on company profiles: plans an advisor would sign, with funding."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command

from diagnostics import services as diagnostic_services
from reports import services
from reports.catalogue import DEFAULT_POLICY
from reports.models import FundingRules
from tests.reports.test_planning import SPEC, answers_at
from tests.samples import SMALL_CATALOGUE_V2, SMALL_V2

ROOT = Path(__file__).resolve().parents[2]
LONG_HOURS = DEFAULT_POLICY.long_course_hours


@pytest.fixture
def published(default_questionnaire, funding_rules):
    services.import_catalogue(text=(ROOT / "reports/catalogue/catalogue-v1.yaml").read_text())


def simulate(tmp_path, answers, **options) -> dict:
    path = tmp_path / "answers.yaml"
    path.write_text(yaml.safe_dump(answers, allow_unicode=True))
    out = StringIO()
    args = {"questionnaire": "competences-industrie", "headcount": "10_49", "naf": "25.62B"}
    args.update(options)
    call_command("simulate_plan", answers=str(path), stdout=out, **args)
    return json.loads(out.getvalue())


def as_yaml(levels) -> dict:
    result = {}
    for code, answer in answers_at(levels).items():
        if answer.dont_know:
            result[code] = "dk"
        elif answer.not_concerned:
            result[code] = "na"
        else:
            result[code] = answer.value
    return result


PROFILES = {
    "all level 0": (0, {}),
    "all level 1": (1, {}),
    "all level 2": (2, {}),
    "mixed": ({"PROD": 0, "QUAL": 1, "HSE": 3, "DIG": 1, "MAINT": 2}, {}),
    "large company": (1, {"headcount": "250_499"}),
    "food company": (1, {"headcount": "50_249", "naf": "10.71C"}),
    "metal branch": (1, {"idcc": "3248"}),
}


@pytest.mark.parametrize("name", PROFILES)
def test_profiles_get_plans_an_advisor_would_sign(tmp_path, published, name):
    levels, options = PROFILES[name]
    plan = simulate(tmp_path, as_yaml(levels), **options)
    band = options.get("headcount", "10_49")
    envelope = DEFAULT_POLICY.envelope(band)
    lines = plan["lines"]
    year1 = [line for line in lines if line["horizon"] == "year1" and not line["compliance"]]
    assert len(year1) <= envelope.year1_lines
    assert plan["totals"]["priority1"] <= envelope.priority1
    actions = [line["action"] for line in lines]
    assert len(actions) == len(set(actions)), "an action appears once"
    for key in ("cost_min", "cost_max", "estimated_funding", "remaining_cost", "hours"):
        assert plan["totals"][key] == pytest.approx(sum(line[key] * 1 for line in lines)), key
    by_route = plan["totals"]["by_route"]
    assert (
        sum(group["estimated_funding"] for group in by_route.values())
        == (plan["totals"]["estimated_funding"])
    )
    for line in lines:
        assert 0 <= line["estimated_funding"] <= line["cost_max"]
        assert (line["funded_by"] is None) == (line["estimated_funding"] == 0)
        assert line["remaining_cost"] == line["cost_max"] - line["estimated_funding"]
        if line["not_estimated"]:  # eligible with no amount: no funding counted
            assert line["estimated_funding"] == 0
            assert any(r["eligible"] for r in line["routes"])
        for route in line["routes"]:
            assert 0 <= route["estimated_funding"] <= line["cost_max"]
            if not route["eligible"]:
                assert route["estimated_funding"] == 0
                assert route["reason"]
    assert plan["totals"]["uncosted_lines"] == sum(line["not_estimated"] for line in lines)
    if levels in (0, 1) and band not in DEFAULT_POLICY.long_headcount_in:
        assert all(line["hours"] <= LONG_HOURS for line in year1)


def test_a_small_company_gets_funding_and_a_large_one_is_told_why_not(tmp_path, published):
    small = simulate(tmp_path, as_yaml(1))
    assert small["funding_rules"] == {"key": "financement-opco", "version": 1}
    assert small["totals"]["estimated_funding"] > 0
    large = simulate(tmp_path, as_yaml(1), headcount="250_499")
    plan_routes = [
        route
        for line in large["lines"]
        for route in line["routes"]
        if route["route"] == "plan_developpement"
    ]
    assert plan_routes
    assert all(not route["eligible"] for route in plan_routes)
    assert "1 to 49" in plan_routes[0]["reason"]


def test_lines_whose_route_gives_no_amount_are_counted_apart(tmp_path, published):
    """Under rules version 3 FNE-Formation is eligible with no amount: a large company's
    lines it would fund count 0 € and say so, and the totals count them, as the plan page."""
    FundingRules.publish(text=(ROOT / "reports/funding/funding-2026-v3.yaml").read_text())
    plan = simulate(tmp_path, as_yaml(1), headcount="250_499")
    assert plan["funding_rules"]["version"] == 3
    uncosted = [line for line in plan["lines"] if line["not_estimated"]]
    assert uncosted
    for line in uncosted:
        assert line["estimated_funding"] == 0
        eligible = {r["route"] for r in line["routes"] if r["eligible"]}
        assert eligible
        assert eligible <= {"fne", "cpf", "poe", "vae", "clea"}
    assert plan["totals"]["uncosted_lines"] == len(uncosted)
    year1 = sum(1 for line in uncosted if line["horizon"] == "year1")
    assert plan["totals"]["by_horizon"]["year1"]["uncosted_lines"] == year1


def test_a_company_not_concerned_gets_no_line_for_it(tmp_path, db):
    diagnostic_services.import_questionnaire(text=SMALL_V2)
    services.import_catalogue(text=SMALL_CATALOGUE_V2)
    plan = simulate(
        tmp_path,
        {"A.ONE.Q1": "na", "B.TWO.Q1": 10, "C.SAFE.DUERP": "no"},
        questionnaire="test-small",
    )
    assert all("A.ONE" not in line["competencies"] for line in plan["lines"])
    assert plan["compliance"] == [
        {"question": "C.SAFE.DUERP", "obligation": "Up-to-date risk assessment (DUERP)"}
    ]
    first = plan["lines"][0]
    assert (first["action"], first["priority"], first["compliance"]) == ("C-SAFE-01", 1, True)


def test_bad_answers_are_refused_with_their_code(tmp_path, published):
    with pytest.raises(CommandError) as exc:
        simulate(tmp_path, {"NOPE.Q1": 2, next(iter(q.code for q in SPEC.questions())): 9})
    assert "NOPE.Q1: no such question" in str(exc.value)
    assert "PROD.LEAN.Q1: Choose one of the levels 0 to 4." in str(exc.value)
