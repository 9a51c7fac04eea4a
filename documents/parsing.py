"""Validated, versioned YAML documents: reading, error paths and the shape checker.

Questionnaires, the training catalogue and the funding rules are YAML files that operators
write by hand. Each is read by `read_yaml` (the safe loader, refusing a key written twice)
and checked by a subclass of `Checker`, which reports every problem with its place in the
file (`domains[2].competencies[0].questions[3].levels: expected 5 descriptors, got 4`).
Nothing is coerced, so YAML 1.1 surprises (unquoted `50_249`, `yes`, `1e3`) are errors with
a hint rather than silently wrong data. `dump_yaml` writes a dict back as YAML that reads
back to an equal dict. No Django here: the kinds of document build plain dataclasses.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

import yaml

LANGUAGES = ("fr", "en")
Text = dict[str, str]  # {"fr": "...", "en": "..."}

MAX_KEY_LENGTH = 80  # the `key` column of versioned documents (documents.models)
KEY_RE = re.compile(r"[a-z0-9-]+")
TOP_LEVEL = "(top level)"

MISSING: Any = object()  # a key absent from a mapping (None is a value: `key:` with nothing)


def tr(text: Text | None, language: str) -> str:
    """The text in the language asked for, falling back on French."""
    if not text:
        return ""
    return text.get(language) or text.get("fr") or next(iter(text.values()), "")


def format_number(value: float, language: str, places: int | None = None) -> str:
    """A number as a reader of `language` writes it: 12,5 in French, 12.5 in English.

    With `places`, rounded to that many decimals and trailing zeros dropped (3,0 -> 3);
    without, written as short as it is exact.
    """
    text = f"{value:.{places}f}".rstrip("0").rstrip(".") if places is not None else str(num(value))
    return text.replace(".", ",") if language == "fr" else text


class DocumentError(Exception):
    """A document that cannot be loaded, with every problem found."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))

    def __str__(self) -> str:
        return "\n".join(self.errors)


# --- YAML ------------------------------------------------------------------------------


class StrictLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
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


