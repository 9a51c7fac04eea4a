"""Scoring of a diagnostic: pure functions over the definition and the answers (no Django).

A "don't know" answer is a real answer: it is left out of every level but counted, so that
the results can say how much of the diagnostic rests on known answers (`known_share`).

Levels are on the 0..MAX_LEVEL scale, scores on 0..100. Every float in the results is
rounded to 2 decimals; domain and overall figures are computed from the rounded
competency levels, so that what is shown adds up.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from diagnostics.definition import (
    MAX_LEVEL,
    Competency,
    Condition,
    Profile,
    Question,
    QuestionnaireDef,
)

DISAGREEMENT_SPREAD = 1.5  # levels apart, between two respondents, that we call a disagreement


@dataclass(frozen=True)
class AnswerValue:
    value: Any = None
    dont_know: bool = False
    not_concerned: bool = False  # "non concerné": the question does not apply here


def is_answered(answer: AnswerValue | None) -> bool:
    """True for a "don't know", a "not concerned" or a value (an empty text or choice
    list is no answer)."""
    if answer is None:
        return False
    return answer.dont_know or answer.not_concerned or answer.value not in (None, "", [])


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def question_level(q: Question, a: AnswerValue | None) -> float | None:
    """The 0..MAX_LEVEL level of an answer.

    None when the question is not scored, or the answer is missing, "don't know", "not
    concerned" or invalid.
    """
    if not q.is_scored or a is None or a.dont_know or a.not_concerned or a.value is None:
        return None
    value = a.value
    level: int | None = None
    if q.kind == "maturity":
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_LEVEL:
            level = value
    elif q.kind == "single":
        choice = q.choice(value) if isinstance(value, str) else None
        level = choice.level if choice else None
    elif q.kind == "multiple":
        if isinstance(value, list | tuple) and all(isinstance(code, str) for code in value):
            chosen = [q.choice(code) for code in set(value)]
            if all(chosen):
                level = min(MAX_LEVEL, sum(c.level or 0 for c in chosen if c))
    elif q.kind == "yesno":
        if value == "yes":
            level = q.yes_level
        elif value == "no":
            level = q.no_level
    elif q.kind == "number":
        in_range = (
            _is_number(value)
            and (q.min is None or value >= q.min)
            and (q.max is None or value <= q.max)
        )
        if in_range:
            for band in q.bands:
                if band.start <= value:
                    level = band.level
    return None if level is None else float(level)


# --- Visibility ---------------------------------------------------------------------------


def _condition_met(
    cond: Condition,
    answers: Mapping[str, AnswerValue],
    shown: set[str],
    profile: Profile,
) -> bool:
    if cond.op == "all":
        return all(_condition_met(c, answers, shown, profile) for c in cond.children)
    if cond.op == "any":
        return any(_condition_met(c, answers, shown, profile) for c in cond.children)
    if cond.op == "profile":
        if cond.headcount_in and profile.headcount_band not in cond.headcount_in:
            return False
        return not (cond.sector_in and profile.sector not in cond.sector_in)
    # An answer test: a hidden (or later) question counts as unanswered, and so does a
    # missing or "don't know" answer.
    answer = answers.get(cond.question or "")
    if cond.question not in shown or answer is None or answer.dont_know or answer.value is None:
        return False
    value = answer.value
    if cond.op == "in":
        chosen = value if isinstance(value, list | tuple) else [value]
        return any(str(v) in cond.values for v in chosen)
    if cond.op == "at_least":
        return cond.at_least is not None and _is_number(value) and value >= cond.at_least
    return False


def visible_questions(
    defn: QuestionnaireDef, answers: Mapping[str, AnswerValue], profile: Profile
) -> list[str]:
    """Codes of the visible questions, scored or not, in file order."""
    shown: set[str] = set()
    visible: list[str] = []
    for q in defn.questions():
        if q.condition is None or _condition_met(q.condition, answers, shown, profile):
            shown.add(q.code)
            visible.append(q.code)
    return visible


# --- Results ------------------------------------------------------------------------------


def _round(x: float | None) -> float | None:
    return None if x is None else float(round(x, 2))


def _weighted_mean(pairs: Iterable[tuple[float, float]]) -> float | None:
    """Mean of (value, weight) pairs; None when there are none or the weights add up to 0."""
    pairs = list(pairs)
    total = sum(w for _, w in pairs)
    if not pairs or total <= 0:
        return None
    return sum(v * w for v, w in pairs) / total


def _gap(target: float, level: float | None) -> float | None:
    return None if level is None else _round(max(0.0, target - level))


def _score(level: float | None) -> float | None:
    return None if level is None else _round(level / MAX_LEVEL * 100)


@dataclass(frozen=True, kw_only=True)
class AnswerCounts:
    """How the visible questions of a competency or domain were answered."""

    visible: int
    known: int
    dont_know: int
    unanswered: int
    not_concerned: int = 0  # excluded from the score and from the reliability share

    @property
    def concerned(self) -> int:
        """The visible questions that concern the company."""
        return self.visible - self.not_concerned

    @property
    def known_share(self) -> float:
        """The share of the questions that concern the company with a known answer (0 when
        none concerns it)."""
        return self.known / self.concerned if self.concerned > 0 else 0.0

    def enough_known(self, min_known_share: float) -> bool:
        """Whether a score on these answers rests on enough known ones: the rule of a
        domain's score and of the whole diagnostic's (`Results.reliable`)."""
        return self.concerned > 0 and self.known_share >= min_known_share

    @classmethod
    def total(cls, parts: Iterable[AnswerCounts]) -> AnswerCounts:
        """The counts of several competencies together."""
        parts = list(parts)
        return cls(**{f.name: sum(getattr(p, f.name) for p in parts) for f in fields(cls)})


def few_known_competencies(results: Mapping[str, Any]) -> dict[str, AnswerCounts]:
    """The competencies of frozen results (`Results.to_dict`) whose level rests on too few
    known answers, by the rule of a domain's score (`AnswerCounts.enough_known`), with their
    counts: a need found from one of them is to be confirmed. Read from the plain dict, so
    a page that shows a plan does not rebuild the whole results."""
    names = [f.name for f in fields(AnswerCounts)]
    share = results.get("min_known_share")
    if share is None:  # results frozen with no counts
        return {}
    found = {}
    for competency in results.get("competencies", []):
        counts = AnswerCounts(**{name: competency.get(name, 0) for name in names})
        if counts.concerned and not counts.enough_known(share):
            found[competency["code"]] = counts
    return found


@dataclass(frozen=True, kw_only=True)
class CompetencyResult(AnswerCounts):
    code: str
    domain: str
    weight: int
    target: int
    level: float | None
    score: float | None
    gap: float | None


@dataclass(frozen=True, kw_only=True)
class DomainResult(AnswerCounts):
    code: str
    level: float | None
    score: float | None
    target: float
    gap: float | None
    # Whether the domain's own questions have enough known answers for its score to be
    # shown (the diagnostic's `min_known_share`, as for the overall index). Results frozen
    # before this field existed get it from their counts (`Results.from_dict`).
    reliable: bool = True


@dataclass(frozen=True)
class Results:
    overall_level: float | None
    overall_score: float | None
    known_share: float
    reliable: bool
    min_known_share: float
    domains: list[DomainResult]
    competencies: list[CompetencyResult]
    visible: list[str]
    answered: int
    respondents: int = 1

    def competency(self, code: str) -> CompetencyResult | None:
        return next((c for c in self.competencies if c.code == code), None)

    def domain(self, code: str) -> DomainResult | None:
        return next((d for d in self.domains if d.code == code), None)

    def ranked_gaps(self) -> list[CompetencyResult]:
        """Competencies below target, the most important gap (gap × weight) first."""
        below = [c for c in self.competencies if c.gap is not None and c.gap > 0]
        return sorted(below, key=lambda c: (-(c.gap or 0) * c.weight, -(c.gap or 0), c.code))

    def strongest_domains(self, n: int = 3) -> list[DomainResult]:
        """The best-scored domains, among those whose score rests on enough answers."""
        scored = [d for d in self.domains if d.score is not None and d.reliable]
        return sorted(scored, key=lambda d: (-(d.score or 0), d.code))[:n]

    def weakest_domains(self, n: int = 3) -> list[DomainResult]:
        """The lowest-scored domains, among those whose score rests on enough answers."""
        scored = [d for d in self.domains if d.score is not None and d.reliable]
        return sorted(scored, key=lambda d: (d.score or 0, d.code))[:n]

    def to_dict(self) -> dict[str, Any]:
        """What `dataclasses.asdict` gives (plain values, ready for JSON), without its deep
        copy of every value: the fields are numbers, strings and None."""
        data = dict(vars(self))
        data["domains"] = [dict(vars(d)) for d in self.domains]
        data["competencies"] = [dict(vars(c)) for c in self.competencies]
        data["visible"] = list(self.visible)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Results:
        return cls(
            **{
                **data,
                "domains": [_domain_from_dict(d, data["min_known_share"]) for d in data["domains"]],
                "competencies": [CompetencyResult(**c) for c in data["competencies"]],
                "visible": list(data["visible"]),
            }
        )


def _domain_from_dict(data: Mapping[str, Any], min_known_share: float) -> DomainResult:
    if "reliable" in data:
        return DomainResult(**data)
    domain = DomainResult(**data, reliable=True)
    return replace(domain, reliable=domain.enough_known(min_known_share))


@dataclass(frozen=True)
class _Outcome:
    """What is known of one visible scored question: its level, or don't know, or nothing."""

    level: float | None = None
    dont_know: bool = False
    not_concerned: bool = False


