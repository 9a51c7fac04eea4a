"""Questionnaire YAML files: strict validation, and the way back to YAML and JSON.

`parse_questionnaire` checks everything and reports every problem with its place in the
file (`domains[2].competencies[0].questions[3].levels: expected 5 descriptors, got 4`);
nothing is coerced, so YAML 1.1 surprises (unquoted `50_249`, `yes`, `20`) are errors
with a hint instead of silently wrong data.

`definition_to_dict` gives the validated definition in the YAML schema's shape, with
every applicable field written out (defaults included), so that what is stored in the
database keeps its meaning even if a default changes later. `definition_from_dict`
reads it back; `dump_questionnaire` writes it as YAML that parses to an equal object.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection
from typing import Any

import yaml

from .definition import (
    HEADCOUNT_BANDS,
    KINDS,
    LANGUAGES,
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
)

# Lengths of the database columns the codes end up in (diagnostics.models).
MAX_KEY_LENGTH = 80
MAX_DOMAIN_CODE_LENGTH = 40
MAX_COMPETENCY_CODE_LENGTH = 60
MAX_QUESTION_CODE_LENGTH = 80

DEFAULT_MIN_KNOWN_SHARE = 0.6
DEFAULT_MAX_LENGTH = 2000

KEY_RE = re.compile(r"[a-z0-9-]+")
DOMAIN_CODE_RE = re.compile(r"[A-Z][A-Z0-9_]*")
CODE_SUFFIX = r"\.[A-Z0-9_]+"
CHOICE_CODE_RE = re.compile(r"[a-z0-9_]+")
SECTOR_RE = re.compile(r"[0-9]{2}")

TOP_LEVEL = "(top level)"
QUESTION_KEYS = ("code", "kind", "text", "help", "weight", "scored", "dont_know", "condition")
KIND_KEYS: dict[str, tuple[str, ...]] = {
    "maturity": ("levels",),
    "single": ("choices",),
    "multiple": ("choices",),
    "yesno": ("yes_level", "no_level"),
    "number": ("min", "max", "unit", "bands"),
    "text": ("max_length",),
}
CHOICE_KINDS = ("single", "multiple")
PROFILE_KEYS = ("headcount_in", "sector_in")
CONDITION_FORMS = (
    "{question, in}, {question, at_least}, {headcount_in and/or sector_in}, {all}, {any}"
)

_MISSING: Any = object()


class QuestionnaireError(Exception):
    """A questionnaire file that cannot be loaded, with every problem found."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))

    def __str__(self) -> str:
        return "\n".join(self.errors)


# --- YAML ------------------------------------------------------------------------------


class _StrictLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The safe loader, refusing a key written twice in one mapping (YAML keeps the last)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: dict[Any, yaml.Node] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=True)
            try:
                first = seen.get(key)
            except TypeError:
                continue  # an unhashable key: the base class reports it
            if first is not None:
                raise yaml.constructor.ConstructorError(
                    "while constructing a mapping",
                    node.start_mark,
                    f"found duplicate key {key!r} (first at line {first.start_mark.line + 1})",
                    key_node.start_mark,
                )
            seen[key] = key_node
        return super().construct_mapping(node, deep=deep)


