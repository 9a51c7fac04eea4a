"""The questionnaire definition as plain, immutable data (no Django imports).

`loader.py` builds it from a YAML file; scoring works on it; the database keeps the
validated definition as JSON on the Questionnaire row.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

Text = dict[str, str]  # {"fr": "...", "en": "..."}
LANGUAGES = ("fr", "en")
KINDS = ("maturity", "single", "multiple", "yesno", "number", "text")
SCORABLE_KINDS = ("maturity", "single", "multiple", "yesno", "number")
HEADCOUNT_BANDS = ("1_9", "10_49", "50_249", "250_499", "500_plus")
MAX_LEVEL = 4


def tr(text: Text | None, language: str) -> str:
    """The text in the language asked for, falling back on French."""
    if not text:
        return ""
    return text.get(language) or text.get("fr") or next(iter(text.values()), "")


@dataclass(frozen=True)
class Profile:
    """What conditions and targets may depend on: the company's NAF division and size."""

    sector: str
    headcount_band: str


@dataclass(frozen=True)
class Choice:
    code: str
    label: Text
    level: int | None = None  # single: the level this choice means; multiple: points


@dataclass(frozen=True)
class Band:
    start: float  # `from` in the YAML
    level: int


@dataclass(frozen=True)
class Condition:
    """One of: an answer test, a profile test, or all/any of sub-conditions."""

    op: Literal["in", "at_least", "profile", "all", "any"]
    question: str | None = None
    values: tuple[str, ...] = ()
    at_least: float | None = None
    headcount_in: tuple[str, ...] = ()
    sector_in: tuple[str, ...] = ()
    children: tuple[Condition, ...] = ()


@dataclass(frozen=True)
class Question:
    code: str
    kind: str
    text: Text
    competency: str
    domain: str
    help: Text | None = None
    weight: float = 1.0
    scored: bool = True
    dont_know: bool = True
    levels: tuple[Text, ...] = ()
    choices: tuple[Choice, ...] = ()
    yes_level: int = MAX_LEVEL
    no_level: int = 0
    min: float | None = None
    max: float | None = None
    unit: Text | None = None
    bands: tuple[Band, ...] = ()
    max_length: int = 2000
    condition: Condition | None = None

    @property
    def is_scored(self) -> bool:
        return self.scored and self.kind in SCORABLE_KINDS

    def choice(self, code: str) -> Choice | None:
        return next((c for c in self.choices if c.code == code), None)


@dataclass(frozen=True)
class TargetOverride:
    target: int
    headcount_in: tuple[str, ...] = ()
    sector_in: tuple[str, ...] = ()

    def matches(self, profile: Profile) -> bool:
        if self.headcount_in and profile.headcount_band not in self.headcount_in:
            return False
        return not (self.sector_in and profile.sector not in self.sector_in)


@dataclass(frozen=True)
class Competency:
    code: str
    title: Text
    domain: str
    questions: tuple[Question, ...]
    target: int
    weight: int = 1
    description: Text | None = None
    target_overrides: tuple[TargetOverride, ...] = ()

    def target_for(self, profile: Profile) -> int:
        for override in self.target_overrides:
            if override.matches(profile):
                return override.target
        return self.target


@dataclass(frozen=True)
class Domain:
    code: str
    title: Text
    competencies: tuple[Competency, ...]
    description: Text | None = None


@dataclass(frozen=True)
class QuestionnaireDef:
    key: str
    version: int
    title: Text
    domains: tuple[Domain, ...]
    description: Text | None = None
    min_known_share: float = 0.6
    _index: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def questions(self) -> Iterator[Question]:
        for domain in self.domains:
            for competency in domain.competencies:
                yield from competency.questions

    def competencies(self) -> Iterator[Competency]:
        for domain in self.domains:
            yield from domain.competencies

    def question(self, code: str) -> Question | None:
        if not self._index:
            self._index.update({q.code: q for q in self.questions()})
        return self._index.get(code)

    def domain(self, code: str) -> Domain | None:
        return next((d for d in self.domains if d.code == code), None)

    def competency(self, code: str) -> Competency | None:
        return next((c for c in self.competencies() if c.code == code), None)
