"""Scoring on small definitions built in the tests (no YAML, no database, no Django)."""

from __future__ import annotations

import dataclasses
import json
import math
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from diagnostics.definition import (
    Band,
    Choice,
    Competency,
    Condition,
    Domain,
    Profile,
    Question,
    QuestionnaireDef,
    TargetOverride,
)
from diagnostics.scoring import (
    AnswerValue,
    CompetencyResult,
    Consolidated,
    DomainResult,
    Results,
    consolidate,
    question_level,
    score,
    visible_questions,
)

PROFILE = Profile(sector="25", headcount_band="10_49")
DK = AnswerValue(dont_know=True)

CHOICES_SINGLE = (
    Choice("a", {"fr": "a"}, 0),
    Choice("b", {"fr": "b"}, 2),
    Choice("c", {"fr": "c"}, 4),
)
CHOICES_MULTIPLE = (
    Choice("x", {"fr": "x"}, 1),
    Choice("y", {"fr": "y"}, 2),
    Choice("z", {"fr": "z"}, 3),
)
BANDS = (Band(0, 0), Band(10, 1), Band(30, 2), Band(50, 3), Band(70, 4))


def A(value: Any) -> AnswerValue:
    return AnswerValue(value)


def question(code: str, kind: str = "maturity", **kw: Any) -> Question:
    """A question; its competency and domain are filled in by `competency()`."""
    if kind == "single":
        kw.setdefault("choices", CHOICES_SINGLE)
    elif kind == "multiple":
        kw.setdefault("choices", CHOICES_MULTIPLE)
    elif kind == "number":
        kw = {"min": 0.0, "max": 100.0, "bands": BANDS, **kw}
    return Question(code=code, kind=kind, text={"fr": code}, competency="", domain="", **kw)


def competency(
    code: str, questions: list[Question], target: int = 3, weight: int = 1, **kw: Any
) -> Competency:
    domain = code.split(".")[0]
    qs = tuple(dataclasses.replace(q, competency=code, domain=domain) for q in questions)
    return Competency(code, {"fr": code}, domain, qs, target=target, weight=weight, **kw)


def definition(*competencies: Competency, min_known_share: float = 0.6) -> QuestionnaireDef:
    domains: dict[str, list[Competency]] = {}
    for c in competencies:
        domains.setdefault(c.domain, []).append(c)
    return QuestionnaireDef(
        key="test",
        version=1,
        title={"fr": "Test"},
        domains=tuple(Domain(code, {"fr": code}, tuple(cs)) for code, cs in domains.items()),
        min_known_share=min_known_share,
    )


def comp_of(results: Results, code: str) -> CompetencyResult:
    found = results.competency(code)
    assert found is not None
    return found


def domain_of(results: Results, code: str) -> DomainResult:
    found = results.domain(code)
    assert found is not None
    return found


def round_trip(data: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(data))


# --- Levels of each kind ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0, 0.0), (3, 3.0), (4, 4.0), (5, None), (-1, None), (2.5, None), ("3", None), (True, None)],
)
def test_maturity_level(value: Any, expected: float | None) -> None:
    assert question_level(question("q"), A(value)) == expected


@pytest.mark.parametrize(("value", "expected"), [("a", 0.0), ("c", 4.0), ("zz", None), (1, None)])
def test_single_level_is_the_choice_level(value: Any, expected: float | None) -> None:
    assert question_level(question("q", "single"), A(value)) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ([], 0.0),
        (["x"], 1.0),
        (["x", "y"], 3.0),
        (["y", "z"], 4.0),  # 5 points, capped at 4
        (["x", "x"], 1.0),  # a choice counts once
        (["x", "zz"], None),
        ("x", None),
    ],
)
def test_multiple_level_is_the_capped_sum_of_points(value: Any, expected: float | None) -> None:
    assert question_level(question("q", "multiple"), A(value)) == expected


