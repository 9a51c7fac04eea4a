"""The questionnaire definition as plain, immutable data (no Django imports).

`loader.py` builds it from a YAML file; scoring works on it; the database keeps the
validated definition as JSON on the Questionnaire row. `definition_to_dict` gives it in the
YAML schema's shape with every applicable field written out (defaults included), so what is
stored keeps its meaning if a default changes later; `definition_from_dict` reads it back.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from documents.parsing import LANGUAGES, Text, num, tr

__all__ = ["LANGUAGES", "Text", "tr"]
KINDS = ("maturity", "single", "multiple", "yesno", "number", "text")
CHOICE_KINDS = ("single", "multiple")
SCORABLE_KINDS = ("maturity", "single", "multiple", "yesno", "number")
HEADCOUNT_BANDS = ("1_9", "10_49", "50_249", "250_499", "500_plus")
MAX_LEVEL = 4
DEFAULT_MIN_KNOWN_SHARE = 0.6
DEFAULT_MAX_LENGTH = 2000


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
    exclusive: bool = False  # multiple: a choice such as "none" that goes alone


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
    not_concerned: bool = False  # offers "non concerné" (the question may not apply)
    obligation: Text | None = None  # the legal obligation a low answer reveals as not met
    levels: tuple[Text, ...] = ()
    choices: tuple[Choice, ...] = ()
    yes_level: int = MAX_LEVEL
    no_level: int = 0
    min: float | None = None
    max: float | None = None
    unit: Text | None = None
    bands: tuple[Band, ...] = ()
    max_length: int = DEFAULT_MAX_LENGTH
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
    min_known_share: float = DEFAULT_MIN_KNOWN_SHARE
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


# --- To and from the stored dict ------------------------------------------------------------


def definition_to_dict(defn: QuestionnaireDef) -> dict[str, Any]:
    """The definition in the YAML schema's shape: JSON-serialisable, defaults written out."""
    data: dict[str, Any] = {"key": defn.key, "version": defn.version, "title": dict(defn.title)}
    if defn.description:
        data["description"] = dict(defn.description)
    data["min_known_share"] = num(defn.min_known_share)
    data["domains"] = [_domain_to_dict(domain) for domain in defn.domains]
    return data


def _domain_to_dict(domain: Domain) -> dict[str, Any]:
    data: dict[str, Any] = {"code": domain.code, "title": dict(domain.title)}
    if domain.description:
        data["description"] = dict(domain.description)
    data["competencies"] = [_competency_to_dict(c) for c in domain.competencies]
    return data


def _competency_to_dict(competency: Competency) -> dict[str, Any]:
    data: dict[str, Any] = {"code": competency.code, "title": dict(competency.title)}
    if competency.description:
        data["description"] = dict(competency.description)
    data["weight"] = competency.weight
    data["target"] = competency.target
    if competency.target_overrides:
        data["target_overrides"] = [
            {**_profile_to_dict(o.headcount_in, o.sector_in), "target": o.target}
            for o in competency.target_overrides
        ]
    data["questions"] = [_question_to_dict(q) for q in competency.questions]
    return data


def _question_to_dict(question: Question) -> dict[str, Any]:
    data: dict[str, Any] = {
        "code": question.code,
        "kind": question.kind,
        "text": dict(question.text),
    }
    if question.help:
        data["help"] = dict(question.help)
    data["weight"] = num(question.weight)
    data["scored"] = question.scored
    data["dont_know"] = question.dont_know
    if question.not_concerned:  # written only when offered, so older versions keep their form
        data["not_concerned"] = True
    if question.obligation:
        data["obligation"] = dict(question.obligation)
    if question.kind == "maturity":
        data["levels"] = [dict(level) for level in question.levels]
    elif question.kind in CHOICE_KINDS:
        data["choices"] = [_choice_to_dict(choice) for choice in question.choices]
    elif question.kind == "yesno":
        data["yes_level"] = question.yes_level
        data["no_level"] = question.no_level
    elif question.kind == "number":
        data["min"] = num(question.min) if question.min is not None else None
        data["max"] = num(question.max) if question.max is not None else None
        if question.unit:
            data["unit"] = dict(question.unit)
        if question.bands:
            data["bands"] = [{"from": num(b.start), "level": b.level} for b in question.bands]
    elif question.kind == "text":
        data["max_length"] = question.max_length
    if question.condition is not None:
        data["condition"] = _condition_to_dict(question.condition)
    return data


