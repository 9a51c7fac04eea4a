"""From recommendations to an action plan an advisor would sign (pure: no Django).

`recommend` says, per competency, which rule the gap meets. `propose_plan` turns that into
few, progressive, ranked lines:

- each competency moves **one level up** first: its first step is the action that serves
  its current level, the shortest entry action at low levels; long or certifying courses
  come first only from `policy.long_from_level`, or for a large gap in a large company;
  the following steps (the next levels) are kept for later;
- **one line per action**: an action serving several competencies appears once, linked to
  all of them;
- lines are **ranked** by legal obligation, then weighted gap (gap × weight), then
  prerequisite order (a competency's first step before its next ones), then duration;
- a **horizon**: the first year holds what fits the headcount band's envelope (lines and
  budget), the rest is "later"; at most `envelope.priority1` lines are priority 1;
- explanations are written from what was chosen, so they never contradict it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from diagnostics.definition import MAX_LEVEL, QuestionnaireDef, Text
from documents.parsing import format_number, tr

from .catalogue import Action, CatalogueDef, PlanPolicy
from .funding import FundingRulesDef, LineFunding, LineToFund, fund_plan
from .recommendations import (
    COUNTED_STATUSES,
    CompetencyGap,
    Evidence,
    PlanLine,
    Recommendation,
    recommend,
)

YEAR1 = "year1"
LATER = "later"
MAX_STEPS = 2  # a competency's first step, and the next one kept for later
OBLIGATION_MET_LEVEL = 2  # an obligation question answered below this level is not met
PRIORITY1_MIN_SCORE = 2.0  # a priority-1 line answers a weighted gap of at least this


@dataclass(frozen=True)
class Step:
    """One action for one competency: its rank in the competency's progression (1 first)."""

    action: Action
    recommendation: Recommendation
    number: int

    @property
    def score(self) -> float:
        return self.recommendation.gap * self.recommendation.weight


@dataclass(frozen=True)
class Finding:
    """An answer that reveals a legal obligation not met (DUERP, interviews, safety)."""

    question: str
    obligation: Text
    level: float
    competency: str = ""


@dataclass
class ProposedLine:
    action: Action
    steps: list[Step] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    priority: int = 3
    horizon: str = LATER

    @property
    def compliance(self) -> bool:
        """A line that answers a legal obligation not met: listed apart, at the top."""
        return bool(self.findings)

    @property
    def competencies(self) -> tuple[str, ...]:
        """The competencies the line serves: those of its steps, then of its findings."""
        codes = [s.recommendation.competency for s in self.steps]
        codes += [f.competency for f in self.findings if f.competency]
        return tuple(dict.fromkeys(codes))

    @property
    def first_step(self) -> int:
        return min((s.number for s in self.steps), default=1)

    @property
    def score(self) -> float:
        return max((s.score for s in self.steps), default=0.0)

    def rank(self) -> tuple:
        return (
            not self.compliance,
            self.first_step > 1,
            -self.score,
            self.first_step,
            self.action.duration_hours,
            self.action.code,
        )

    def reasons(self, titles: Mapping[str, Text], policy: PlanPolicy) -> dict[str, Any]:
        """What a plan item keeps: the explanation in each language, and per competency
        the gap, the rule and the answers behind it."""
        main = max(self.steps, key=lambda s: (s.score, -s.number), default=None)
        evidence = [
            {"question": e.question, "text": e.text, "level": e.level}
            for step in self.steps
            for e in step.recommendation.evidence
        ]
        return {
            "rule": main.recommendation.rule if main else "",
            "obligations": [
                {"question": f.question, "obligation": dict(f.obligation), "level": f.level}
                for f in self.findings
            ],
            "explanation": {
                language: explain_line(self, titles, policy, language) for language in ("fr", "en")
            },
            "evidence": evidence,
            "gaps": [
                {**s.recommendation.to_dict(), "step": s.number, "actions": [s.action.code]}
                for s in self.steps
            ],
        }


def next_level(level: float) -> int:
    return min(MAX_LEVEL, math.floor(level) + 1)