def test_yesno_level() -> None:
    default = question("q", "yesno")
    custom = question("q", "yesno", yes_level=3, no_level=1)
    assert question_level(default, A("yes")) == 4.0
    assert question_level(default, A("no")) == 0.0
    assert question_level(custom, A("yes")) == 3.0
    assert question_level(custom, A("no")) == 1.0
    assert question_level(default, A("maybe")) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, 0.0),
        (9.9, 0.0),
        (10, 1.0),
        (55.5, 3.0),
        (70, 4.0),
        (100, 4.0),
        (100.1, None),
        (-1, None),
        (math.nan, None),
        ("50", None),
    ],
)
def test_number_level_is_the_last_band_reached(value: Any, expected: float | None) -> None:
    assert question_level(question("q", "number"), A(value)) == expected


def test_unscored_unanswered_and_dont_know_have_no_level() -> None:
    assert question_level(question("q", "text"), A("anything")) is None
    assert question_level(question("q", scored=False), A(3)) is None
    assert question_level(question("q"), None) is None
    assert question_level(question("q"), AnswerValue()) is None
    assert question_level(question("q"), AnswerValue(value=3, dont_know=True)) is None


# --- Don't know, unanswered, reliability -----------------------------------------------------


def test_dont_know_is_a_real_answer_not_a_zero() -> None:
    defn = definition(competency("D.C", [question("q1"), question("q2")]))

    with_dk = score(defn, {"q1": A(4), "q2": DK}, PROFILE)
    c = comp_of(with_dk, "D.C")
    assert (c.level, c.visible, c.known, c.dont_know, c.unanswered) == (4.0, 2, 1, 1, 0)
    assert with_dk.known_share == 0.5
    assert with_dk.answered == 2

    as_zero = comp_of(score(defn, {"q1": A(4), "q2": A(0)}, PROFILE), "D.C")
    assert as_zero.level == 2.0  # what "don't know" must not give

    unanswered = score(defn, {"q1": A(4)}, PROFILE)
    c = comp_of(unanswered, "D.C")
    assert (c.level, c.known, c.dont_know, c.unanswered) == (4.0, 1, 0, 1)
    assert unanswered.answered == 1


def test_nothing_known_gives_no_level() -> None:
    defn = definition(competency("D.C", [question("q1"), question("q2")]))
    results = score(defn, {"q1": DK}, PROFILE)
    c, d = comp_of(results, "D.C"), domain_of(results, "D")
    assert (c.level, c.score, c.gap) == (None, None, None)
    assert (d.level, d.score, d.gap) == (None, None, None)
    assert (results.overall_level, results.overall_score) == (None, None)
    assert results.ranked_gaps() == []
    assert results.strongest_domains() == results.weakest_domains() == []


@pytest.mark.parametrize(("known", "reliable"), [(3, True), (2, False)])
def test_reliability_threshold(known: int, reliable: bool) -> None:
    defn = definition(competency("D.C", [question(f"q{i}") for i in range(5)]), min_known_share=0.6)
    answers = {f"q{i}": A(2) if i < known else DK for i in range(5)}
    results = score(defn, answers, PROFILE)
    assert results.known_share == known / 5
    assert results.reliable is reliable
    assert results.min_known_share == 0.6


def test_no_visible_scored_question_is_not_reliable() -> None:
    defn = definition(competency("D.C", [question("t", "text")]), min_known_share=0.0)
    results = score(defn, {"t": A("hello")}, PROFILE)
    assert results.known_share == 0.0
    assert results.reliable is False
    assert results.visible == ["t"]
    assert results.answered == 1


# --- Conditions ---------------------------------------------------------------------------


def visible_with(condition: Condition, ref: Question, answer: AnswerValue | None) -> bool:
    defn = definition(competency("D.C", [ref, question("q2", condition=condition)]))
    answers = {"q2": A(1)} | ({ref.code: answer} if answer else {})
    return "q2" in visible_questions(defn, answers, PROFILE)


@pytest.mark.parametrize(
    ("kind", "values", "answer", "visible"),
    [
        ("single", ("b", "c"), A("b"), True),
        ("single", ("b", "c"), A("a"), False),
        ("multiple", ("z",), A(["x", "z"]), True),
        ("multiple", ("z",), A(["x", "y"]), False),
        ("multiple", ("z",), A([]), False),
        ("yesno", ("yes",), A("yes"), True),
        ("yesno", ("yes",), A("no"), False),
        ("yesno", ("yes",), DK, False),
        ("yesno", ("yes",), None, False),
    ],
)
def test_condition_in(
    kind: str, values: tuple[str, ...], answer: AnswerValue | None, visible: bool
) -> None:
    cond = Condition("in", question="q1", values=values)
    assert visible_with(cond, question("q1", kind), answer) is visible