def _competency_result(
    comp: Competency, outcomes: Mapping[str, _Outcome], profile: Profile
) -> CompetencyResult:
    seen = [(q, outcomes[q.code]) for q in comp.questions if q.code in outcomes]
    known = [(o.level, q.weight) for q, o in seen if o.level is not None]
    dont_know = sum(1 for _, o in seen if o.level is None and o.dont_know)
    not_concerned = sum(
        1 for _, o in seen if o.level is None and not o.dont_know and o.not_concerned
    )
    level = _round(_weighted_mean(known))
    target = comp.target_for(profile)
    return CompetencyResult(
        code=comp.code,
        domain=comp.domain,
        weight=comp.weight,
        target=target,
        level=level,
        score=_score(level),
        gap=_gap(target, level),
        visible=len(seen),
        known=len(known),
        dont_know=dont_know,
        unanswered=len(seen) - len(known) - dont_know - not_concerned,
        not_concerned=not_concerned,
    )


def _domain_result(
    code: str, comps: list[CompetencyResult], min_known_share: float
) -> DomainResult:
    level = _round(_weighted_mean((c.level, c.weight) for c in comps if c.level is not None))
    target = _round(_weighted_mean((c.target, c.weight) for c in comps)) or 0.0
    counts = AnswerCounts.total(comps)
    return DomainResult(
        code=code,
        level=level,
        score=_score(level),
        target=target,
        gap=_gap(target, level),
        reliable=counts.enough_known(min_known_share),
        **asdict(counts),
    )


