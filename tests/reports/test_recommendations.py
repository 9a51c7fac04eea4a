"""Recommendations from gaps, and plan totals: pure functions over the catalogue."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from diagnostics.scoring import CompetencyResult
from reports.catalogue import parse_catalogue
from reports.recommendations import (
    Evidence,
    FundingTotal,
    PlanLine,
    Recommendation,
    Totals,
    plan_totals,
    recommend,
)

DEFAULT_FILE = Path(__file__).resolve().parents[2] / "reports" / "catalogue" / "catalogue-v1.yaml"

SMALL = """\
key: small
version: 1
title: {fr: "Petit", en: "Small"}
funding_routes:
  plan:
    label: {fr: "Plan", en: "Plan"}
    description: {fr: "Plan", en: "Plan"}
  cpf:
    label: {fr: "CPF", en: "CPF"}
    description: {fr: "CPF", en: "CPF"}
actions:
  - code: ONE-BASIC
    title: {fr: "Bases", en: "Basics"}
    description: {fr: "D", en: "D"}
    competencies: [X.ONE]
    levels: {from: 0, to: 1}
    duration_hours: 14
    modality: inter
    cost_per_person: {min: 800, max: 1400}
    funding: [plan]
  - code: ONE-MID
    title: {fr: "Milieu", en: "Middle"}
    description: {fr: "D", en: "D"}
    competencies: [X.ONE]
    levels: {from: 1, to: 2}
    duration_hours: 21
    modality: intra
    cost_per_person: {min: 450, max: 750}
    funding: [plan]
  - code: SHARED-MID
    title: {fr: "Milieu court", en: "Short middle"}
    description: {fr: "D", en: "D"}
    competencies: [X.ONE, X.TWO]
    levels: {from: 1, to: 2}
    duration_hours: 7.5
    modality: elearning
    cost_per_person: {min: 100, max: 300}
    funding: [cpf, plan]
  - code: ONE-ADV
    title: {fr: "Avancé", en: "Advanced"}
    description: {fr: "D", en: "D"}
    competencies: [X.ONE]
    levels: {from: 3, to: 3}
    duration_hours: 35
    modality: inter
    cost_per_person: {min: 1500, max: 2500}
    funding: [plan, cpf]
  - code: TWO-ADV
    title: {fr: "Avancé", en: "Advanced"}
    description: {fr: "D", en: "D"}
    competencies: [X.TWO]
    levels: {from: 3, to: 4}
    duration_hours: 10
    modality: inter
    cost_per_person: {min: 500, max: 900}
    funding: [plan]
  - code: THREE-LOW
    title: {fr: "Bas", en: "Low"}
    description: {fr: "D", en: "D"}
    competencies: [X.THREE]
    levels: {from: 0, to: 1}
    duration_hours: 7
    modality: inter
    cost_per_person: {min: 300, max: 600}
    funding: [plan]
  - code: THREE-VLOW
    title: {fr: "Très bas", en: "Very low"}
    description: {fr: "D", en: "D"}
    competencies: [X.THREE]
    levels: {from: 0, to: 0}
    duration_hours: 3
    modality: elearning
    cost_per_person: {min: 50, max: 100}
    funding: [plan]
rules:
  - code: R-CRIT
    title: {fr: "Critique", en: "Critical"}
    explanation:
      fr: "Niveau {level}, objectif {target}, écart {gap}, poids {weight}."
      en: "Level {level}, target {target}, gap {gap}, weight {weight}."
    when: {min_gap: 2, min_weight: 2}
    priority: 1
    max_actions: 3
  - code: R-LARGE
    title: {fr: "Grand", en: "Large"}
    explanation: {fr: "Écart de {gap}.", en: "Gap of {gap}."}
    when: {min_gap: 2}
    priority: 2
    max_actions: 2
  - code: R-SMALL
    title: {fr: "Petit", en: "Small"}
    explanation: {fr: "Écart léger de {gap}.", en: "Small gap of {gap}."}
    when: {min_gap: 0.5}
    priority: 3
    max_actions: 1