@pytest.mark.parametrize(
    ("kind", "answer", "visible"),
    [
        ("maturity", A(2), True),
        ("maturity", A(3), True),
        ("maturity", A(1), False),
        ("maturity", DK, False),
        ("maturity", None, False),
        ("number", A(2.5), True),
        ("number", A(1.9), False),
    ],
)
def test_condition_at_least(kind: str, answer: AnswerValue | None, visible: bool) -> None:
    cond = Condition("at_least", question="q1", at_least=2)
    assert visible_with(cond, question("q1", kind), answer) is visible


@pytest.mark.parametrize(
    ("headcount_in", "sector_in", "visible"),
    [
        (("10_49", "50_249"), (), True),
        (("1_9",), (), False),
        ((), ("25", "28"), True),
        ((), ("10",), False),
        (("10_49",), ("25",), True),
        (("10_49",), ("10",), False),
    ],
)
def test_condition_profile(
    headcount_in: tuple[str, ...], sector_in: tuple[str, ...], visible: bool
) -> None:
    cond = Condition("profile", headcount_in=headcount_in, sector_in=sector_in)
    defn = definition(competency("D.C", [question("q1", condition=cond)]))
    assert ("q1" in visible_questions(defn, {}, PROFILE)) is visible


@pytest.mark.parametrize(
    ("op", "q1", "visible"),
    [("all", 3, True), ("all", 1, False), ("any", 1, True), ("any", None, True)],
)
def test_condition_all_any(op: str, q1: int | None, visible: bool) -> None:
    cond = Condition(
        op,  # type: ignore[arg-type]
        children=(
            Condition("at_least", question="q1", at_least=2),
            Condition("profile", sector_in=("25",)),
        ),
    )
    answer = A(q1) if q1 is not None else None
    assert visible_with(cond, question("q1"), answer) is visible


def test_hiding_cascades_and_hidden_answers_are_ignored() -> None:
    defn = definition(
        competency(
            "D.C",
            [
                question("q1", "yesno"),
                question("q2", "yesno", condition=Condition("in", "q1", values=("yes",))),
                question("q3", condition=Condition("in", "q2", values=("yes",))),
            ],
        )
    )
    shown = {"q1": A("yes"), "q2": A("yes"), "q3": A(0)}
    assert visible_questions(defn, shown, PROFILE) == ["q1", "q2", "q3"]

    hidden = {"q1": A("no"), "q2": A("yes"), "q3": A(0)}  # q2 and q3 answered, then hidden
    assert visible_questions(defn, hidden, PROFILE) == ["q1"]
    results = score(defn, hidden, PROFILE)
    c = comp_of(results, "D.C")
    assert (c.level, c.visible, c.known) == (0.0, 1, 1)
    assert results.answered == 1


def test_a_condition_on_a_later_question_is_not_met() -> None:
    defn = definition(
        competency(
            "D.C",
            [question("q1", condition=Condition("at_least", "q2", at_least=0)), question("q2")],
        )
    )
    assert visible_questions(defn, {"q1": A(1), "q2": A(4)}, PROFILE) == ["q2"]


# --- Targets, weights and aggregation -----------------------------------------------------------


def test_target_overrides_follow_the_profile() -> None:
    comp = competency(
        "D.C",
        [question("q1")],
        target=2,
        target_overrides=(
            TargetOverride(4, headcount_in=("250_499", "500_plus")),
            TargetOverride(3, sector_in=("10",)),
        ),
    )
    defn = definition(comp)
    cases = [
        (Profile("25", "10_49"), 2, 1.0),
        (Profile("25", "500_plus"), 4, 3.0),
        (Profile("10", "10_49"), 3, 2.0),
        (Profile("10", "250_499"), 4, 3.0),  # the first override that matches wins
    ]
    for profile, target, gap in cases:
        c = comp_of(score(defn, {"q1": A(1)}, profile), "D.C")
        assert (c.target, c.gap) == (target, gap)