class Dumper(yaml.SafeDumper):
    """The safe dumper, writing repeated values in full instead of as &anchors, and short
    lists and bands on one line (`sector_in: ['20', '21']`, `- {from: 0, level: 0}`)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_list(dumper: yaml.SafeDumper, data: list) -> yaml.Node:
    flow = bool(data) and all(isinstance(item, str | int | float) for item in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


def _represent_dict(dumper: yaml.SafeDumper, data: dict) -> yaml.Node:
    flow = bool(data) and all(is_number(value) for value in data.values())
    return dumper.represent_mapping("tag:yaml.org,2002:map", data, flow_style=flow)


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
    # Other styles write line separators such as NEL (\x85) as they are, and reading
    # them back turns them into line breaks; double quotes escape them.
    style = None if data.isprintable() else '"'
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


Dumper.add_representer(str, _represent_str)
Dumper.add_representer(list, _represent_list)
Dumper.add_representer(dict, _represent_dict)


def yaml_error(exc: yaml.YAMLError) -> str:
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


def read_yaml(text: str, error: type[DocumentError] = DocumentError) -> Any:
    """The data of a YAML text; `error` with the line and column of a syntax problem."""
    try:
        return yaml.load(text, Loader=StrictLoader)  # noqa: S506 (a SafeLoader subclass)
    except yaml.YAMLError as exc:
        raise error([yaml_error(exc)]) from None


def dump_yaml(data: dict[str, Any]) -> str:
    """YAML text that `read_yaml` reads back to an equal dict.

    The safe dumper quotes every string YAML 1.1 would read as something else
    ('50_249', 'yes', 'no', '20'), so they come back as strings.
    """
    return yaml.dump(
        data,
        Dumper=Dumper,
        allow_unicode=True,
        sort_keys=False,
        width=10_000,  # one line per text, as in the hand-written files
    )


# --- Values as messages show them -------------------------------------------------------------


def show(value: Any) -> str:
    """A value as the error messages show it."""
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    shown = repr(value)
    return shown if len(shown) <= 60 else shown[:57] + "..."


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def looks_like_number(text: str) -> bool:
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


def plural(word: str) -> str:
    return word[:-1] + "ies" if word.endswith("y") else word + "s"


def count(number: int, word: str) -> str:
    return f"{number} {word}" if number == 1 else f"{number} {plural(word)}"


def join_path(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def num(value: float) -> int | float:
    """A number as written in files and messages: 3 rather than 3.0."""
    return int(value) if float(value).is_integer() else value


# --- The checker ----------------------------------------------------------------------------


class Checker:
    """The generic checks of a document; each kind of document subclasses it.

    Each method returns what it could build (possibly incomplete) and records the errors
    with their path; what was built is only used when no error was recorded.
    """

    def __init__(self) -> None:
        self.errors: list[str] = []

    def top_level(
        self, data: Any, *, required: tuple[str, ...], optional: tuple[str, ...] = ()
    ) -> dict | None:
        """The document's top-level mapping, after reporting an empty file, unknown and
        missing keys; None if there is nothing to read further."""
        if data is None:
            self.error(TOP_LEVEL, "the file is empty")
            return None
        return self.mapping("", data, required=required, optional=optional)

    def key_and_version(self, top: dict[str, Any]) -> tuple[Any, Any]:
        """The `key` slug and positive `version` of a versioned file, checked."""
        key = top.get("key", MISSING)
        if key is not MISSING:
            if not isinstance(key, str) or not KEY_RE.fullmatch(key):
                self.error("key", f"expected a slug [a-z0-9-]+, got {show(key)}")
            elif len(key) > MAX_KEY_LENGTH:
                self.error("key", f"at most {MAX_KEY_LENGTH} characters, got {len(key)}")
        version = top.get("version", MISSING)
        if version is not MISSING and not (is_int(version) and version > 0):
            self.error("version", f"expected a positive integer, got {show(version)}")
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
            self.error(path, f"expected a mapping, got {show(value)}")
            return None
        for key in value:
            if key not in required and key not in optional:
                self.error(path, f"unknown key {key!r}")
        for key in required:
            if key not in value:
                self.error(join_path(path, key), "required")
        return value

    def items(self, path: str, value: Any, *, at_least: int, what: str) -> list[Any]:
        if value is MISSING:
            return []
        if not isinstance(value, list):
            self.error(path, f"expected a list of {plural(what)}, got {show(value)}")
            return []
        if len(value) < at_least:
            self.error(path, f"expected at least {count(at_least, what)}, got {len(value)}")
        return value

    def text(self, path: str, value: Any) -> Text | None:
        """A {fr, en} text: both languages present, non-empty strings."""
        if value is MISSING:
            return None
        if not isinstance(value, dict):
            self.error(path, f"expected a mapping {{fr: ..., en: ...}}, got {show(value)}")
            return None
        self.mapping(path, value, required=LANGUAGES)
        result: Text = {}
        for language in LANGUAGES:
            item = value.get(language, MISSING)
            if item is MISSING:
                continue
            if not isinstance(item, str):
                self.error(join_path(path, language), f"expected a text, got {show(item)}")
            elif not item.strip():
                self.error(join_path(path, language), "must not be empty")
            else:
                result[language] = item
        return result

    def integer(self, path: str, value: Any, low: int, high: int, default: int) -> int:
        if value is MISSING:
            return default
        if not is_int(value) or not low <= value <= high:
            self.error(path, f"expected an integer {low}..{high}, got {show(value)}")
            return default
        return value

    def number(self, path: str, value: Any) -> float | None:
        if value is MISSING:
            return None
        if not is_number(value):
            hint = ""
            if isinstance(value, str) and looks_like_number(value):
                hint = " (YAML 1.1 reads it as text: write 1000 or 1.0e+3, not 1e3)"
            self.error(path, f"expected a number, got {show(value)}{hint}")
            return None
        return float(value)

    def boolean(self, path: str, value: Any, default: bool) -> bool:
        if value is MISSING:
            return default
        if not isinstance(value, bool):
            self.error(path, f"expected true or false, got {show(value)}")
            return default
        return value

    def unique_code(
        self, path: str, value: Any, pattern: re.Pattern[str], seen: dict[str, str]
    ) -> str:
        """A code of the pattern's shape, not used before in `seen` (code -> its path)."""
        if value is MISSING:
            return ""
        if not isinstance(value, str) or not pattern.fullmatch(value):
            self.error(path, f"expected a code {pattern.pattern}, got {show(value)}")
            return value if isinstance(value, str) else ""
        if value in seen:
            self.error(path, f"duplicate code {value!r} (already used at {seen[value]})")
        else:
            seen[value] = path
        return value

    def one_of_each(
        self, path: str, value: Any, *, allowed: Callable[[Any], bool], what: str, expected: str
    ) -> tuple[str, ...]:
        """A non-empty list whose every item passes `allowed`, each error at its index."""
        result = []
        for i, item in enumerate(self.items(path, value, at_least=1, what=what)):
            if allowed(item):
                result.append(item)
            else:
                self.error(f"{path}[{i}]", f"expected {expected}, got {show(item)}")
        return tuple(result)