def _results(
    defn: QuestionnaireDef,
    profile: Profile,
    visible: list[str],
    outcomes: Mapping[str, _Outcome],
    answered: int,
    respondents: int,
) -> Results:
    """Aggregate the outcomes of the visible scored questions into results."""
    domains: list[DomainResult] = []
    competencies: list[CompetencyResult] = []
    for domain in defn.domains:
        comps = [_competency_result(c, outcomes, profile) for c in domain.competencies]
        competencies.extend(comps)
        domains.append(_domain_result(domain.code, comps, defn.min_known_share))
    overall = _round(
        _weighted_mean((c.level, c.weight) for c in competencies if c.level is not None)
    )
    counts = AnswerCounts.total(competencies)
    return Results(
        overall_level=overall,
        overall_score=_score(overall),
        known_share=_round(counts.known_share) or 0.0,
        reliable=counts.enough_known(defn.min_known_share),
        min_known_share=defn.min_known_share,
        domains=domains,
        competencies=competencies,
        visible=visible,
        answered=answered,
        respondents=respondents,
    )


def score(defn: QuestionnaireDef, answers: Mapping[str, AnswerValue], profile: Profile) -> Results:
    """The results of one respondent. Answers to hidden questions are ignored."""
    visible = visible_questions(defn, answers, profile)
    outcomes: dict[str, _Outcome] = {}
    for code in visible:
        q = defn.question(code)
        if q is not None and q.is_scored:
            answer = answers.get(code)
            outcomes[code] = _Outcome(
                question_level(q, answer),
                dont_know=answer is not None and answer.dont_know,
                not_concerned=answer is not None and answer.not_concerned,
            )
    answered = sum(1 for code in visible if is_answered(answers.get(code)))
    return _results(defn, profile, visible, outcomes, answered, respondents=1)