def aggregation_case() -> tuple[QuestionnaireDef, dict[str, AnswerValue]]:
    defn = definition(
        competency("D1.C1", [question("q1"), question("q2", weight=2)], target=3, weight=2),
        competency("D1.C2", [question("q3", "yesno"), question("t", "text")], target=2),
        competency("D2.C3", [question("q4", "number"), question("q5")], target=4),
        competency("D2.C4", [question("q6")], target=1, weight=3),
    )
    answers = {
        "q1": A(3),
        "q2": A(0),
        "q3": A("yes"),
        "t": A("free text"),
        "q4": A(55),
        "q5": DK,
    }
    return defn, answers


def test_weights_and_aggregation() -> None:
    defn, answers = aggregation_case()
    results = score(defn, answers, PROFILE)
    by_code = {c.code: c for c in results.competencies}

    # C1: (3×1 + 0×2) / 3 = 1; C2: yes = 4; C3: 55 → band 3, don't know left out; C4: nothing.
    assert by_code["D1.C1"].level == 1.0
    assert (by_code["D1.C1"].score, by_code["D1.C1"].gap) == (25.0, 2.0)
    assert (by_code["D1.C2"].level, by_code["D1.C2"].gap, by_code["D1.C2"].visible) == (4.0, 0, 1)
    assert (by_code["D2.C3"].level, by_code["D2.C3"].gap, by_code["D2.C3"].dont_know) == (3, 1, 1)
    assert (by_code["D2.C4"].level, by_code["D2.C4"].gap, by_code["D2.C4"].unanswered) == (
        None,
        None,
        1,
    )

    d1, d2 = domain_of(results, "D1"), domain_of(results, "D2")
    # D1: level (1×2 + 4×1) / 3 = 2; target (3×2 + 2×1) / 3 = 2.67.
    assert (d1.level, d1.score, d1.target, d1.gap) == (2.0, 50.0, 2.67, 0.67)
    assert (d1.visible, d1.known, d1.dont_know, d1.unanswered) == (3, 3, 0, 0)
    # D2: only C3 has a level; target (4×1 + 1×3) / 4 = 1.75, below the level: no gap.
    assert (d2.level, d2.score, d2.target, d2.gap) == (3.0, 75.0, 1.75, 0.0)
    assert (d2.visible, d2.known, d2.dont_know, d2.unanswered) == (3, 1, 1, 1)
    # 1 known answer of 3 is below the questionnaire's 60 %: D2's score is not reliable.
    assert (d1.reliable, d2.reliable) == (True, False)

    # Overall: (1×2 + 4×1 + 3×1) / 4 = 2.25, C4 left out.
    assert (results.overall_level, results.overall_score) == (2.25, 56.25)
    assert results.known_share == 0.67  # 4 known of 6 visible scored questions
    assert results.reliable is True
    assert results.answered == 6  # the text and the "don't know" count
    assert results.visible == ["q1", "q2", "q3", "t", "q4", "q5", "q6"]
    assert results.respondents == 1

    # D2 (75/100 on one answer) is neither the strongest domain nor among the weakest.
    assert [d.code for d in results.strongest_domains()] == ["D1"]
    assert [d.code for d in results.weakest_domains()] == ["D1"]


def test_ranked_gaps_order() -> None:
    defn = definition(
        competency("D.A", [question("a")], target=4, weight=1),  # gap 3, × 1 = 3
        competency("D.B", [question("b")], target=4, weight=2),  # gap 2, × 2 = 4
        competency("D.C", [question("c")], target=3, weight=3),  # gap 1, × 3 = 3
        competency("D.D", [question("d")], target=3, weight=1),  # gap 3, × 1 = 3
        competency("D.E", [question("e")], target=2, weight=5),  # no gap
    )
    answers = {"a": A(1), "b": A(2), "c": A(2), "d": A(0), "e": A(3)}
    ranked = score(defn, answers, PROFILE).ranked_gaps()
    assert [c.code for c in ranked] == ["D.B", "D.A", "D.D", "D.C"]


def test_results_json_round_trip() -> None:
    defn, answers = aggregation_case()
    results = score(defn, answers, PROFILE)
    assert Results.from_dict(round_trip(results.to_dict())) == results


# --- Several respondents --------------------------------------------------------------------