def progression(
    recommendation: Recommendation,
    actions: Sequence[Action],
    policy: PlanPolicy,
    headcount_band: str,
    max_steps: int,
) -> list[Step]:
    """The actions that take a competency from its level towards its target, one level at a
    time: the first serves the current level, each next one the level after."""
    covering = [a for a in actions if recommendation.competency in a.competencies]
    steps: list[Step] = []
    level = min(MAX_LEVEL, math.floor(recommendation.level))
    long_allowed = level >= policy.long_from_level or (
        recommendation.gap >= policy.long_min_gap and headcount_band in policy.long_headcount_in
    )
    used: set[str] = set()
    while level < recommendation.target and len(steps) < max_steps:
        fitting = [
            a for a in covering if a.level_from <= level <= a.level_to and a.code not in used
        ]
        first = not steps
        if first and not long_allowed:
            fitting = [a for a in fitting if not a.is_long(policy)]
        if not fitting:
            if first:
                return []
            break
        # At entry levels, the shortest action first; further up, the most advanced fit.
        if level <= 1:
            fitting.sort(key=lambda a: (a.is_long(policy), a.duration_hours, a.code))
        else:
            fitting.sort(key=lambda a: (-a.level_from, a.duration_hours, a.code))
        chosen = fitting[0]
        used.add(chosen.code)
        steps.append(Step(action=chosen, recommendation=recommendation, number=len(steps) + 1))
        level += 1
    return steps


def propose_plan(
    recommendations: Sequence[Recommendation],
    catalogue: CatalogueDef,
    *,
    headcount_band: str,
    findings: Sequence[tuple[Finding, Action]] = (),
) -> list[ProposedLine]:
    """The plan's lines, ranked, each with its priority (1–3) and horizon.

    A competency gets at most MAX_STEPS steps (and no more than its rule's max_actions).
    Recommendations without a covering action give no line (the plan lists them apart,
    see `uncovered`). `findings` are legal obligations not met, each with the action that
    answers it: those lines come first, in the first year, priority 1, outside the caps.
    """
    policy = catalogue.plan_policy
    envelope = policy.envelope(headcount_band)
    rules = {r.code: r for r in catalogue.rules}
    lines: dict[str, ProposedLine] = {}
    for finding, action in findings:
        lines.setdefault(action.code, ProposedLine(action=action)).findings.append(finding)
    for recommendation in recommendations:
        rule = rules.get(recommendation.rule)
        limit = min(MAX_STEPS, rule.max_actions if rule else 1)
        for step in progression(recommendation, catalogue.actions, policy, headcount_band, limit):
            lines.setdefault(step.action.code, ProposedLine(action=step.action)).steps.append(step)
    ranked = sorted(lines.values(), key=ProposedLine.rank)
    budget = 0
    year1 = 0
    priority1 = 0
    for line in ranked:
        cost = line.action.cost(1)[1]
        fits = year1 < envelope.year1_lines and (
            year1 == 0 or budget + cost <= envelope.year1_budget
        )
        if line.compliance or (line.first_step == 1 and fits):
            line.horizon = YEAR1
            if not line.compliance:
                year1 += 1
                budget += cost
        if line.horizon == YEAR1:
            if line.compliance:
                line.priority = 1
            elif priority1 < envelope.priority1 and line.score >= PRIORITY1_MIN_SCORE:
                line.priority = 1
                priority1 += 1
            else:
                line.priority = 2
        else:
            line.priority = 3
    return sorted(ranked, key=lambda line: (line.horizon != YEAR1, line.priority, line.rank()))


def plan_from_results(
    spec: QuestionnaireDef,
    competencies: Sequence[CompetencyGap],
    question_levels: Mapping[str, float],
    catalogue: CatalogueDef,
    *,
    headcount_band: str,
) -> tuple[list[ProposedLine], list[Recommendation]]:
    """The proposed lines and the recommendations they come from, for scored competencies
    and the level behind each answer (the evidence shown with each line)."""
    evidence: dict[str, list[Evidence]] = {}
    for code, level in question_levels.items():
        question = spec.question(code)
        if question is not None and question.is_scored:
            evidence.setdefault(question.competency, []).append(
                Evidence(question=code, text=tr(question.text, "fr"), level=level)
            )
    recommendations = recommend(competencies, catalogue, evidence=evidence)
    lines = propose_plan(
        recommendations,
        catalogue,
        headcount_band=headcount_band,
        findings=compliance_findings(spec, question_levels, catalogue),
    )
    return lines, recommendations


