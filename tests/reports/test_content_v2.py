"""The shipped content, version 2: questionnaires, catalogue and funding rules an advisor
accepts as they are, and the plans `simulate_plan` makes with them (docs/plans.md)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command

from diagnostics import services as diagnostic_services
from diagnostics.definition import HEADCOUNT_BANDS
from diagnostics.loader import parse_questionnaire
from reports import services
from reports.catalogue import DEFAULT_POLICY, parse_catalogue
from reports.funding import estimate_line, parse_funding_rules
from reports.models import FundingRules
from tests.reports.test_planning import answer_at

ROOT = Path(__file__).resolve().parents[2]
INDUSTRY = ROOT / "diagnostics/questionnaires/competences-industrie-v2.yaml"
WORK_STUDY = ROOT / "diagnostics/questionnaires/maturite-alternance-v1.yaml"
CATALOGUE_FILE = ROOT / "reports/catalogue/catalogue-v2.yaml"
FUNDING_FILE = ROOT / "reports/funding/funding-2026-v2.yaml"

SPECS = {
    "competences-industrie": parse_questionnaire(INDUSTRY.read_text()),
    "maturite-alternance": parse_questionnaire(WORK_STUDY.read_text()),
}
V1 = parse_questionnaire(
    (ROOT / "diagnostics/questionnaires/competences-industrie-v1.yaml").read_text()
)
CATALOGUE = parse_catalogue(CATALOGUE_FILE.read_text())
RULES = parse_funding_rules(FUNDING_FILE.read_text())
POLICY = CATALOGUE.plan_policy


# --- The files ------------------------------------------------------------------------------


def test_the_version_2_files_load_against_every_shipped_questionnaire():
    codes = {c.code for spec in (*SPECS.values(), V1) for c in spec.competencies()}
    assert parse_catalogue(CATALOGUE_FILE.read_text(), competency_codes=codes) == CATALOGUE
    assert (CATALOGUE.key, CATALOGUE.version) == ("catalogue-autodiag", 2)
    assert (RULES.key, RULES.version) == ("financement-opco", 2)
    assert CATALOGUE.policy == DEFAULT_POLICY


def test_funding_rules_version_3_keeps_version_2_but_for_the_plan_and_fne():
    """Version 3 changes two rules of version 2. The skills development plan's now tells a
    company of 50 employees or more, which its pooled funds refuse, what its OPCO may still
    fund the plan from, with the article it rests on, to be confirmed with the OPCO.
    FNE-Formation, with no 2026 budget known, no longer counts an amount: its lines are
    eligible, the amount to be confirmed."""
    v3 = parse_funding_rules((ROOT / "reports/funding/funding-2026-v3.yaml").read_text())
    assert (v3.key, v3.version, v3.checked_on) == (RULES.key, 3, RULES.checked_on)
    kept = [rule for rule in RULES.rules if rule.route != "fne"]
    assert [replace(rule, otherwise=None) for rule in v3.rules if rule.route != "fne"] == kept
    assert [rule.route for rule in v3.rules if rule.otherwise] == ["plan_developpement"]
    (plan,) = v3.for_route("plan_developpement")
    assert plan.headcount_in == ("1_9", "10_49")
    assert plan.otherwise.uncertain
    assert plan.otherwise.source.endswith("/article-l6332-1-2")
    assert "art. L. 6332-1-2" in plan.otherwise.text["fr"]
    assert "art. L. 6332-1-2" in plan.otherwise.text["en"]
    (fne,) = v3.for_route("fne")
    assert (fne.uncertain, fne.has_amount, fne.headcount_in) == (True, False, ())
    assert "Aucune enveloppe 2026 connue" in fne.note["fr"]
    for band in HEADCOUNT_BANDS:
        estimate = estimate_line(
            v3,
            routes=["fne"],
            headcount_band=band,
            idcc="",
            hours=21,
            people=2,
            cost=3000,
            certifying=False,
            on=date(2026, 12, 6),
        )
        assert (estimate.eligible, estimate.costed, estimate.uncertain) == (True, False, True)
        assert (estimate.estimated_funding, estimate.remaining_cost) == (0, 3000)


def test_the_industry_questionnaire_stays_answerable():
    spec = SPECS["competences-industrie"]
    assert (spec.key, spec.version) == ("competences-industrie", 2)
    assert len(list(spec.questions())) <= 75
    assert 8 <= len(spec.domains) <= 9
    assert 15 <= len(list(SPECS["maturite-alternance"].questions())) <= 20


def test_legal_obligations_are_marked():
    obligations = {q.code for q in SPECS["competences-industrie"].questions() if q.obligation}
    assert {"QHSE.SST.Q1", "QHSE.OBLIG.Q1", "QHSE.OBLIG.Q3", "RH.ENTR.Q1", "RH.ENTR.Q2"} == (
        obligations
    )


@pytest.mark.parametrize("key", SPECS)
@pytest.mark.parametrize("level", [0, 1, 2])
def test_every_competency_is_served_at_low_and_intermediate_levels(key, level):
    for competency in SPECS[key].competencies():
        assert any(
            competency.code in a.competencies and a.level_from <= level <= a.level_to
            for a in CATALOGUE.actions
        ), (competency.code, level)


def test_every_route_of_the_catalogue_has_funding_rules_and_pro_a_is_gone():
    routes = {route.key for route in CATALOGUE.funding_routes}
    assert routes <= {rule.route for rule in RULES.rules}
    assert "pro_a" not in routes
    assert {"reconversion", "vae", "clea", "poe", "actions_collectives"} <= routes
    v1 = parse_funding_rules((ROOT / "reports/funding/funding-2026.yaml").read_text())
    assert all(rule in RULES.rules for rule in v1.rules), "version 2 keeps version 1"


def test_funding_routes_say_what_an_advisor_checks():
    for route in CATALOGUE.funding_routes:
        assert "Qualiopi" in route.description["fr"], route.key
    fne = CATALOGUE.funding("fne")
    assert "selon les crédits disponibles" in fne.description["fr"]
    assert "subject to available budget" in fne.description["en"]


def test_actions_are_routed_and_priced_as_the_schemes_allow():
    for action in CATALOGUE.actions:
        if "reconversion" in action.funding:
            assert 150 <= action.duration_hours <= 450, action.code
            assert action.certifying, action.code
        if action.obligation:
            assert "fne" not in action.funding, action.code
        if action.modality == "intra":
            assert action.price_basis == "session", action.code
            assert 8 <= action.group_size <= 12, action.code
        if action.modality in ("inter", "elearning"):
            assert action.price_basis == "person", action.code
        if action.duration_hours > POLICY.long_course_hours and action.modality in (
            "certification",
            "alternance",
        ):
            assert action.certifying, action.code
        assert 0 < action.cost_min <= action.cost_max, action.code
    obligations = {a.code for a in CATALOGUE.actions if a.obligation}
    assert {"QHSE-SST-04", "QHSE-OBLIG-01"} <= obligations  # DUERP, designated employee


def test_english_speaks_of_career_development_interviews():
    texts = [t["en"] for a in CATALOGUE.actions for t in (a.title, a.description)]
    texts += [q.text["en"] for spec in SPECS.values() for q in spec.questions()]
    assert not [t for t in texts if "professional review" in t or "professional interview" in t]


# --- Plans ----------------------------------------------------------------------------------


@pytest.fixture
def published(db):
    for path in (INDUSTRY, WORK_STUDY):
        diagnostic_services.import_questionnaire(text=path.read_text())
    services.import_catalogue(text=CATALOGUE_FILE.read_text())
    FundingRules.publish(text=FUNDING_FILE.read_text())


def answers(key: str, levels: dict[str, int] | int, na: tuple[str, ...] = ()) -> dict:
    result = {}
    for question in SPECS[key].questions():
        level = levels if isinstance(levels, int) else levels.get(question.domain, 2)
        answer = answer_at(question, level)
        if answer is not None:
            result[question.code] = answer.value
        if question.competency in na and question.not_concerned:
            result[question.code] = "na"
    return result


def simulate(tmp_path, key, given, **options) -> dict:
    path = tmp_path / "answers.yaml"
    path.write_text(yaml.safe_dump(given, allow_unicode=True))
    out = StringIO()
    args = {"questionnaire": key, "headcount": "10_49", "naf": "25.62B"}
    args.update(options)
    call_command("simulate_plan", answers=str(path), stdout=out, **args)
    return json.loads(out.getvalue())


MIXED = {"PROD": 0, "QHSE": 0, "RH": 1, "NUM": 1, "MAINT": 2}
PROFILES = {
    "all level 0": ("competences-industrie", 0, {}, ()),
    "all level 1": ("competences-industrie", 1, {}, ()),
    "all level 2": ("competences-industrie", 2, {}, ()),
    "mixed": ("competences-industrie", MIXED, {}, ()),
    "very small": ("competences-industrie", 1, {"headcount": "1_9"}, ()),
    "large company": ("competences-industrie", 1, {"headcount": "250_499"}, ()),
    "food company": ("competences-industrie", 1, {"headcount": "50_249", "naf": "10.71C"}, ()),
    "no export": ("competences-industrie", 1, {}, ("COM.INTL",)),
    "work-study level 0": ("maturite-alternance", 0, {}, ()),
    "work-study level 2": ("maturite-alternance", 2, {}, ()),
}


@pytest.mark.parametrize("name", PROFILES)
def test_profiles_get_plans_an_advisor_would_sign(tmp_path, published, name):
    key, levels, options, na = PROFILES[name]
    plan = simulate(tmp_path, key, answers(key, levels, na), **options)
    band = options.get("headcount", "10_49")
    envelope = POLICY.envelope(band)
    lines = plan["lines"]
    assert lines
    assert plan["funding_rules"] == {"key": "financement-opco", "version": 2}
    year1 = [line for line in lines if line["horizon"] == "year1" and not line["compliance"]]
    assert len(year1) <= envelope.year1_lines
    assert sum(line["cost_max"] for line in year1) <= envelope.year1_budget or len(year1) == 1
    p1 = [line for line in lines if line["priority"] == 1 and not line["compliance"]]
    assert len(p1) <= envelope.priority1
    assert all(line["horizon"] == "year1" for line in p1)
    actions = [line["action"] for line in lines]
    assert len(actions) == len(set(actions)), "an action appears once"
    for field in ("cost_min", "cost_max", "estimated_funding", "remaining_cost", "hours"):
        assert plan["totals"][field] == pytest.approx(sum(line[field] for line in lines)), field
    for line in lines:
        assert 0 <= line["estimated_funding"] <= line["cost_max"]
        assert line["remaining_cost"] == line["cost_max"] - line["estimated_funding"]
        for route in line["routes"]:
            assert 0 <= route["estimated_funding"] <= line["cost_max"]
            if not route["eligible"]:
                assert route["estimated_funding"] == 0
                assert route["reason"]
    if levels in (0, 1) and band not in POLICY.long_headcount_in:
        for line in year1:
            action = CATALOGUE.action(line["action"])
            assert not action.is_long(POLICY), line["action"]
    for competency in na:
        assert all(competency not in line["competencies"] for line in lines)


def test_a_company_at_level_0_in_health_and_safety_gets_its_compliance_lines(tmp_path, published):
    plan = simulate(tmp_path, "competences-industrie", answers("competences-industrie", MIXED))
    compliance = [line for line in plan["lines"] if line["compliance"]]
    assert {"QHSE-SST-04", "QHSE-OBLIG-01"} <= {line["action"] for line in compliance}
    assert all(line["priority"] == 1 and line["horizon"] == "year1" for line in compliance)
    assert plan["lines"][: len(compliance)] == compliance, "compliance lines come first"
    questions = {finding["question"] for finding in plan["compliance"]}
    assert {"QHSE.SST.Q1", "QHSE.OBLIG.Q1", "QHSE.OBLIG.Q3"} <= questions


def test_a_company_meeting_its_obligations_gets_no_compliance_line(tmp_path, published):
    plan = simulate(tmp_path, "competences-industrie", answers("competences-industrie", 2))
    assert plan["compliance"] == []
    assert not [line for line in plan["lines"] if line["compliance"]]