def two_competencies() -> QuestionnaireDef:
    return definition(
        competency("D.C1", [question("q1"), question("q2")], target=4),
        competency(
            "D.C2",
            [
                question("y", "yesno"),
                question("q3", condition=Condition("in", "y", values=("yes",))),
            ],
            target=2,
        ),
    )


def test_consolidate_agreeing_respondents() -> None:
    sets = {"alice": {"q1": A(3), "q2": A(2)}, "bob": {"q1": A(3), "q2": A(2)}}
    cons = consolidate(two_competencies(), sets, PROFILE)
    div = {d.competency: d for d in cons.divergence}
    assert div["D.C1"].levels == {"alice": 2.5, "bob": 2.5}
    assert (div["D.C1"].spread, div["D.C1"].disagree) == (0.0, False)
    assert (div["D.C2"].spread, div["D.C2"].disagree) == (None, False)  # nobody answered
    assert cons.disagreements() == []
    c1 = comp_of(cons.results, "D.C1")
    assert c1.level == 2.5
    assert cons.results.respondents == 2


def test_consolidate_shows_disagreement() -> None:
    sets = {"alice": {"q1": A(4), "q2": A(4)}, "bob": {"q1": A(1), "q2": A(1)}}
    cons = consolidate(two_competencies(), sets, PROFILE)
    div = cons.divergence[0]
    assert div.competency == "D.C1"
    assert div.levels == {"alice": 4.0, "bob": 1.0}
    assert (div.spread, div.disagree) == (3.0, True)
    assert cons.disagreements() == [div]
    c1 = comp_of(cons.results, "D.C1")
    assert c1.level == 2.5
    assert cons.by_respondent["alice"] == score(two_competencies(), sets["alice"], PROFILE)


@pytest.mark.parametrize(("other", "disagree"), [(A(1), False), (A(2), True)])
def test_disagreement_threshold(other: AnswerValue, disagree: bool) -> None:
    defn = definition(competency("D.C", [question("q1"), question("q2")]))
    sets = {"a": {"q1": A(0), "q2": A(0)}, "b": {"q1": A(1), "q2": other}}
    div = consolidate(defn, sets, PROFILE).divergence[0]
    assert div.spread == (1.0 if not disagree else 1.5)
    assert div.disagree is disagree


def test_consolidate_question_visible_to_one_respondent() -> None:
    sets = {
        "alice": {"y": A("yes"), "q3": A(4)},
        "bob": {"y": A("no"), "q3": A(0)},  # q3 hidden for bob: his answer is ignored
    }
    cons = consolidate(two_competencies(), sets, PROFILE)
    assert cons.results.visible == ["q1", "q2", "y", "q3"]
    c2 = comp_of(cons.results, "D.C2")
    # y: (4 + 0) / 2 = 2; q3: alice only, 4; C2 = (2 + 4) / 2 = 3.
    assert (c2.level, c2.visible, c2.known) == (3.0, 2, 2)
    assert cons.by_respondent["bob"].visible == ["q1", "q2", "y"]


def test_consolidate_dont_know() -> None:
    sets = {
        "a": {"q1": DK, "q2": DK, "y": DK},
        "b": {"q1": A(2), "q2": DK},
        "c": {},
    }
    cons = consolidate(two_competencies(), sets, PROFILE)
    c1, c2 = comp_of(cons.results, "D.C1"), comp_of(cons.results, "D.C2")
    # q1: only b knows (2); q2: everybody who answered said don't know.
    assert (c1.level, c1.known, c1.dont_know, c1.unanswered) == (2.0, 1, 1, 0)
    # y: a said don't know, the others did not answer; q3 is hidden for everyone.
    assert (c2.level, c2.known, c2.dont_know, c2.unanswered, c2.visible) == (None, 0, 1, 0, 1)
    assert cons.results.answered == 3
    assert cons.results.known_share == 0.33
    assert cons.results.respondents == 3
    assert cons.divergence[0].levels == {"a": None, "b": 2.0, "c": None}
    assert cons.divergence[0].spread is None


def test_consolidated_json_round_trip() -> None:
    sets = {"alice": {"q1": A(4), "y": A("yes"), "q3": DK}, "bob": {"q1": A(1), "q2": A(0)}}
    cons = consolidate(two_competencies(), sets, PROFILE)
    assert Consolidated.from_dict(round_trip(cons.to_dict())) == cons


