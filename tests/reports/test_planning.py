"""Plans an advisor would sign, on the default questionnaire and catalogue (pure)."""

from __future__ import annotations

from pathlib import Path

import pytest

from diagnostics.definition import Profile, Question
from diagnostics.loader import parse_questionnaire
from diagnostics.scoring import AnswerValue, question_level, score
from reports.catalogue import DEFAULT_POLICY, parse_catalogue
from reports.planning import LATER, YEAR1, plan_from_results, uncovered
from reports.recommendations import PlanLine, plan_totals

ROOT = Path(__file__).resolve().parents[2]
SPEC = parse_questionnaire(
    (ROOT / "diagnostics/questionnaires/competences-industrie-v1.yaml").read_text()
)
CATALOGUE = parse_catalogue((ROOT / "reports/catalogue/catalogue-v1.yaml").read_text())


def answer_at(question: Question, level: int) -> AnswerValue | None:
    """An answer to `question` that means `level` (or as near as the question allows)."""
    if question.kind == "maturity":
        return AnswerValue(level)
    if question.kind == "yesno":
        return AnswerValue("yes" if level >= 2 else "no")
    if question.kind == "single":
        choice = min(question.choices, key=lambda c: (abs((c.level or 0) - level), c.code))
        return AnswerValue(choice.code)
    if question.kind == "multiple":
        chosen, total = [], 0
        for choice in sorted(question.choices, key=lambda c: c.level or 0):
            if total + (choice.level or 0) <= level and not choice.exclusive:
                chosen.append(choice.code)
                total += choice.level or 0
        return AnswerValue(chosen or [question.choices[0].code])
    if question.kind == "number" and question.bands:
        band = min(question.bands, key=lambda b: abs(b.level - level))
        return AnswerValue(band.start)
    return None


def answers_at(levels: dict[str, int] | int) -> dict[str, AnswerValue]:
    answers = {}
    for question in SPEC.questions():
        level = levels if isinstance(levels, int) else levels.get(question.domain, 2)
        answer = answer_at(question, level)
        if answer is not None:
            answers[question.code] = answer
    return answers


def build(answers: dict[str, AnswerValue], band: str = "10_49", naf: str = "25"):
    results = score(SPEC, answers, Profile(sector=naf, headcount_band=band))
    levels = {
        code: level
        for code, answer in answers.items()
        if (q := SPEC.question(code)) and (level := question_level(q, answer)) is not None
    }
    lines, recommendations = plan_from_results(
        SPEC, results.competencies, levels, CATALOGUE, headcount_band=band
    )
    return lines, recommendations, results


PROFILES = {
    "all level 0": (0, "10_49", "25"),
    "all level 1": (1, "10_49", "25"),
    "all level 2": (2, "10_49", "25"),
    "mixed": ({"PROD": 0, "QUAL": 1, "HSE": 3, "DIG": 1, "MAINT": 2}, "10_49", "25"),
    "very small": (1, "1_9", "25"),
    "large company": (1, "250_499", "25"),
    "food company": (1, "50_249", "10"),
}


@pytest.mark.parametrize("name", PROFILES)
def test_every_profile_gets_a_bounded_progressive_deduplicated_plan(name):
    levels, band, naf = PROFILES[name]
    lines, recommendations, _results = build(answers_at(levels), band, naf)
    envelope = DEFAULT_POLICY.envelope(band)
    year1 = [line for line in lines if line.horizon == YEAR1]
    # Bounded: the envelope of the headcount band, and a handful of priority-1 lines.
    assert len(year1) <= envelope.year1_lines
    assert sum(1 for line in lines if line.priority == 1) <= envelope.priority1
    assert all(line.priority == 3 for line in lines if line.horizon == LATER)
    assert sum(line.action.cost(1)[1] for line in year1[1:]) <= envelope.year1_budget
    # Deduplicated: one line per action.
    codes = [line.action.code for line in lines]
    assert len(codes) == len(set(codes))
    # Progressive: no long course (over 150 h or certifying) first at level 1 or below,
    # outside large companies with a large gap.
    for line in year1:
        for step in (s for s in line.steps if s.number == 1):
            level = step.recommendation.level
            if level < 2 and band not in DEFAULT_POLICY.long_headcount_in:
                assert not line.action.is_long(DEFAULT_POLICY), (name, line.action.code)
            assert line.action.level_from <= int(level) <= line.action.level_to
    # Nothing is silently dropped: every recommended gap has a line or is listed apart.
    served = {code for line in lines for code in line.competencies}
    missing = uncovered(recommendations, lines)
    assert {r.competency for r in recommendations} == served | {r.competency for r in missing}