# --- Several respondents --------------------------------------------------------------------


@dataclass(frozen=True)
class Divergence:
    competency: str
    levels: dict[str, float | None]  # respondent -> competency level
    spread: float | None  # max - min of the known levels; None if fewer than 2
    disagree: bool


@dataclass(frozen=True)
class Consolidated:
    results: Results
    by_respondent: dict[str, Results]
    divergence: list[Divergence]

    def disagreements(self) -> list[Divergence]:
        """The competencies the respondents disagree on, the widest spread first."""
        found = [d for d in self.divergence if d.disagree]
        return sorted(found, key=lambda d: (-(d.spread or 0), d.competency))

    def to_dict(self) -> dict[str, Any]:
        """What `dataclasses.asdict` gives, without its deep copy of every value."""
        return {
            "results": self.results.to_dict(),
            "by_respondent": {k: v.to_dict() for k, v in self.by_respondent.items()},
            "divergence": [{**vars(d), "levels": dict(d.levels)} for d in self.divergence],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Consolidated:
        return cls(
            results=Results.from_dict(data["results"]),
            by_respondent={k: Results.from_dict(v) for k, v in data["by_respondent"].items()},
            divergence=[Divergence(**d) for d in data["divergence"]],
        )


def consolidate(
    defn: QuestionnaireDef,
    answer_sets: Mapping[str, Mapping[str, AnswerValue]],
    profile: Profile,
) -> Consolidated:
    """Results of several respondents together, plus where they disagree.

    A question is visible if visible for at least one respondent; its level is the mean of
    the levels of those who saw it and know; failing any, it is "don't know" if one of them
    said so, else unanswered. Respondents are taken in key order, so their order in
    `answer_sets` does not matter.
    """
    keys = sorted(answer_sets)
    visible_for = {k: set(visible_questions(defn, answer_sets[k], profile)) for k in keys}
    visible: list[str] = []
    outcomes: dict[str, _Outcome] = {}
    answered = 0
    for q in defn.questions():
        seen_by = [answer_sets[k].get(q.code) for k in keys if q.code in visible_for[k]]
        if not seen_by:
            continue
        visible.append(q.code)
        answered += any(is_answered(a) for a in seen_by)
        if q.is_scored:
            levels = [lv for a in seen_by if (lv := question_level(q, a)) is not None]
            mean = sum(levels) / len(levels) if levels else None
            outcomes[q.code] = _Outcome(
                mean,
                dont_know=any(a is not None and a.dont_know for a in seen_by),
                not_concerned=all(a is not None and a.not_concerned for a in seen_by),
            )

    by_respondent = {k: score(defn, answer_sets[k], profile) for k in keys}
    divergence = []
    for comp in defn.competencies():
        levels = {k: _level_of(by_respondent[k], comp.code) for k in keys}
        known = [lv for lv in levels.values() if lv is not None]
        spread = _round(max(known) - min(known)) if len(known) >= 2 else None
        disagree = spread is not None and spread >= DISAGREEMENT_SPREAD
        divergence.append(Divergence(comp.code, levels, spread, disagree))

    return Consolidated(
        results=_results(defn, profile, visible, outcomes, answered, respondents=len(keys)),
        by_respondent=by_respondent,
        divergence=divergence,
    )


def _level_of(results: Results, competency: str) -> float | None:
    found = results.competency(competency)
    return found.level if found else None