def compliance_findings(
    spec: QuestionnaireDef, question_levels: Mapping[str, float], catalogue: CatalogueDef
) -> list[tuple[Finding, Action]]:
    """The legal obligations the answers show as not met, each with the catalogue's
    obligation action for the question's competency (the shortest). An obligation with
    no such action still counts: its line is the competency's shortest action."""
    found = []
    for question in spec.questions():
        level = question_levels.get(question.code)
        if question.obligation is None or level is None or level >= OBLIGATION_MET_LEVEL:
            continue
        covering = [a for a in catalogue.actions if question.competency in a.competencies]
        if not covering:
            continue
        action = min(covering, key=lambda a: (not a.obligation, a.duration_hours, a.code))
        found.append(
            (Finding(question.code, question.obligation, level, question.competency), action)
        )
    return found


def uncovered(
    recommendations: Sequence[Recommendation], lines: Sequence[ProposedLine]
) -> list[Recommendation]:
    """The gaps no line serves: no catalogue action for them (the advisor decides)."""
    served = {code for line in lines for code in line.competencies}
    return [r for r in recommendations if r.competency not in served]


def explain_line(
    line: ProposedLine, titles: Mapping[str, Text], policy: PlanPolicy, language: str
) -> str:
    """Why this line, written from what was chosen: the gaps it serves and the level aimed."""
    parts = [
        (
            f"Obligation légale non remplie : {tr(f.obligation, 'fr')}."
            if language == "fr"
            else f"Legal obligation not met: {tr(f.obligation, 'en')}."
        )
        for f in line.findings
    ]
    for step in line.steps:
        r = step.recommendation
        values = {
            "competency": tr(titles.get(r.competency), language) or r.competency,
            "level": format_number(r.level, language, places=1),
            "target": r.target,
            "gap": format_number(r.gap, language, places=1),
            "next": next_level(r.level + step.number - 1),
        }
        if language == "fr":
            text = (
                "« {competency} » : niveau actuel {level}, objectif {target} (écart {gap}) ; "
                "cette action vise le niveau {next}"
            )
            if step.number > 1:
                text += f", étape {step.number} après les précédentes"
        else:
            text = (
                "“{competency}”: current level {level}, target {target} (gap {gap}); "
                "this action aims at level {next}"
            )
            if step.number > 1:
                text += f", step {step.number} after the previous ones"
        parts.append(text.format(**values) + ".")
    hours = format_number(line.action.duration_hours, language)
    if line.action.obligation:
        tail = {
            "fr": f"Formation obligatoire pour l’employeur ({hours} h).",
            "en": f"A training the employer is required to provide ({hours} h).",
        }
    elif line.action.is_long(policy):
        tail = {
            "fr": f"Parcours long ({hours} h), proposé pour un écart qui le justifie.",
            "en": f"A long pathway ({hours} h), proposed for a gap that calls for it.",
        }
    else:
        tail = {"fr": f"Durée : {hours} h.", "en": f"Duration: {hours} h."}
    parts.append(tail["fr" if language == "fr" else "en"])
    return " ".join(parts)


def fund_lines(
    rules: FundingRulesDef,
    lines: Sequence[PlanLine],
    *,
    headcount_band: str,
    idcc: str,
    on: date,
) -> list[LineFunding]:
    """The funding estimates of plan lines (cost for their people, per person or per
    session), under `rules`, for a company of that band and branch, on the day `on`."""
    return fund_plan(
        rules,
        [
            LineToFund(
                routes=line.action.funding,
                hours=line.action.duration_hours,
                people=line.people,
                cost_min=line.cost[0],
                cost_max=line.cost[1],
                certifying=line.action.certifying,
                horizon=line.horizon,
                counted=line.status in COUNTED_STATUSES,
            )
            for line in lines
        ],
        headcount_band=headcount_band,
        idcc=idcc,
        on=on,
    )