# --- Properties on generated definitions ----------------------------------------------------

KINDS = ("maturity", "single", "multiple", "yesno", "number", "text")
PROFILES = (Profile("25", "10_49"), Profile("10", "250_499"), Profile("28", "1_9"))


def condition_on(draw: st.DrawFn, earlier: list[Question]) -> Condition:
    ref = draw(st.sampled_from(earlier))
    if ref.kind in ("single", "multiple"):
        codes = [c.code for c in ref.choices]
        values = draw(st.lists(st.sampled_from(codes), min_size=1, unique=True))
        cond = Condition("in", ref.code, values=tuple(values))
    elif ref.kind == "yesno":
        cond = Condition("in", ref.code, values=(draw(st.sampled_from(["yes", "no"])),))
    elif ref.kind in ("maturity", "number"):
        cond = Condition("at_least", ref.code, at_least=draw(st.integers(0, 4)))
    else:
        cond = Condition("profile", headcount_in=("10_49", "1_9"))
    if draw(st.booleans()):
        profile = Condition("profile", sector_in=("25", "28"))
        cond = Condition(draw(st.sampled_from(["all", "any"])), children=(cond, profile))
    return cond


@st.composite
def definitions(draw: st.DrawFn, conditions: bool = True) -> QuestionnaireDef:
    comps: list[Competency] = []
    earlier: list[Question] = []
    for d in range(draw(st.integers(1, 2))):
        for c in range(draw(st.integers(1, 3))):
            questions = []
            for _ in range(draw(st.integers(1, 4))):
                kind = draw(st.sampled_from(KINDS))
                weight = draw(st.sampled_from([0.5, 1.0, 2.0]))
                cond = None
                if conditions and earlier and draw(st.integers(0, 2)) == 0:
                    cond = condition_on(draw, earlier)
                q = question(f"q{len(earlier)}", kind, weight=weight, condition=cond)
                questions.append(q)
                earlier.append(q)
            target, weight = draw(st.integers(0, 4)), draw(st.integers(1, 3))
            comps.append(competency(f"D{d}.C{c}", questions, target=target, weight=weight))
    return definition(*comps)


def values_for(q: Question) -> st.SearchStrategy[Any]:
    codes = [c.code for c in q.choices]
    return {
        "maturity": st.integers(0, 4),
        "single": st.sampled_from(codes or ["-"]),
        "multiple": st.lists(st.sampled_from(codes or ["-"]), unique=True),
        "yesno": st.sampled_from(["yes", "no"]),
        "number": st.one_of(st.integers(0, 100), st.floats(0, 100)),
        "text": st.text(min_size=1, max_size=5),
    }[q.kind]


def answer_sets(defn: QuestionnaireDef) -> st.SearchStrategy[dict[str, AnswerValue]]:
    per_question = {
        q.code: st.one_of(st.none(), st.just(DK), values_for(q).map(A)) for q in defn.questions()
    }
    return st.fixed_dictionaries(per_question).map(
        lambda d: {code: a for code, a in d.items() if a is not None}
    )


def levels(results: Results) -> list[float | None]:
    return [
        results.overall_level,
        *(c.level for c in results.competencies),
        *(d.level for d in results.domains),
    ]


@settings(deadline=None)
@given(st.data())
def test_property_levels_scores_and_gaps_in_range(data: st.DataObject) -> None:
    defn = data.draw(definitions())
    results = score(defn, data.draw(answer_sets(defn)), data.draw(st.sampled_from(PROFILES)))
    for r in [*results.competencies, *results.domains]:
        assert r.visible == r.known + r.dont_know + r.unanswered
        if r.level is None:
            assert r.score is None
            assert r.gap is None
            continue
        assert 0 <= r.level <= 4
        assert r.score is not None
        assert 0 <= r.score <= 100
        assert r.gap is not None
        assert r.gap >= 0
        assert r.gap == round(max(0, r.target - r.level), 2)
    if results.overall_level is not None:
        assert 0 <= results.overall_level <= 4
        assert results.overall_score is not None
        assert 0 <= results.overall_score <= 100
    assert 0 <= results.known_share <= 1
    assert Results.from_dict(round_trip(results.to_dict())) == results