def test_a_level_0_company_starts_with_short_entry_actions():
    lines, _recs, _results = build(answers_at(0))
    year1 = [line for line in lines if line.horizon == YEAR1]
    assert year1, "a company at level 0 everywhere has things to do in its first year"
    assert max(line.action.duration_hours for line in year1) <= 150
    assert sum(1 for line in lines if line.priority == 1) <= 3


def test_an_action_serving_two_gaps_is_one_line_linked_to_both():
    shared = next(a for a in CATALOGUE.actions if len(a.competencies) > 1)
    levels = {q.domain: 0 for q in SPEC.questions()}
    lines, _recs, _results = build(answers_at(levels))
    line = next((line for line in lines if line.action.code == shared.code), None)
    if line is not None:
        assert set(line.competencies) <= set(shared.competencies)
        assert [ln.action.code for ln in lines].count(shared.code) == 1


def test_explanations_follow_the_chosen_action():
    lines, _recs, _results = build(answers_at(1))
    for line in lines:
        reasons = line.reasons({c.code: c.title for c in SPEC.competencies()}, DEFAULT_POLICY)
        text = reasons["explanation"]["fr"]
        hours = f"{line.action.duration_hours:g}".replace(".", ",")
        assert f"{hours} h" in text
        assert "courte suffit" not in text
        if line.action.is_long(DEFAULT_POLICY):
            assert "Parcours long" in text


def test_totals_equal_the_sum_of_the_lines():
    lines, _recs, _results = build(answers_at(1))
    plan_lines = [
        PlanLine(line.action, people=2, status="proposed", horizon=line.horizon) for line in lines
    ]
    totals = plan_totals(plan_lines)
    assert totals.cost_max == sum(line.cost[1] for line in plan_lines)
    assert totals.cost_min == sum(line.cost[0] for line in plan_lines)
    assert sum(t.cost_max for t in totals.by_horizon.values()) == totals.cost_max
    assert sum(t.cost_max for t in totals.by_funding.values()) == totals.cost_max


def test_a_company_at_its_targets_gets_no_line():
    lines, recommendations, _results = build(answers_at(4))
    assert lines == []
    assert recommendations == []


def test_a_legal_obligation_alone_makes_a_line_that_names_its_competency():
    """An obligation not met where the competency itself shows no gap still gets its line,
    linked to the competency of the question (the line is stored with it)."""
    from reports.planning import Finding, propose_plan

    action = next(a for a in CATALOGUE.actions if "QHSE.SST" in a.competencies)
    finding = Finding("QHSE.SST.Q1", {"fr": "DUERP", "en": "DUERP"}, 0.0, "QHSE.SST")
    lines = propose_plan([], CATALOGUE, headcount_band="10_49", findings=[(finding, action)])
    assert [(line.action.code, line.competencies) for line in lines] == [
        (action.code, ("QHSE.SST",))
    ]
    assert (lines[0].priority, lines[0].horizon, lines[0].compliance) == (1, YEAR1, True)
    reasons = lines[0].reasons({}, DEFAULT_POLICY)
    assert reasons["obligations"][0]["question"] == "QHSE.SST.Q1"
    assert "Obligation légale non remplie : DUERP." in reasons["explanation"]["fr"]