def _choice_to_dict(choice: Choice) -> dict[str, Any]:
    data: dict[str, Any] = {"code": choice.code, "label": dict(choice.label)}
    if choice.level is not None:
        data["level"] = choice.level
    if choice.exclusive:
        data["exclusive"] = True
    return data


def _profile_to_dict(headcount_in: tuple[str, ...], sector_in: tuple[str, ...]) -> dict:
    data: dict[str, Any] = {}
    if headcount_in:
        data["headcount_in"] = list(headcount_in)
    if sector_in:
        data["sector_in"] = list(sector_in)
    return data


def _condition_to_dict(condition: Condition) -> dict[str, Any]:
    if condition.op == "in":
        return {"question": condition.question, "in": list(condition.values)}
    if condition.op == "at_least":
        at_least = condition.at_least if condition.at_least is not None else 0
        return {"question": condition.question, "at_least": num(at_least)}
    if condition.op == "profile":
        return _profile_to_dict(condition.headcount_in, condition.sector_in)
    return {condition.op: [_condition_to_dict(child) for child in condition.children]}


def definition_from_dict(data: dict[str, Any]) -> QuestionnaireDef:
    """The definition from `definition_to_dict`'s output (trusted: no validation)."""
    return QuestionnaireDef(
        key=data["key"],
        version=data["version"],
        title=dict(data["title"]),
        description=_text_or_none(data.get("description")),
        min_known_share=float(data.get("min_known_share", DEFAULT_MIN_KNOWN_SHARE)),
        domains=tuple(_domain_from_dict(d) for d in data["domains"]),
    )


def _text_or_none(value: Text | None) -> Text | None:
    return dict(value) if value else None


def _domain_from_dict(data: dict[str, Any]) -> Domain:
    return Domain(
        code=data["code"],
        title=dict(data["title"]),
        description=_text_or_none(data.get("description")),
        competencies=tuple(_competency_from_dict(c, data["code"]) for c in data["competencies"]),
    )


def _competency_from_dict(data: dict[str, Any], domain: str) -> Competency:
    return Competency(
        code=data["code"],
        title=dict(data["title"]),
        description=_text_or_none(data.get("description")),
        domain=domain,
        weight=data.get("weight", 1),
        target=data["target"],
        target_overrides=tuple(
            TargetOverride(
                target=o["target"],
                headcount_in=tuple(o.get("headcount_in", ())),
                sector_in=tuple(o.get("sector_in", ())),
            )
            for o in data.get("target_overrides", ())
        ),
        questions=tuple(_question_from_dict(q, domain, data["code"]) for q in data["questions"]),
    )


def _question_from_dict(data: dict[str, Any], domain: str, competency: str) -> Question:
    kind = data["kind"]
    low, high = data.get("min"), data.get("max")
    return Question(
        code=data["code"],
        kind=kind,
        text=dict(data["text"]),
        competency=competency,
        domain=domain,
        help=_text_or_none(data.get("help")),
        weight=float(data.get("weight", 1)),
        scored=data.get("scored", kind != "text"),
        dont_know=data.get("dont_know", True),
        not_concerned=data.get("not_concerned", False),
        obligation=_text_or_none(data.get("obligation")),
        levels=tuple(dict(level) for level in data.get("levels", ())),
        choices=tuple(
            Choice(
                code=c["code"],
                label=dict(c["label"]),
                level=c.get("level"),
                exclusive=c.get("exclusive", False),
            )
            for c in data.get("choices", ())
        ),
        yes_level=data.get("yes_level", MAX_LEVEL),
        no_level=data.get("no_level", 0),
        min=float(low) if low is not None else None,
        max=float(high) if high is not None else None,
        unit=_text_or_none(data.get("unit")),
        bands=tuple(Band(start=float(b["from"]), level=b["level"]) for b in data.get("bands", ())),
        max_length=data.get("max_length", DEFAULT_MAX_LENGTH),
        condition=_condition_from_dict(data["condition"]) if data.get("condition") else None,
    )


def _condition_from_dict(data: dict[str, Any]) -> Condition:
    if "in" in data:
        return Condition(op="in", question=data["question"], values=tuple(data["in"]))
    if "at_least" in data:
        return Condition(op="at_least", question=data["question"], at_least=float(data["at_least"]))
    for op in ("all", "any"):
        if op in data:
            return Condition(op=op, children=tuple(_condition_from_dict(c) for c in data[op]))
    return Condition(
        op="profile",
        headcount_in=tuple(data.get("headcount_in", ())),
        sector_in=tuple(data.get("sector_in", ())),
    )