"""

CATALOGUE = parse_catalogue(SMALL)
DEFAULT = parse_catalogue(DEFAULT_FILE.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Comp:
    """A competency result as `recommend` reads it (duck typing)."""

    code: str
    level: float | None
    target: int
    weight: int = 1

    @property
    def gap(self) -> float | None:
        return None if self.level is None else round(max(0.0, self.target - self.level), 2)


def only(comp: Comp, catalogue=CATALOGUE, **kwargs) -> Recommendation:
    [rec] = recommend([comp], catalogue, **kwargs)
    return rec


# --- Rules -----------------------------------------------------------------------------------


def test_the_first_matching_rule_applies():
    rec = only(Comp("X.ONE", 1.0, 4, weight=2))
    assert (rec.rule, rec.priority) == ("R-CRIT", 1)
    # R-LARGE would match too, but rules are tried in order.
    assert only(Comp("X.ONE", 1.0, 4, weight=3)).rule == "R-CRIT"


def test_min_weight_skips_a_rule_for_a_lighter_competency():
    rec = only(Comp("X.ONE", 1.0, 4, weight=1))
    assert (rec.rule, rec.priority) == ("R-LARGE", 2)


def test_a_gap_below_every_min_gap_gets_no_recommendation():
    assert recommend([Comp("X.ONE", 2.6, 3)], CATALOGUE) == []  # gap 0.4
    assert recommend([Comp("X.ONE", 3.5, 3)], CATALOGUE) == []  # above target: gap 0
    assert recommend([Comp("X.ONE", None, 3)], CATALOGUE) == []  # no level
    assert only(Comp("X.ONE", 2.5, 3)).rule == "R-SMALL"  # exactly the min gap


def test_a_real_competency_result_works_too():
    result = CompetencyResult(
        code="X.ONE",
        domain="X",
        weight=2,
        target=3,
        level=0.5,
        score=12.5,
        gap=2.5,
        visible=2,
        known=2,
        dont_know=0,
        unanswered=0,
    )
    [rec] = recommend([result], CATALOGUE)
    assert (rec.competency, rec.rule, rec.gap, rec.level, rec.target, rec.weight) == (
        "X.ONE",
        "R-CRIT",
        2.5,
        0.5,
        3,
        2,
    )


# --- Actions ---------------------------------------------------------------------------------


def test_actions_fit_the_current_level_rounded_down_most_advanced_then_shortest_first():
    # Level 1.9 is level 1: ONE-BASIC (0-1), ONE-MID (1-2) and SHARED-MID (1-2) serve it.
    rec = only(Comp("X.ONE", 1.9, 4, weight=2))  # R-CRIT, up to 3 actions
    assert rec.actions == ("SHARED-MID", "ONE-MID", "ONE-BASIC")


def test_max_actions_limits_the_actions():
    assert only(Comp("X.ONE", 1.9, 4, weight=1)).actions == ("SHARED-MID", "ONE-MID")  # R-LARGE
    assert only(Comp("X.ONE", 1.9, 3, weight=1)).actions == ("SHARED-MID",)  # R-SMALL


def test_an_action_serving_the_level_exactly():
    assert only(Comp("X.ONE", 3.2, 4)).actions == ("ONE-ADV",)
    assert only(Comp("X.ONE", 0.0, 1)).actions == ("ONE-BASIC",)


def test_without_an_exact_fit_the_nearest_range_is_suggested():
    # X.TWO at level 0: SHARED-MID (1-2) is 1 away, TWO-ADV (3-4) is 3 away.
    assert only(Comp("X.TWO", 0.0, 4, weight=3)).actions == ("SHARED-MID",)
    # X.THREE at level 3: THREE-LOW (0-1) is 2 away, THREE-VLOW (0-0) 3 away.
    assert only(Comp("X.THREE", 3.0, 4)).actions == ("THREE-LOW",)


def test_a_competency_no_action_covers_still_gets_its_explanation():
    rec = only(Comp("X.NONE", 1.0, 4))
    assert rec.actions == ()
    assert rec.explanation["en"] == "Gap of 3."


# --- Evidence --------------------------------------------------------------------------------


def test_evidence_keeps_the_answers_below_target_lowest_first_at_most_three():
    entries = [
        Evidence("X.ONE.Q1", "First", 3.0),
        Evidence("X.ONE.Q2", "Second", 1.0),
        Evidence("X.ONE.Q3", "Third", None),
        Evidence("X.ONE.Q4", "Fourth", 0.0),
        Evidence("X.ONE.Q5", "Fifth", 2.5),
        Evidence("X.ONE.Q6", "Sixth", 2.0),
        Evidence("X.ONE.Q7", "Seventh", 4.0),
    ]
    evidence = {"X.ONE": entries, "X.TWO": [Evidence("X.TWO.Q1", "Other", 0.0)]}
    rec = only(Comp("X.ONE", 1.5, 3), evidence=evidence)
    assert [e.question for e in rec.evidence] == ["X.ONE.Q4", "X.ONE.Q2", "X.ONE.Q6"]
    assert only(Comp("X.ONE", 1.5, 3)).evidence == ()


# --- Explanations ----------------------------------------------------------------------------


def test_placeholders_are_filled_with_a_decimal_comma_in_french():
    rec = only(Comp("X.ONE", 1.5, 4, weight=2))  # gap 2.5
    assert rec.explanation == {
        "fr": "Niveau 1,5, objectif 4, écart 2,5, poids 2.",
        "en": "Level 1.5, target 4, gap 2.5, weight 2.",
    }
    rec = only(Comp("X.ONE", 2.33, 3))  # gap 0.67
    assert rec.explanation == {"fr": "Écart léger de 0,7.", "en": "Small gap of 0.7."}


def test_the_default_explanations_have_every_placeholder_filled():
    rec = only(Comp("PROD.LEAN", 0.5, 3, weight=3), catalogue=DEFAULT)
    assert rec.rule == "R1-CRITICAL"
    assert rec.explanation["fr"].startswith("Votre niveau actuel (0,5) est inférieur de 2,5 ")
    assert "objectif (3) sur une compétence de poids 3" in rec.explanation["fr"]
    assert rec.explanation["en"].startswith("Your current level (0.5) is 2.5 level(s) below")
    assert all("{" not in text for text in rec.explanation.values())


# --- Order and serialisation -----------------------------------------------------------------


def test_recommendations_are_sorted_by_priority_then_gap_times_weight_then_code():
    comps = [
        Comp("X.B", 2.0, 3, weight=3),  # R-SMALL, priority 3, 1 × 3 = 3
        Comp("X.A", 2.0, 3, weight=3),  # R-SMALL, priority 3, same: by code
        Comp("X.C", 1.0, 3, weight=1),  # R-LARGE, priority 2, 2 × 1
        Comp("X.D", 0.0, 4, weight=1),  # R-LARGE, priority 2, 4 × 1
        Comp("X.E", 1.0, 2, weight=2),  # R-SMALL, priority 3, 1 × 2
        Comp("X.F", 1.0, 3, weight=2),  # R-CRIT, priority 1
    ]
    recs = recommend(comps, CATALOGUE)
    assert [r.competency for r in recs] == ["X.F", "X.D", "X.C", "X.A", "X.B", "X.E"]


def test_to_dict_is_json_and_reads_back():
    rec = only(Comp("X.ONE", 1.5, 3), evidence={"X.ONE": [Evidence("X.ONE.Q1", "Q", 1.0)]})
    data = json.loads(json.dumps(rec.to_dict()))
    assert data["evidence"] == [{"question": "X.ONE.Q1", "text": "Q", "level": 1.0}]
    assert data["actions"] == ["SHARED-MID"]
    assert Recommendation.from_dict(data) == rec


# --- Totals ----------------------------------------------------------------------------------


def test_totals_count_people_and_only_proposed_and_accepted_lines():
    basic, shared, adv = (CATALOGUE.action(c) for c in ("ONE-BASIC", "SHARED-MID", "ONE-ADV"))
    lines = [
        PlanLine(basic, people=3, status="proposed"),  # 42 h, 2400..4200, plan
        PlanLine(shared, people=2, status="accepted"),  # 15 h, 200..600, cpf (its first route)
        PlanLine(adv, people=1, status="accepted"),  # 35 h, 1500..2500, plan
        PlanLine(adv, people=5, status="postponed"),
        PlanLine(basic, people=4, status="dropped"),
    ]
    assert plan_totals(lines) == Totals(
        hours=92.0,
        cost_min=4100,
        cost_max=7300,
        by_funding={
            "plan": FundingTotal(hours=77.0, cost_min=3900, cost_max=6700),
            "cpf": FundingTotal(hours=15.0, cost_min=200, cost_max=600),
        },
        by_horizon={"year1": FundingTotal(hours=92.0, cost_min=4100, cost_max=7300)},
    )


def test_a_session_priced_action_costs_per_session_not_per_person():
    basic = CATALOGUE.action("ONE-BASIC")
    session = replace(basic, price_basis="session", group_size=8, cost_min=4000, cost_max=6000)
    assert PlanLine(session, people=2, status="proposed").cost == (4000, 6000)
    assert PlanLine(session, people=8, status="proposed").cost == (4000, 6000)
    assert PlanLine(session, people=9, status="proposed").cost == (8000, 12000)  # two sessions
    assert PlanLine(basic, people=2, status="proposed").cost == (2 * 800, 2 * 1400)
    totals = plan_totals([PlanLine(session, people=3, status="proposed", horizon="later")])
    assert totals.by_horizon == {"later": FundingTotal(hours=42.0, cost_min=4000, cost_max=6000)}


def test_an_action_with_several_routes_counts_under_its_first_route_only():
    adv = CATALOGUE.action("ONE-ADV")
    assert adv.funding == ("plan", "cpf")
    totals = plan_totals([PlanLine(adv, people=2, status="proposed")])
    assert list(totals.by_funding) == ["plan"]
    assert totals.by_funding["plan"] == FundingTotal(70.0, 3000, 5000)


def test_totals_of_nothing_are_zero():
    assert plan_totals([]) == Totals(0.0, 0, 0, {})
    dropped = PlanLine(CATALOGUE.action("ONE-ADV"), people=2, status="dropped")
    assert plan_totals([dropped]) == Totals(0.0, 0, 0, {})


def test_hours_have_no_float_noise():
    action = CATALOGUE.action("SHARED-MID")  # 7.5 h
    lines = [PlanLine(action, people=1, status="proposed") for _ in range(3)]
    assert plan_totals(lines).hours == 22.5


# --- Properties on the default catalogue -----------------------------------------------------

CODES = [*sorted(DEFAULT.covered_competencies()), "ZZ.UNCOVERED"]
SMALLEST_MIN_GAP = min(r.min_gap for r in DEFAULT.rules)


@st.composite
def competency_results(draw) -> list[Comp]:
    codes = draw(st.lists(st.sampled_from(CODES), unique=True, max_size=len(CODES)))
    return [
        Comp(
            code=code,
            level=draw(st.none() | st.floats(0, 4, allow_nan=False).map(lambda x: round(x, 2))),
            target=draw(st.integers(0, 4)),
            weight=draw(st.integers(1, 3)),
        )
        for code in codes
    ]


@settings(max_examples=200, deadline=None)
@given(competency_results())
def test_recommendations_properties(comps):
    # The last rule without min_weight is the catch-all: every gap it reaches is matched.
    catch_all = [r for r in DEFAULT.rules if r.min_weight is None]
    assert min(r.min_gap for r in catch_all) == SMALLEST_MIN_GAP

    recs = recommend(comps, DEFAULT)
    rules = {r.code: r for r in DEFAULT.rules}
    for rec in recs:
        assert rec.priority in (1, 2, 3)
        assert rec.priority == rules[rec.rule].priority
        assert len(rec.actions) <= rules[rec.rule].max_actions
        for code in rec.actions:
            assert rec.competency in DEFAULT.action(code).competencies
        if rec.competency in DEFAULT.covered_competencies():
            assert rec.actions  # every covered gap gets a suggestion
    expected = sorted(c.code for c in comps if c.gap is not None and c.gap >= SMALLEST_MIN_GAP)
    assert sorted(r.competency for r in recs) == expected
    keys = [(r.priority, -r.gap * r.weight, r.competency) for r in recs]
    assert keys == sorted(keys)


@pytest.mark.parametrize("level", [0.0, 1.0, 2.0, 3.0, 3.4])
def test_every_default_competency_gets_an_action_at_every_level(level):
    comps = [Comp(code, level, 4, weight=3) for code in sorted(DEFAULT.covered_competencies())]
    recs = recommend(comps, DEFAULT)
    assert len(recs) == 24
    assert all(rec.actions for rec in recs)