@settings(deadline=None)
@given(st.data())
def test_property_adding_dont_know_changes_no_level(data: st.DataObject) -> None:
    defn = data.draw(definitions())
    answers = data.draw(answer_sets(defn))
    profile = data.draw(st.sampled_from(PROFILES))
    before = score(defn, answers, profile)
    candidates = [
        code
        for code in before.visible
        if code not in answers and (q := defn.question(code)) is not None and q.is_scored
    ]
    assume(candidates)
    code = data.draw(st.sampled_from(candidates))
    after = score(defn, {**answers, code: DK}, profile)

    assert levels(after) == levels(before)
    assert after.visible == before.visible
    assert after.known_share == before.known_share
    assert after.answered == before.answered + 1
    q = defn.question(code)
    assert q is not None
    c_before, c_after = comp_of(before, q.competency), comp_of(after, q.competency)
    assert c_after.dont_know == c_before.dont_know + 1
    assert c_after.unanswered == c_before.unanswered - 1


@settings(deadline=None)
@given(st.data())
def test_property_raising_a_maturity_answer_never_lowers_its_competency(
    data: st.DataObject,
) -> None:
    # Without conditions: a higher answer may reveal a question that lowers the mean.
    defn = data.draw(definitions(conditions=False))
    maturity = [q for q in defn.questions() if q.kind == "maturity"]
    assume(maturity)
    q = data.draw(st.sampled_from(maturity))
    answers = data.draw(answer_sets(defn))
    low = data.draw(st.integers(0, 4))
    high = data.draw(st.integers(low, 4))
    before = comp_of(score(defn, {**answers, q.code: A(low)}, PROFILE), q.competency)
    after = comp_of(score(defn, {**answers, q.code: A(high)}, PROFILE), q.competency)
    assert before.level is not None
    assert after.level is not None
    assert after.level >= before.level


@settings(deadline=None)
@given(st.data(), st.integers(1, 4))
def test_property_identical_respondents_consolidate_to_one(data: st.DataObject, n: int) -> None:
    defn = data.draw(definitions())
    answers = data.draw(answer_sets(defn))
    profile = data.draw(st.sampled_from(PROFILES))
    cons = consolidate(defn, {f"r{i}": answers for i in range(n)}, profile)
    assert dataclasses.replace(cons.results, respondents=1) == score(defn, answers, profile)
    assert cons.results.respondents == n
    assert not any(d.disagree for d in cons.divergence)
    assert all(d.spread in (None, 0) for d in cons.divergence)


@settings(deadline=None)
@given(st.data())
def test_property_consolidate_ignores_respondent_order(data: st.DataObject) -> None:
    defn = data.draw(definitions())
    profile = data.draw(st.sampled_from(PROFILES))
    sets = {f"r{i}": data.draw(answer_sets(defn)) for i in range(data.draw(st.integers(2, 4)))}
    order = data.draw(st.permutations(list(sets)))
    shuffled = {key: sets[key] for key in order}
    first, second = consolidate(defn, sets, profile), consolidate(defn, shuffled, profile)
    assert first == second
    assert json.dumps(first.to_dict()) == json.dumps(second.to_dict())
    assert Consolidated.from_dict(round_trip(first.to_dict())) == first


@settings(deadline=None)
@given(st.data())
def test_property_to_dict_is_what_asdict_gives(data: st.DataObject) -> None:
    """The stored results are `dataclasses.asdict`'s, keys in the same order, and share no
    list or dict with the results they come from."""
    defn = data.draw(definitions())
    profile = data.draw(st.sampled_from(PROFILES))
    sets = {f"r{i}": data.draw(answer_sets(defn)) for i in range(data.draw(st.integers(1, 3)))}
    cons = consolidate(defn, sets, profile)
    for value in (cons, cons.results, *cons.by_respondent.values()):
        made = value.to_dict()
        assert json.dumps(made) == json.dumps(dataclasses.asdict(value))
    expected = dataclasses.asdict(cons)
    made = cons.to_dict()
    made["results"]["domains"].clear()
    made["results"]["competencies"].clear()
    made["results"]["visible"].clear()
    for respondent in made["by_respondent"].values():
        respondent["domains"].clear()
    for divergence in made["divergence"]:
        divergence["levels"].clear()
    assert dataclasses.asdict(cons) == expected  # the results themselves are untouched
