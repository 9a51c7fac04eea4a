"""Recommendations from the gaps of a diagnostic, and plan totals (pure: no Django).

Every recommendation says why: the rule that applied, its explanation with the figures
filled in, and the answers that explain the gap (evidence).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Protocol

from diagnostics.definition import MAX_LEVEL, Text
from documents.parsing import format_number

from .catalogue import Action, CatalogueDef, Rule

MAX_EVIDENCE = 3
# Lines that cost something: to do, or done (a done line was paid for, and funded).
COUNTED_STATUSES = ("proposed", "accepted", "done")


class CompetencyGap(Protocol):
    """What `recommend` reads of a competency result (diagnostics.scoring.CompetencyResult)."""

    @property
    def code(self) -> str: ...
    @property
    def level(self) -> float | None: ...
    @property
    def target(self) -> int: ...
    @property
    def gap(self) -> float | None: ...
    @property
    def weight(self) -> int: ...


@dataclass(frozen=True)
class Evidence:
    """An answer that explains a gap: the question code, its text, the level it gave."""

    question: str
    text: str
    level: float | None


@dataclass(frozen=True)
class Recommendation:
    competency: str
    priority: int
    rule: str
    explanation: Text  # {fr, en}, figures filled in
    gap: float
    level: float
    target: int
    weight: int
    evidence: tuple[Evidence, ...]
    actions: tuple[str, ...]  # action codes, the best fit first

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable (what a plan item keeps as its reasons)."""
        return {
            "competency": self.competency,
            "priority": self.priority,
            "rule": self.rule,
            "explanation": dict(self.explanation),
            "gap": self.gap,
            "level": self.level,
            "target": self.target,
            "weight": self.weight,
            "evidence": [
                {"question": e.question, "text": e.text, "level": e.level} for e in self.evidence
            ],
            "actions": list(self.actions),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Recommendation:
        return cls(
            **{
                **data,
                "explanation": dict(data["explanation"]),
                "evidence": tuple(Evidence(**e) for e in data["evidence"]),
                "actions": tuple(data["actions"]),
            }
        )


_NO_EVIDENCE: Mapping[str, Sequence[Evidence]] = MappingProxyType({})


def recommend(
    competencies: Sequence[CompetencyGap],
    catalogue: CatalogueDef,
    *,
    evidence: Mapping[str, Sequence[Evidence]] = _NO_EVIDENCE,
) -> list[Recommendation]:
    """One recommendation per competency with a level and a gap that a rule matches.

    The rules are tried in catalogue order and the first whose min_gap and min_weight the
    competency reaches applies; no rule, no recommendation. A competency that no action
    covers still gets its recommendation, with no action. `evidence` maps competency codes
    to the answers behind their level. The most urgent come first: by priority, then
    gap × weight (descending), then competency code.
    """
    found = []
    for comp in competencies:
        if comp.level is None or comp.gap is None:
            continue
        rule = next((r for r in catalogue.rules if r.applies(comp.gap, comp.weight)), None)
        if rule is None:
            continue
        found.append(
            Recommendation(
                competency=comp.code,
                priority=rule.priority,
                rule=rule.code,
                explanation=explain(rule, comp),
                gap=float(comp.gap),
                level=float(comp.level),
                target=comp.target,
                weight=comp.weight,
                evidence=select_evidence(evidence.get(comp.code, ()), comp.target),
                actions=tuple(
                    a.code for a in select_actions(catalogue.actions, comp.code, comp.level, rule)
                ),
            )
        )
    return sorted(found, key=lambda r: (r.priority, -r.gap * r.weight, r.competency))


def select_actions(
    actions: Iterable[Action], competency: str, level: float, rule: Rule
) -> list[Action]:
    """The actions for a competency at a level, the best fit first, at most rule.max_actions.

    Those whose level range contains the current level rounded down, the most advanced
    first (level_from descending), then the shortest, then by code. If none contains it,
    the one covering action whose range is nearest to the level.
    """
    current = min(MAX_LEVEL, max(0, math.floor(level)))
    covering = [a for a in actions if competency in a.competencies]
    fitting = [a for a in covering if a.level_from <= current <= a.level_to]
    if fitting:
        fitting.sort(key=lambda a: (-a.level_from, a.duration_hours, a.code))
        return fitting[: rule.max_actions]
    if not covering:
        return []
    nearest = min(
        covering,
        key=lambda a: (
            max(a.level_from - current, current - a.level_to),
            -a.level_from,
            a.duration_hours,
            a.code,
        ),
    )
    return [nearest]


def select_evidence(entries: Iterable[Evidence], target: float) -> tuple[Evidence, ...]:
    """The answers below the target, the lowest first, at most MAX_EVIDENCE."""
    below = [e for e in entries if e.level is not None and e.level < target]
    below.sort(key=lambda e: (e.level, e.question))
    return tuple(below[:MAX_EVIDENCE])


def explain(rule: Rule, comp: CompetencyGap) -> Text:
    """The rule's explanation in each language, placeholders filled in.

    The gap and the level are written with one decimal ("1,5" in French, "1.5" otherwise);
    the target and the weight are whole numbers.
    """
    return {
        language: text.format(
            gap=format_number(comp.gap or 0.0, language, places=1),
            level=format_number(comp.level or 0.0, language, places=1),
            target=comp.target,
            weight=comp.weight,
        )
        for language, text in rule.explanation.items()
    }


# --- Plan totals -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanLine:
    action: Action
    people: int
    status: str
    horizon: str = "year1"

    @property
    def cost(self) -> tuple[int, int]:
        return self.action.cost(self.people)


@dataclass(frozen=True)
class FundingTotal:
    hours: float
    cost_min: int
    cost_max: int


@dataclass(frozen=True)
class Totals:
    hours: float
    cost_min: int
    cost_max: int
    by_funding: dict[str, FundingTotal] = field(default_factory=dict)
    by_horizon: dict[str, FundingTotal] = field(default_factory=dict)


def plan_totals(items: Iterable[PlanLine]) -> Totals:
    """Training hours and cost range of a plan, in all and by funding route.

    Only proposed, accepted and done lines count (postponed and dropped ones do not). A line
    counts for its number of people: hours = duration × people; the cost is per person
    × people, or per session × the sessions the people need (Action.cost). An action
    open to several funding routes counts under its FIRST route only
    (the main one, listed first in the catalogue), so the routes add up to the total.
    Routes appear in the order of the lines.
    """
    counted = [line for line in items if line.status in COUNTED_STATUSES]
    groups: dict[str, list[PlanLine]] = {}
    horizons: dict[str, list[PlanLine]] = {}
    for line in counted:
        groups.setdefault(line.action.funding[0], []).append(line)
        horizons.setdefault(line.horizon, []).append(line)
    total = _sum(counted)
    return Totals(
        hours=total.hours,
        cost_min=total.cost_min,
        cost_max=total.cost_max,
        by_funding={key: _sum(lines) for key, lines in groups.items()},
        by_horizon={key: _sum(horizons[key]) for key in ("year1", "later") if key in horizons},
    )


def _sum(lines: Sequence[PlanLine]) -> FundingTotal:
    return FundingTotal(
        # Durations have one decimal: rounding removes float noise such as 0.30000000000000004.
        hours=round(sum(line.action.duration_hours * line.people for line in lines), 1),
        cost_min=sum(line.cost[0] for line in lines),
        cost_max=sum(line.cost[1] for line in lines),
    )
