"""Questionnaire YAML files: the questionnaire's own rules on top of documents.parsing.

`parse_questionnaire` checks everything and reports every problem with its place in the
file (`domains[2].competencies[0].questions[3].levels: expected 5 descriptors, got 4`).
What is stored and read back (`definition_to_dict`, `definition_from_dict`) lives beside
the dataclasses in `definition.py`; `dump_questionnaire` writes a definition as YAML that
parses to an equal object.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any

from documents.parsing import (
    MISSING,
    Checker,
    DocumentError,
    dump_yaml,
    is_int,
    is_number,
    join_path,
    num,
    read_yaml,
    show,
)

from .definition import (
    CHOICE_KINDS,
    DEFAULT_MAX_LENGTH,
    DEFAULT_MIN_KNOWN_SHARE,
    HEADCOUNT_BANDS,
    KINDS,
    MAX_LEVEL,
    Band,
    Choice,
    Competency,
    Condition,
    Domain,
    Question,
    QuestionnaireDef,
    TargetOverride,
    Text,
    definition_to_dict,
)

# Lengths of the database columns the codes end up in (diagnostics.models).
MAX_DOMAIN_CODE_LENGTH = 40
MAX_COMPETENCY_CODE_LENGTH = 60
MAX_QUESTION_CODE_LENGTH = 80

DOMAIN_CODE_RE = re.compile(r"[A-Z][A-Z0-9_]*")
CODE_SUFFIX = r"\.[A-Z0-9_]+"
CHOICE_CODE_RE = re.compile(r"[a-z0-9_]+")
SECTOR_RE = re.compile(r"[0-9]{2}")

QUESTION_KEYS = (
    "code",
    "kind",
    "text",
    "help",
    "weight",
    "scored",
    "dont_know",
    "not_concerned",
    "obligation",
    "condition",
)
KIND_KEYS: dict[str, tuple[str, ...]] = {
    "maturity": ("levels",),
    "single": ("choices",),
    "multiple": ("choices",),
    "yesno": ("yes_level", "no_level"),
    "number": ("min", "max", "unit", "bands"),
    "text": ("max_length",),
}
PROFILE_KEYS = ("headcount_in", "sector_in")
CONDITION_FORMS = (
    "{question, in}, {question, at_least}, {headcount_in and/or sector_in}, {all}, {any}"
)


class QuestionnaireError(DocumentError):
    """A questionnaire file that cannot be loaded, with every problem found."""


def parse_questionnaire(text: str) -> QuestionnaireDef:
    """The validated definition of a questionnaire file; QuestionnaireError lists all problems."""
    data = read_yaml(text, QuestionnaireError)
    checker = QuestionnaireChecker(_question_codes(data))
    definition = checker.questionnaire(data)
    if checker.errors or definition is None:
        raise QuestionnaireError(checker.errors)
    return definition


def dump_questionnaire(defn: QuestionnaireDef) -> str:
    """The definition as YAML text that `parse_questionnaire` reads back to an equal object."""
    return dump_yaml(definition_to_dict(defn))


def _question_codes(data: Any) -> set[str]:
    """Every question code of the raw data, as far as its shape allows."""

    def items(parent: Any, key: str) -> list[Any]:
        value = parent.get(key) if isinstance(parent, dict) else None
        return value if isinstance(value, list) else []

    return {
        question["code"]
        for domain in items(data, "domains")
        for competency in items(domain, "competencies")
        for question in items(competency, "questions")
        if isinstance(question, dict) and isinstance(question.get("code"), str)
    }


class ProfileChecker(Checker):
    """Checks shared by the documents that speak of levels and company profiles."""

    def level(self, path: str, value: Any, default: int = 0) -> int:
        return self.integer(path, value, 0, MAX_LEVEL, default)

    def headcount_bands(self, path: str, value: Any) -> tuple[str, ...]:
        return self.one_of_each(
            path,
            value,
            allowed=lambda item: isinstance(item, str) and item in HEADCOUNT_BANDS,
            what="headcount band",
            expected=f"one of {', '.join(HEADCOUNT_BANDS)} as a quoted string",
        )

    def sectors(self, path: str, value: Any) -> tuple[str, ...]:
        return self.one_of_each(
            path,
            value,
            allowed=lambda item: isinstance(item, str) and SECTOR_RE.fullmatch(item) is not None,
            what="sector code",
            expected='a 2-digit sector code as a quoted string (like "20")',
        )


class QuestionnaireChecker(ProfileChecker):
    """Builds the questionnaire definition, collecting every error on the way."""

    def __init__(self, question_codes: Collection[str]) -> None:
        super().__init__()
        self.all_question_codes = set(question_codes)
        self.earlier: dict[str, Question] = {}  # questions already read, by code
        self.codes_seen: dict[str, str] = {}  # domain/competency/question code -> its path

    def code(self, path: str, value: Any, pattern: str, shape: str, max_length: int) -> str:
        """A domain/competency/question code: a string of the expected shape, unique."""
        if value is MISSING:
            return ""
        if not isinstance(value, str):
            self.error(path, f"expected a code {shape} as a string, got {show(value)}")
            return ""
        if not re.fullmatch(pattern, value):
            self.error(path, f"expected a code {shape}, got {value!r}")
        elif len(value) > max_length:
            self.error(path, f"at most {max_length} characters, got {len(value)}")
        if value in self.codes_seen:
            self.error(path, f"duplicate code {value!r} (already used at {self.codes_seen[value]})")
        else:
            self.codes_seen[value] = path
        return value

    # -- the questionnaire

    def questionnaire(self, data: Any) -> QuestionnaireDef | None:
        top = self.top_level(
            data,
            required=("key", "version", "title", "domains"),
            optional=("description", "min_known_share"),
        )
        if top is None:
            return None
        key, version = self.key_and_version(top)
        title = self.text("title", top.get("title", MISSING)) or {}
        description = self.text("description", top.get("description", MISSING))
        share = top.get("min_known_share", MISSING)
        if share is MISSING:
            share = DEFAULT_MIN_KNOWN_SHARE
        elif not (is_number(share) and 0 < share <= 1):
            self.error("min_known_share", f"expected a number with 0 < x <= 1, got {show(share)}")
        domains = [
            self.domain(f"domains[{i}]", item)
            for i, item in enumerate(
                self.items("domains", top.get("domains", MISSING), at_least=1, what="domain")
            )
        ]
        return QuestionnaireDef(
            key=key,
            version=version,
            title=title,
            description=description,
            min_known_share=float(share) if is_number(share) else DEFAULT_MIN_KNOWN_SHARE,
            domains=tuple(d for d in domains if d is not None),
        )

    def domain(self, path: str, value: Any) -> Domain | None:
        data = self.mapping(
            path, value, required=("code", "title", "competencies"), optional=("description",)
        )
        if data is None:
            return None
        code = self.code(
            f"{path}.code",
            data.get("code", MISSING),
            DOMAIN_CODE_RE.pattern,
            "[A-Z][A-Z0-9_]*",
            MAX_DOMAIN_CODE_LENGTH,
        )
        title = self.text(f"{path}.title", data.get("title", MISSING)) or {}
        description = self.text(f"{path}.description", data.get("description", MISSING))
        competencies = [
            self.competency(f"{path}.competencies[{i}]", item, code)
            for i, item in enumerate(
                self.items(
                    f"{path}.competencies",
                    data.get("competencies", MISSING),
                    at_least=1,
                    what="competency",
                )
            )
        ]
        return Domain(
            code=code,
            title=title,
            description=description,
            competencies=tuple(c for c in competencies if c is not None),
        )

    def competency(self, path: str, value: Any, domain: str) -> Competency | None:
        data = self.mapping(
            path,
            value,
            required=("code", "title", "target", "questions"),
            optional=("description", "weight", "target_overrides"),
        )
        if data is None:
            return None
        if DOMAIN_CODE_RE.fullmatch(domain):
            pattern, shape = re.escape(domain) + CODE_SUFFIX, f"{domain}.[A-Z0-9_]+"
        else:
            pattern, shape = DOMAIN_CODE_RE.pattern + CODE_SUFFIX, "DOMAIN.[A-Z0-9_]+"
        code = self.code(
            f"{path}.code", data.get("code", MISSING), pattern, shape, MAX_COMPETENCY_CODE_LENGTH
        )
        title = self.text(f"{path}.title", data.get("title", MISSING)) or {}
        description = self.text(f"{path}.description", data.get("description", MISSING))
        weight = self.integer(f"{path}.weight", data.get("weight", MISSING), 1, 3, 1)
        target = self.level(f"{path}.target", data.get("target", MISSING))
        overrides = [
            self.target_override(f"{path}.target_overrides[{i}]", item)
            for i, item in enumerate(
                self.items(
                    f"{path}.target_overrides",
                    data.get("target_overrides", MISSING),
                    at_least=1,
                    what="override",
                )
            )
        ]
        questions = [
            self.question(f"{path}.questions[{i}]", item, domain, code)
            for i, item in enumerate(
                self.items(
                    f"{path}.questions",
                    data.get("questions", MISSING),
                    at_least=1,
                    what="question",
                )
            )
        ]
        return Competency(
            code=code,
            title=title,
            description=description,
            domain=domain,
            weight=weight,
            target=target,
            target_overrides=tuple(o for o in overrides if o is not None),
            questions=tuple(q for q in questions if q is not None),
        )

    def target_override(self, path: str, value: Any) -> TargetOverride | None:
        data = self.mapping(path, value, required=("target",), optional=PROFILE_KEYS)
        if data is None:
            return None
        if not any(key in data for key in PROFILE_KEYS):
            self.error(path, "expected headcount_in and/or sector_in")
        return TargetOverride(
            target=self.level(f"{path}.target", data.get("target", MISSING)),
            headcount_in=self.headcount_bands(
                f"{path}.headcount_in", data.get("headcount_in", MISSING)
            ),
            sector_in=self.sectors(f"{path}.sector_in", data.get("sector_in", MISSING)),
        )

    # -- questions

    def question(self, path: str, value: Any, domain: str, competency: str) -> Question | None:
        if not isinstance(value, dict):
            self.error(path, f"expected a mapping, got {show(value)}")
            return None
        kind_keys = {key for keys in KIND_KEYS.values() for key in keys}
        for key in value:
            if key not in QUESTION_KEYS and key not in kind_keys:
                self.error(path, f"unknown key {key!r}")
        for key in ("code", "kind", "text"):
            if key not in value:
                self.error(join_path(path, key), "required")

        if re.fullmatch(DOMAIN_CODE_RE.pattern + CODE_SUFFIX, competency):
            pattern, shape = re.escape(competency) + CODE_SUFFIX, f"{competency}.[A-Z0-9_]+"
        else:
            pattern, shape = DOMAIN_CODE_RE.pattern + CODE_SUFFIX * 2, "COMPETENCY.[A-Z0-9_]+"
        code = self.code(
            f"{path}.code", value.get("code", MISSING), pattern, shape, MAX_QUESTION_CODE_LENGTH
        )

        kind = value.get("kind", MISSING)
        if kind is not MISSING and kind not in KINDS:
            self.error(f"{path}.kind", f"expected one of {', '.join(KINDS)}, got {show(kind)}")
        if kind in KINDS:
            for key in kind_keys - set(KIND_KEYS[kind]):
                if key in value:
                    owners = " or ".join(k for k, keys in KIND_KEYS.items() if key in keys)
                    self.error(f"{path}.{key}", f"only for {owners} questions, this one is {kind}")

        text = self.text(f"{path}.text", value.get("text", MISSING)) or {}
        help_text = self.text(f"{path}.help", value.get("help", MISSING))
        weight = value.get("weight", MISSING)
        if weight is MISSING:
            weight = 1.0
        elif not (is_number(weight) and weight > 0):
            self.error(f"{path}.weight", f"expected a positive number, got {show(weight)}")
            weight = 1.0
        scored = self.boolean(f"{path}.scored", value.get("scored", MISSING), True)
        if kind == "text":
            if value.get("scored") is True:
                self.error(
                    f"{path}.scored", "text questions are never scored: write false or remove it"
                )
            scored = False
        dont_know = self.boolean(f"{path}.dont_know", value.get("dont_know", MISSING), True)
        not_concerned = self.boolean(
            f"{path}.not_concerned", value.get("not_concerned", MISSING), False
        )
        kind_fields = self.kind_fields(path, value, kind, scored)
        condition = value.get("condition", MISSING)
        question = Question(
            code=code,
            kind=kind if kind in KINDS else "",
            text=text,
            competency=competency,
            domain=domain,
            help=help_text,
            weight=float(weight),
            scored=scored,
            dont_know=dont_know,
            not_concerned=not_concerned,
            obligation=self.obligation(f"{path}.obligation", value, kind),
            condition=(
                None if condition is MISSING else self.condition(f"{path}.condition", condition)
            ),
            **kind_fields,
        )
        if code and code not in self.earlier:
            self.earlier[code] = question
        return question

    def obligation(self, path: str, value: dict, kind: Any) -> Text | None:
        """The legal obligation a question checks: a {fr, en} name, on a scored question
        whose low answer (level below 2) means the obligation is not met."""
        text = self.text(path, value.get("obligation", MISSING))
        if text is not None and kind not in ("yesno", "maturity", "single"):
            self.error(path, "only yes/no, maturity and single-choice questions check one")
        return text or None

    def kind_fields(self, path: str, value: dict, kind: Any, scored: bool) -> dict[str, Any]:
        """The Question fields proper to the kind."""
        if kind == "maturity":
            return {"levels": self.levels(f"{path}.levels", value.get("levels", MISSING))}
        if kind in CHOICE_KINDS:
            return {
                "choices": self.choices(
                    f"{path}.choices", value.get("choices", MISSING), kind, scored
                )
            }
        if kind == "yesno":
            return {
                "yes_level": self.level(
                    f"{path}.yes_level", value.get("yes_level", MISSING), MAX_LEVEL
                ),
                "no_level": self.level(f"{path}.no_level", value.get("no_level", MISSING), 0),
            }
        if kind == "number":
            return self.number_fields(path, value, scored)
        if kind == "text":
            max_length = value.get("max_length", MISSING)
            if max_length is MISSING:
                max_length = DEFAULT_MAX_LENGTH
            elif not (is_int(max_length) and max_length > 0):
                self.error(
                    f"{path}.max_length", f"expected a positive integer, got {show(max_length)}"
                )
                max_length = DEFAULT_MAX_LENGTH
            return {"max_length": max_length}
        return {}

    def levels(self, path: str, value: Any) -> tuple[Text, ...]:
        if value is MISSING:
            self.error(path, "required for a maturity question (5 descriptors, levels 0..4)")
            return ()
        if not isinstance(value, list):
            self.error(path, f"expected a list of 5 descriptors, got {show(value)}")
            return ()
        if len(value) != MAX_LEVEL + 1:
            self.error(path, f"expected {MAX_LEVEL + 1} descriptors, got {len(value)}")
        return tuple(self.text(f"{path}[{i}]", item) or {} for i, item in enumerate(value))

    def choices(self, path: str, value: Any, kind: str, scored: bool) -> tuple[Choice, ...]:
        if value is MISSING:
            self.error(path, f"required for a {kind} question (2 choices or more)")
            return ()
        result = []
        codes: set[str] = set()
        for i, item in enumerate(self.items(path, value, at_least=2, what="choice")):
            item_path = f"{path}[{i}]"
            data = self.mapping(
                item_path,
                item,
                required=("code", "label", "level") if scored else ("code", "label"),
                optional=("exclusive",) if scored else ("level", "exclusive"),
            )
            if data is None:
                continue
            code = data.get("code", MISSING)
            if code is MISSING:
                code = ""
            elif isinstance(code, bool):
                self.error(
                    f"{item_path}.code",
                    f'got {code!r}: write "{"yes" if code else "no"}" in quotes',
                )
            elif not isinstance(code, str) or not CHOICE_CODE_RE.fullmatch(code):
                self.error(
                    f"{item_path}.code",
                    f"expected a code [a-z0-9_]+ as a quoted string, got {show(code)}",
                )
            elif code in codes:
                self.error(f"{item_path}.code", f"duplicate choice code {code!r}")
            else:
                codes.add(code)
            level = data.get("level", MISSING)
            result.append(
                Choice(
                    code=code if isinstance(code, str) else "",
                    label=self.text(f"{item_path}.label", data.get("label", MISSING)) or {},
                    level=None if level is MISSING else self.level(f"{item_path}.level", level),
                    exclusive=self.boolean(
                        f"{item_path}.exclusive", data.get("exclusive", MISSING), False
                    ),
                )
            )
        if kind != "multiple" and any(c.exclusive for c in result):
            self.error(path, "exclusive choices are for multiple-choice questions")
        return tuple(result)

    def number_fields(self, path: str, value: dict, scored: bool) -> dict[str, Any]:
        for key in ("min", "max"):
            if key not in value:
                self.error(f"{path}.{key}", "required")
        low = self.number(f"{path}.min", value.get("min", MISSING))
        high = self.number(f"{path}.max", value.get("max", MISSING))
        if low is not None and high is not None and high <= low:
            self.error(
                f"{path}.max",
                f"must be greater than min ({num(low)}), got {num(high)}",
            )
            high = None
        bands = value.get("bands", MISSING)
        if bands is MISSING and scored:
            self.error(f"{path}.bands", "required for a scored number question")
        return {
            "min": low,
            "max": high,
            "unit": self.text(f"{path}.unit", value.get("unit", MISSING)),
            "bands": self.bands(f"{path}.bands", bands, low, high),
        }

    def bands(self, path: str, value: Any, low: float | None, high: float | None) -> tuple:
        result: list[Band] = []
        previous: float | None = None
        for i, item in enumerate(self.items(path, value, at_least=1, what="band")):
            item_path = f"{path}[{i}]"
            data = self.mapping(item_path, item, required=("from", "level"))
            if data is None:
                continue
            start = self.number(f"{item_path}.from", data.get("from", MISSING))
            level = self.level(f"{item_path}.level", data.get("level", MISSING))
            if start is None:
                continue
            if i == 0 and low is not None and start != low:
                self.error(
                    f"{item_path}.from",
                    f"the first band must start at min ({num(low)}), got {num(start)}",
                )
            elif previous is not None and start <= previous:
                self.error(
                    f"{item_path}.from",
                    f"must be greater than the previous band's from ({num(previous)}), "
                    f"got {num(start)}",
                )
            elif low is not None and high is not None and not low <= start <= high:
                self.error(
                    f"{item_path}.from",
                    f"must be within min..max ({num(low)}..{num(high)}), got {num(start)}",
                )
            previous = start
            result.append(Band(start=start, level=level))
        return tuple(result)

    # -- conditions

    def condition(self, path: str, value: Any) -> Condition | None:
        if not isinstance(value, dict):
            self.error(path, f"expected a mapping, got {show(value)}")
            return None
        keys = set(value)
        if "question" in keys:
            form, allowed = "question", {"question", "in", "at_least"}
        elif keys & {"all", "any"}:
            form, allowed = min(keys & {"all", "any"}), {"all", "any"}
        elif keys & set(PROFILE_KEYS):
            form, allowed = min(keys & set(PROFILE_KEYS)), set(PROFILE_KEYS)
        else:
            self.error(path, f"expected one of the forms {CONDITION_FORMS}")
            return None
        known = {"question", "in", "at_least", "all", "any", *PROFILE_KEYS}
        for key in value:
            if key not in known:
                self.error(path, f"unknown key {key!r}")
            elif key not in allowed:
                self.error(
                    path,
                    f"{key!r} cannot be mixed with {form!r}: use all: [...]",
                )
        if form == "question":
            return self.answer_condition(path, value)
        if form in ("all", "any"):
            if len(keys & {"all", "any"}) > 1:
                self.error(path, "use either 'all' or 'any', not both: nest one in the other")
                return None
            children = [
                self.condition(f"{path}.{form}[{i}]", item)
                for i, item in enumerate(
                    self.items(f"{path}.{form}", value[form], at_least=1, what="condition")
                )
            ]
            return Condition(op=form, children=tuple(c for c in children if c is not None))
        return Condition(
            op="profile",
            headcount_in=self.headcount_bands(
                f"{path}.headcount_in", value.get("headcount_in", MISSING)
            ),
            sector_in=self.sectors(f"{path}.sector_in", value.get("sector_in", MISSING)),
        )

    def answer_condition(self, path: str, value: dict) -> Condition | None:
        code = value["question"]
        target: Question | None = None
        if not isinstance(code, str):
            self.error(f"{path}.question", f"expected a question code, got {show(code)}")
        elif code not in self.all_question_codes:
            self.error(f"{path}.question", f"unknown question {code!r}")
        elif code not in self.earlier:
            self.error(
                f"{path}.question",
                f"{code!r} is not an earlier question: a condition may only use questions "
                "that come before it in the file",
            )
        else:
            target = self.earlier[code]
        has_in, has_at_least = "in" in value, "at_least" in value
        if has_in == has_at_least:
            self.error(path, "expected either 'in' or 'at_least' with 'question'")
            return None
        if has_in:
            values = self.condition_values(f"{path}.in", value["in"], target)
            if target is not None and target.kind and target.kind not in (*CHOICE_KINDS, "yesno"):
                self.error(
                    f"{path}.in",
                    f"needs a single, multiple or yesno question; {code} is a {target.kind} "
                    "question (use at_least)",
                )
            return Condition(op="in", question=code, values=values)
        at_least = self.number(f"{path}.at_least", value["at_least"])
        if target is not None and target.kind and at_least is not None:
            if target.kind == "maturity" and not 0 <= at_least <= MAX_LEVEL:
                self.error(
                    f"{path}.at_least",
                    f"must be within 0..{MAX_LEVEL} for a maturity question, got {num(at_least)}",
                )
            elif target.kind == "number" and target.min is not None and target.max is not None:
                if not target.min <= at_least <= target.max:
                    self.error(
                        f"{path}.at_least",
                        f"must be within {code}'s min..max "
                        f"({num(target.min)}..{num(target.max)}), got {num(at_least)}",
                    )
            elif target.kind not in ("maturity", "number"):
                self.error(
                    f"{path}.at_least",
                    f"needs a maturity or number question; {code} is a {target.kind} "
                    "question (use in)",
                )
        return Condition(op="at_least", question=code, at_least=at_least)

    def condition_values(self, path: str, value: Any, target: Question | None) -> tuple[str, ...]:
        kind = target.kind if target is not None else None
        choice_codes = [c.code for c in target.choices] if target is not None else []
        result = []
        for i, item in enumerate(self.items(path, value, at_least=1, what="value")):
            item_path = f"{path}[{i}]"
            if kind == "yesno":
                if isinstance(item, bool):
                    word = "yes" if item else "no"
                    self.error(
                        item_path, f'expected "yes" or "no", got {item!r}: write "{word}" in quotes'
                    )
                elif item not in ("yes", "no"):
                    self.error(item_path, f'expected "yes" or "no", got {show(item)}')
            elif isinstance(item, bool):
                self.error(
                    item_path,
                    f'got {item!r}: write "{"yes" if item else "no"}" in quotes',
                )
            elif not isinstance(item, str):
                self.error(
                    item_path, f"expected a choice code as a quoted string, got {show(item)}"
                )
            elif kind in CHOICE_KINDS and item not in choice_codes:
                self.error(
                    item_path,
                    f"{item!r} is not a choice of {target.code if target else ''} "
                    f"({', '.join(choice_codes)})",
                )
            if isinstance(item, str):
                result.append(item)
        return tuple(result)