class _Dumper(yaml.SafeDumper):
    """The safe dumper, writing repeated values in full instead of as &anchors, and short
    lists and bands on one line (`sector_in: ['20', '21']`, `- {from: 0, level: 0}`)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_list(dumper: yaml.SafeDumper, data: list) -> yaml.Node:
    flow = bool(data) and all(isinstance(item, str | int | float) for item in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


def _represent_dict(dumper: yaml.SafeDumper, data: dict) -> yaml.Node:
    flow = bool(data) and all(_is_number(value) for value in data.values())
    return dumper.represent_mapping("tag:yaml.org,2002:map", data, flow_style=flow)


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
    # Other styles write line separators such as NEL (\x85) as they are, and reading
    # them back turns them into line breaks; double quotes escape them.
    style = None if data.isprintable() else '"'
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(list, _represent_list)
_Dumper.add_representer(dict, _represent_dict)


def _yaml_error(exc: yaml.YAMLError) -> str:
    if isinstance(exc, yaml.MarkedYAMLError) and exc.problem_mark is not None:
        mark = exc.problem_mark
        message = f"YAML error at line {mark.line + 1}, column {mark.column + 1}: {exc.problem}"
        if exc.context:
            message += f" ({exc.context}"
            if exc.context_mark is not None:
                message += f" at line {exc.context_mark.line + 1}"
            message += ")"
        return message
    return f"YAML error: {exc}"


# --- Parsing and validation ----------------------------------------------------------------


def parse_questionnaire(text: str) -> QuestionnaireDef:
    """The validated definition of a questionnaire file; QuestionnaireError lists all problems."""
    try:
        data = yaml.load(text, Loader=_StrictLoader)  # noqa: S506 (a SafeLoader subclass)
    except yaml.YAMLError as exc:
        raise QuestionnaireError([_yaml_error(exc)]) from None
    checker = _Checker(_question_codes(data))
    definition = checker.questionnaire(data)
    if checker.errors or definition is None:
        raise QuestionnaireError(checker.errors)
    return definition


def _show(value: Any) -> str:
    """A value as the error messages show it."""
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    shown = repr(value)
    return shown if len(shown) <= 60 else shown[:57] + "..."


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _looks_like_number(text: str) -> bool:
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


def _plural(word: str) -> str:
    return word[:-1] + "ies" if word.endswith("y") else word + "s"


def _count(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {_plural(word)}"


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


class _Checker:
    """Builds the definition from the loaded YAML, collecting every error on the way.

    Each method returns what it could build (possibly incomplete) and records the errors;
    the result is only used when no error was recorded.
    """

    def __init__(self, question_codes: Collection[str]) -> None:
        self.errors: list[str] = []
        self.all_question_codes = set(question_codes)
        self.earlier: dict[str, Question] = {}  # questions already read, by code
        self.codes_seen: dict[str, str] = {}  # domain/competency/question code -> its path

    def key_and_version(self, top: dict[str, Any]) -> tuple[Any, Any]:
        """The `key` slug and positive `version` of a versioned file, checked."""
        key = top.get("key", _MISSING)
        if key is not _MISSING:
            if not isinstance(key, str) or not KEY_RE.fullmatch(key):
                self.error("key", f"expected a slug [a-z0-9-]+, got {_show(key)}")
            elif len(key) > MAX_KEY_LENGTH:
                self.error("key", f"at most {MAX_KEY_LENGTH} characters, got {len(key)}")
        version = top.get("version", _MISSING)
        if version is not _MISSING and not (_is_int(version) and version > 0):
            self.error("version", f"expected a positive integer, got {_show(version)}")
        return key, version

    def error(self, path: str, message: str) -> None:
        self.errors.append(f"{path or TOP_LEVEL}: {message}")

    # -- generic shapes

    def mapping(
        self,
        path: str,
        value: Any,
        *,
        required: tuple[str, ...] = (),
        optional: tuple[str, ...] = (),
    ) -> dict | None:
        """The mapping, after reporting unknown and missing keys; None if not a mapping."""
        if not isinstance(value, dict):
            self.error(path, f"expected a mapping, got {_show(value)}")
            return None
        for key in value:
            if key not in required and key not in optional:
                self.error(path, f"unknown key {key!r}")
        for key in required:
            if key not in value:
                self.error(_join(path, key), "required")
        return value

    def items(self, path: str, value: Any, *, at_least: int, what: str) -> list[Any]:
        if value is _MISSING:
            return []
        if not isinstance(value, list):
            self.error(path, f"expected a list of {_plural(what)}, got {_show(value)}")
            return []
        if len(value) < at_least:
            self.error(path, f"expected at least {_count(at_least, what)}, got {len(value)}")
        return value

    def text(self, path: str, value: Any) -> Text | None:
        """A {fr, en} text: both languages present, non-empty strings."""
        if value is _MISSING:
            return None
        if not isinstance(value, dict):
            self.error(path, f"expected a mapping {{fr: ..., en: ...}}, got {_show(value)}")
            return None
        self.mapping(path, value, required=LANGUAGES)
        result: Text = {}
        for language in LANGUAGES:
            item = value.get(language, _MISSING)
            if item is _MISSING:
                continue
            if not isinstance(item, str):
                self.error(_join(path, language), f"expected a text, got {_show(item)}")
            elif not item.strip():
                self.error(_join(path, language), "must not be empty")
            else:
                result[language] = item
        return result

    def integer(self, path: str, value: Any, low: int, high: int, default: int) -> int:
        if value is _MISSING:
            return default
        if not _is_int(value) or not low <= value <= high:
            self.error(path, f"expected an integer {low}..{high}, got {_show(value)}")
            return default
        return value

    def level(self, path: str, value: Any, default: int = 0) -> int:
        return self.integer(path, value, 0, MAX_LEVEL, default)

    def number(self, path: str, value: Any) -> float | None:
        if value is _MISSING:
            return None
        if not _is_number(value):
            hint = ""
            if isinstance(value, str) and _looks_like_number(value):
                hint = " (YAML 1.1 reads it as text: write 1000 or 1.0e+3, not 1e3)"
            self.error(path, f"expected a number, got {_show(value)}{hint}")
            return None
        return float(value)

    def boolean(self, path: str, value: Any, default: bool) -> bool:
        if value is _MISSING:
            return default
        if not isinstance(value, bool):
            self.error(path, f"expected true or false, got {_show(value)}")
            return default
        return value

    def code(self, path: str, value: Any, pattern: str, shape: str, max_length: int) -> str:
        """A domain/competency/question code: a string of the expected shape, unique."""
        if value is _MISSING:
            return ""
        if not isinstance(value, str):
            self.error(path, f"expected a code {shape} as a string, got {_show(value)}")
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

    def headcount_bands(self, path: str, value: Any) -> tuple[str, ...]:
        result = []
        for i, item in enumerate(self.items(path, value, at_least=1, what="headcount band")):
            if isinstance(item, str) and item in HEADCOUNT_BANDS:
                result.append(item)
            else:
                self.error(
                    f"{path}[{i}]",
                    f"expected one of {', '.join(HEADCOUNT_BANDS)} as a quoted string, "
                    f"got {_show(item)}",
                )
        return tuple(result)

    def sectors(self, path: str, value: Any) -> tuple[str, ...]:
        result = []
        for i, item in enumerate(self.items(path, value, at_least=1, what="sector code")):
            if isinstance(item, str) and SECTOR_RE.fullmatch(item):
                result.append(item)
            else:
                self.error(
                    f"{path}[{i}]",
                    f'expected a 2-digit sector code as a quoted string (like "20"), '
                    f"got {_show(item)}",
                )
        return tuple(result)

    # -- the questionnaire

    def questionnaire(self, data: Any) -> QuestionnaireDef | None:
        if data is None:
            self.error(TOP_LEVEL, "the file is empty")
            return None
        top = self.mapping(
            "",
            data,
            required=("key", "version", "title", "domains"),
            optional=("description", "min_known_share"),
        )
        if top is None:
            return None
        key, version = self.key_and_version(top)
        title = self.text("title", top.get("title", _MISSING)) or {}
        description = self.text("description", top.get("description", _MISSING))
        share = top.get("min_known_share", _MISSING)
        if share is _MISSING:
            share = DEFAULT_MIN_KNOWN_SHARE
        elif not (_is_number(share) and 0 < share <= 1):
            self.error("min_known_share", f"expected a number with 0 < x <= 1, got {_show(share)}")
        domains = [
            self.domain(f"domains[{i}]", item)
            for i, item in enumerate(
                self.items("domains", top.get("domains", _MISSING), at_least=1, what="domain")
            )
        ]
        return QuestionnaireDef(
            key=key,
            version=version,
            title=title,
            description=description,
            min_known_share=float(share) if _is_number(share) else DEFAULT_MIN_KNOWN_SHARE,
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
            data.get("code", _MISSING),
            DOMAIN_CODE_RE.pattern,
            "[A-Z][A-Z0-9_]*",
            MAX_DOMAIN_CODE_LENGTH,
        )
        title = self.text(f"{path}.title", data.get("title", _MISSING)) or {}
        description = self.text(f"{path}.description", data.get("description", _MISSING))
        competencies = [
            self.competency(f"{path}.competencies[{i}]", item, code)
            for i, item in enumerate(
                self.items(
                    f"{path}.competencies",
                    data.get("competencies", _MISSING),
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
            f"{path}.code", data.get("code", _MISSING), pattern, shape, MAX_COMPETENCY_CODE_LENGTH
        )
        title = self.text(f"{path}.title", data.get("title", _MISSING)) or {}
        description = self.text(f"{path}.description", data.get("description", _MISSING))
        weight = self.integer(f"{path}.weight", data.get("weight", _MISSING), 1, 3, 1)
        target = self.level(f"{path}.target", data.get("target", _MISSING))
        overrides = [
            self.target_override(f"{path}.target_overrides[{i}]", item)
            for i, item in enumerate(
                self.items(
                    f"{path}.target_overrides",
                    data.get("target_overrides", _MISSING),
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
                    data.get("questions", _MISSING),
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
            target=self.level(f"{path}.target", data.get("target", _MISSING)),
            headcount_in=self.headcount_bands(
                f"{path}.headcount_in", data.get("headcount_in", _MISSING)
            ),
            sector_in=self.sectors(f"{path}.sector_in", data.get("sector_in", _MISSING)),
        )

    # -- questions

    def question(self, path: str, value: Any, domain: str, competency: str) -> Question | None:
        if not isinstance(value, dict):
            self.error(path, f"expected a mapping, got {_show(value)}")
            return None
        kind_keys = {key for keys in KIND_KEYS.values() for key in keys}
        for key in value:
            if key not in QUESTION_KEYS and key not in kind_keys:
                self.error(path, f"unknown key {key!r}")
        for key in ("code", "kind", "text"):
            if key not in value:
                self.error(_join(path, key), "required")

        if re.fullmatch(DOMAIN_CODE_RE.pattern + CODE_SUFFIX, competency):
            pattern, shape = re.escape(competency) + CODE_SUFFIX, f"{competency}.[A-Z0-9_]+"
        else:
            pattern, shape = DOMAIN_CODE_RE.pattern + CODE_SUFFIX * 2, "COMPETENCY.[A-Z0-9_]+"
        code = self.code(
            f"{path}.code", value.get("code", _MISSING), pattern, shape, MAX_QUESTION_CODE_LENGTH
        )

        kind = value.get("kind", _MISSING)
        if kind is not _MISSING and kind not in KINDS:
            self.error(f"{path}.kind", f"expected one of {', '.join(KINDS)}, got {_show(kind)}")
        if kind in KINDS:
            for key in kind_keys - set(KIND_KEYS[kind]):
                if key in value:
                    owners = " or ".join(k for k, keys in KIND_KEYS.items() if key in keys)
                    self.error(f"{path}.{key}", f"only for {owners} questions, this one is {kind}")

        text = self.text(f"{path}.text", value.get("text", _MISSING)) or {}
        help_text = self.text(f"{path}.help", value.get("help", _MISSING))
        weight = value.get("weight", _MISSING)
        if weight is _MISSING:
            weight = 1.0
        elif not (_is_number(weight) and weight > 0):
            self.error(f"{path}.weight", f"expected a positive number, got {_show(weight)}")
            weight = 1.0
        scored = self.boolean(f"{path}.scored", value.get("scored", _MISSING), True)
        if kind == "text":
            if value.get("scored") is True:
                self.error(
                    f"{path}.scored", "text questions are never scored: write false or remove it"
                )
            scored = False
        dont_know = self.boolean(f"{path}.dont_know", value.get("dont_know", _MISSING), True)
        kind_fields = self.kind_fields(path, value, kind, scored)
        condition = value.get("condition", _MISSING)
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
            condition=(
                None if condition is _MISSING else self.condition(f"{path}.condition", condition)
            ),
            **kind_fields,
        )
        if code and code not in self.earlier:
            self.earlier[code] = question
        return question

    def kind_fields(self, path: str, value: dict, kind: Any, scored: bool) -> dict[str, Any]:
        """The Question fields proper to the kind."""
        if kind == "maturity":
            return {"levels": self.levels(f"{path}.levels", value.get("levels", _MISSING))}
        if kind in CHOICE_KINDS:
            return {
                "choices": self.choices(
                    f"{path}.choices", value.get("choices", _MISSING), kind, scored
                )
            }
        if kind == "yesno":
            return {
                "yes_level": self.level(
                    f"{path}.yes_level", value.get("yes_level", _MISSING), MAX_LEVEL
                ),
                "no_level": self.level(f"{path}.no_level", value.get("no_level", _MISSING), 0),
            }
        if kind == "number":
            return self.number_fields(path, value, scored)
        if kind == "text":
            max_length = value.get("max_length", _MISSING)
            if max_length is _MISSING:
                max_length = DEFAULT_MAX_LENGTH
            elif not (_is_int(max_length) and max_length > 0):
                self.error(
                    f"{path}.max_length", f"expected a positive integer, got {_show(max_length)}"
                )
                max_length = DEFAULT_MAX_LENGTH
            return {"max_length": max_length}
        return {}

    def levels(self, path: str, value: Any) -> tuple[Text, ...]:
        if value is _MISSING:
            self.error(path, "required for a maturity question (5 descriptors, levels 0..4)")
            return ()
        if not isinstance(value, list):
            self.error(path, f"expected a list of 5 descriptors, got {_show(value)}")
            return ()
        if len(value) != MAX_LEVEL + 1:
            self.error(path, f"expected {MAX_LEVEL + 1} descriptors, got {len(value)}")
        return tuple(self.text(f"{path}[{i}]", item) or {} for i, item in enumerate(value))

    def choices(self, path: str, value: Any, kind: str, scored: bool) -> tuple[Choice, ...]:
        if value is _MISSING:
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
                optional=() if scored else ("level",),
            )
            if data is None:
                continue
            code = data.get("code", _MISSING)
            if code is _MISSING:
                code = ""
            elif isinstance(code, bool):
                self.error(
                    f"{item_path}.code",
                    f'got {code!r}: write "{"yes" if code else "no"}" in quotes',
                )
            elif not isinstance(code, str) or not CHOICE_CODE_RE.fullmatch(code):
                self.error(
                    f"{item_path}.code",
                    f"expected a code [a-z0-9_]+ as a quoted string, got {_show(code)}",
                )
            elif code in codes:
                self.error(f"{item_path}.code", f"duplicate choice code {code!r}")
            else:
                codes.add(code)
            level = data.get("level", _MISSING)
            result.append(
                Choice(
                    code=code if isinstance(code, str) else "",
                    label=self.text(f"{item_path}.label", data.get("label", _MISSING)) or {},
                    level=None if level is _MISSING else self.level(f"{item_path}.level", level),
                )
            )
        return tuple(result)

    def number_fields(self, path: str, value: dict, scored: bool) -> dict[str, Any]:
        for key in ("min", "max"):
            if key not in value:
                self.error(f"{path}.{key}", "required")
        low = self.number(f"{path}.min", value.get("min", _MISSING))
        high = self.number(f"{path}.max", value.get("max", _MISSING))
        if low is not None and high is not None and high <= low:
            self.error(f"{path}.max", f"must be greater than min ({_num(low)}), got {_num(high)}")
            high = None
        bands = value.get("bands", _MISSING)
        if bands is _MISSING and scored:
            self.error(f"{path}.bands", "required for a scored number question")
        return {
            "min": low,
            "max": high,
            "unit": self.text(f"{path}.unit", value.get("unit", _MISSING)),
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
            start = self.number(f"{item_path}.from", data.get("from", _MISSING))
            level = self.level(f"{item_path}.level", data.get("level", _MISSING))
            if start is None:
                continue
            if i == 0 and low is not None and start != low:
                self.error(
                    f"{item_path}.from",
                    f"the first band must start at min ({_num(low)}), got {_num(start)}",
                )
            elif previous is not None and start <= previous:
                self.error(
                    f"{item_path}.from",
                    f"must be greater than the previous band's from ({_num(previous)}), "
                    f"got {_num(start)}",
                )
            elif low is not None and high is not None and not low <= start <= high:
                self.error(
                    f"{item_path}.from",
                    f"must be within min..max ({_num(low)}..{_num(high)}), got {_num(start)}",
                )
            previous = start
            result.append(Band(start=start, level=level))
        return tuple(result)

    # -- conditions

    def condition(self, path: str, value: Any) -> Condition | None:
        if not isinstance(value, dict):
            self.error(path, f"expected a mapping, got {_show(value)}")
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
                f"{path}.headcount_in", value.get("headcount_in", _MISSING)
            ),
            sector_in=self.sectors(f"{path}.sector_in", value.get("sector_in", _MISSING)),
        )

    def answer_condition(self, path: str, value: dict) -> Condition | None:
        code = value["question"]
        target: Question | None = None
        if not isinstance(code, str):
            self.error(f"{path}.question", f"expected a question code, got {_show(code)}")
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
                    f"must be within 0..{MAX_LEVEL} for a maturity question, got {_num(at_least)}",
                )
            elif target.kind == "number" and target.min is not None and target.max is not None:
                if not target.min <= at_least <= target.max:
                    self.error(
                        f"{path}.at_least",
                        f"must be within {code}'s min..max "
                        f"({_num(target.min)}..{_num(target.max)}), got {_num(at_least)}",
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
                    self.error(item_path, f'expected "yes" or "no", got {_show(item)}')
            elif isinstance(item, bool):
                self.error(
                    item_path,
                    f'got {item!r}: write "{"yes" if item else "no"}" in quotes',
                )
            elif not isinstance(item, str):
                self.error(
                    item_path, f"expected a choice code as a quoted string, got {_show(item)}"
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


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _num(value: float) -> int | float:
    """A number as written in files and messages: 3 rather than 3.0."""
    return int(value) if float(value).is_integer() else value


# --- Back to a dict, to the definition, to YAML ----------------------------------------------


def definition_to_dict(defn: QuestionnaireDef) -> dict[str, Any]:
    """The definition in the YAML schema's shape: JSON-serialisable, defaults written out."""
    data: dict[str, Any] = {"key": defn.key, "version": defn.version, "title": dict(defn.title)}
    if defn.description:
        data["description"] = dict(defn.description)
    data["min_known_share"] = _num(defn.min_known_share)
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
    data["weight"] = _num(question.weight)
    data["scored"] = question.scored
    data["dont_know"] = question.dont_know
    if question.kind == "maturity":
        data["levels"] = [dict(level) for level in question.levels]
    elif question.kind in CHOICE_KINDS:
        data["choices"] = [_choice_to_dict(choice) for choice in question.choices]
    elif question.kind == "yesno":
        data["yes_level"] = question.yes_level
        data["no_level"] = question.no_level
    elif question.kind == "number":
        data["min"] = _num(question.min) if question.min is not None else None
        data["max"] = _num(question.max) if question.max is not None else None
        if question.unit:
            data["unit"] = dict(question.unit)
        if question.bands:
            data["bands"] = [{"from": _num(b.start), "level": b.level} for b in question.bands]
    elif question.kind == "text":
        data["max_length"] = question.max_length
    if question.condition is not None:
        data["condition"] = _condition_to_dict(question.condition)
    return data


def _choice_to_dict(choice: Choice) -> dict[str, Any]:
    data: dict[str, Any] = {"code": choice.code, "label": dict(choice.label)}
    if choice.level is not None:
        data["level"] = choice.level
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
        return {"question": condition.question, "at_least": _num(at_least)}
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
        levels=tuple(dict(level) for level in data.get("levels", ())),
        choices=tuple(
            Choice(code=c["code"], label=dict(c["label"]), level=c.get("level"))
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


def dump_questionnaire(defn: QuestionnaireDef) -> str:
    """The definition as YAML text that `parse_questionnaire` reads back to an equal object.

    The safe dumper quotes every string YAML 1.1 would read as something else
    ('50_249', 'yes', 'no', '20'), so they come back as strings.
    """
    return yaml.dump(
        definition_to_dict(defn),
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        width=10_000,  # one line per text, as in the hand-written files
    )
