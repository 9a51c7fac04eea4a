"""Training catalogue YAML files: strict validation, and the way to JSON and back (no Django).

A catalogue lists funding routes, training actions and the recommendation rules that pick
actions from the gaps of a diagnostic. `parse_catalogue` checks everything and reports every
problem with its place in the file (`actions[3].levels.from: expected at most to (1), got 3`);
nothing is loaded if anything is wrong. The generic shape checks (mappings, lists, {fr, en}
texts, integers, numbers) and the strict YAML loader are those of the questionnaire loader.

`catalogue_to_dict` gives the validated catalogue in the YAML schema's shape (what the
database stores); `catalogue_from_dict` reads it back to an equal object.
"""

from __future__ import annotations

import math
import re
import string
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from diagnostics.definition import HEADCOUNT_BANDS, MAX_LEVEL, Text
from diagnostics.loader import ProfileChecker
from documents.parsing import (
    MISSING,
    DocumentError,
    is_int,
    is_number,
    join_path,
    num,
    read_yaml,
    show,
)

MODALITIES = ("intra", "inter", "elearning", "afest", "alternance", "certification")
PLACEHOLDERS = ("gap", "target", "level", "weight")

KEY_RE = re.compile(r"[a-z0-9-]+")
ROUTE_KEY_RE = re.compile(r"[a-z][a-z0-9_]*")
ACTION_CODE_RE = re.compile(r"[A-Z0-9-]+")
RULE_CODE_RE = re.compile(r"[A-Z0-9-]+")
COMPETENCY_CODE_RE = re.compile(r"[A-Z][A-Z0-9_]*\.[A-Z0-9_]+")

# Limits of the database columns (reports.models.TrainingAction).
MAX_ACTION_CODE_LENGTH = 40
MAX_DURATION_HOURS = 99_999.9  # DecimalField(max_digits=7, decimal_places=1)
MAX_COST = 1_000_000
MAX_COMPETENCIES_PER_ACTION = 3
MAX_ACTIONS_PER_RULE = 5


# --- The catalogue as data -------------------------------------------------------------------


@dataclass(frozen=True)
class FundingRoute:
    key: str
    label: Text
    description: Text


@dataclass(frozen=True)
class Action:
    code: str
    title: Text
    description: Text
    competencies: tuple[str, ...]
    level_from: int  # the range of CURRENT levels the action serves
    level_to: int
    duration_hours: float
    modality: str
    cost_min: int  # euros excluding tax, per person or per session (price_basis)
    cost_max: int
    funding: tuple[str, ...]  # funding route keys, the main route first
    price_basis: str = "person"  # "person" (inter-company, e-learning) or "session" (a group)
    group_size: int = 1  # people one session takes (price_basis "session")
    certifying: bool = False  # leads to a certification (RNCP, RS, CQP/CQPI/CQPM)
    obligation: bool = False  # a training the law requires (safety, habilitations)

    def cost(self, people: int) -> tuple[int, int]:
        """The cost range for `people` trainees: per person, or per session of up to
        `group_size` people (an intra-company session costs the same for 3 or 8)."""
        units = people if self.price_basis == "person" else math.ceil(people / self.group_size)
        return self.cost_min * units, self.cost_max * units

    def is_long(self, policy: PlanPolicy) -> bool:
        return self.certifying or self.duration_hours > policy.long_course_hours


@dataclass(frozen=True)
class Rule:
    code: str
    title: Text
    explanation: Text  # with {gap} {target} {level} {weight} placeholders
    min_gap: float
    min_weight: int | None
    priority: int
    max_actions: int

    def applies(self, gap: float, weight: int) -> bool:
        return gap >= self.min_gap and (self.min_weight is None or weight >= self.min_weight)


@dataclass(frozen=True)
class Envelope:
    """What the first year of a plan may hold for one headcount band."""

    year1_lines: int
    priority1: int  # at most this many priority-1 lines (legal obligations apart)
    year1_budget: int  # euros excluding tax, upper cost bound of the year-one lines


@dataclass(frozen=True)
class PlanPolicy:
    """How plans are built from the gaps: data of the catalogue, with a default."""

    long_course_hours: float  # longer actions (and certifying ones) are "long"
    long_from_level: int  # a long action is a first step only from this current level...
    long_min_gap: float  # ...or for a gap at least this large in a company of one of:
    long_headcount_in: tuple[str, ...]
    envelopes: dict[str, Envelope]

    def envelope(self, headcount_band: str) -> Envelope:
        return self.envelopes.get(headcount_band) or DEFAULT_POLICY.envelopes["10_49"]


# The policy of catalogues that do not state one (version 1). Year-one envelopes grow with
# the headcount: a company of 10 to 49 sees at most 8 lines and 3 priority-1 lines.
DEFAULT_POLICY = PlanPolicy(
    long_course_hours=150,
    long_from_level=2,
    long_min_gap=2,
    long_headcount_in=("50_249", "250_499", "500_plus"),
    envelopes={
        "1_9": Envelope(year1_lines=5, priority1=2, year1_budget=8_000),
        "10_49": Envelope(year1_lines=8, priority1=3, year1_budget=25_000),
        "50_249": Envelope(year1_lines=12, priority1=4, year1_budget=80_000),
        "250_499": Envelope(year1_lines=15, priority1=5, year1_budget=160_000),
        "500_plus": Envelope(year1_lines=20, priority1=5, year1_budget=300_000),
    },
)


@dataclass(frozen=True)
class CatalogueDef:
    key: str
    version: int
    title: Text
    funding_routes: tuple[FundingRoute, ...]
    actions: tuple[Action, ...]
    rules: tuple[Rule, ...]  # evaluated in order, the first match wins
    policy: PlanPolicy | None = None  # as written in the file; see plan_policy

    @property
    def plan_policy(self) -> PlanPolicy:
        return self.policy or DEFAULT_POLICY

    def action(self, code: str) -> Action | None:
        return next((a for a in self.actions if a.code == code), None)

    def funding(self, key: str) -> FundingRoute | None:
        return next((f for f in self.funding_routes if f.key == key), None)

    def covered_competencies(self) -> set[str]:
        """The competency codes at least one action serves."""
        return {code for action in self.actions for code in action.competencies}


class CatalogueError(DocumentError):
    """A catalogue that cannot be loaded, with every problem found."""


# --- Parsing and validation ------------------------------------------------------------------


def parse_catalogue(text: str, *, competency_codes: Collection[str] | None = None) -> CatalogueDef:
    """The validated catalogue of a YAML text; CatalogueError lists all problems.

    With `competency_codes`, every competency an action names must be one of them.
    """
    data = read_yaml(text, CatalogueError)
    checker = _CatalogueChecker(competency_codes)
    catalogue = checker.catalogue(data)
    if checker.errors or catalogue is None:
        raise CatalogueError(checker.errors)
    return catalogue


class _CatalogueChecker(ProfileChecker):
    """Builds the catalogue from the loaded YAML, collecting every error on the way."""

    def __init__(self, competency_codes: Collection[str] | None) -> None:
        super().__init__()
        self.known_competencies = None if competency_codes is None else set(competency_codes)
        self.route_keys: set[str] = set()

    # -- the catalogue

    def catalogue(self, data: Any) -> CatalogueDef | None:
        top = self.top_level(
            data,
            required=("key", "version", "title", "funding_routes", "actions", "rules"),
            optional=("plan_policy",),
        )
        if top is None:
            return None
        key, version = self.key_and_version(top)
        routes = self.funding_routes("funding_routes", top.get("funding_routes", MISSING))
        action_codes: dict[str, str] = {}
        actions = [
            self.action(f"actions[{i}]", item, action_codes)
            for i, item in enumerate(
                self.items("actions", top.get("actions", MISSING), at_least=1, what="action")
            )
        ]
        rule_codes: dict[str, str] = {}
        errors_before_rules = len(self.errors)
        rules = [
            self.rule(f"rules[{i}]", item, rule_codes)
            for i, item in enumerate(
                self.items("rules", top.get("rules", MISSING), at_least=1, what="rule")
            )
        ]
        built_rules = tuple(r for r in rules if r is not None)
        if len(self.errors) == errors_before_rules:  # the rules are sound: check their order
            self.shadowed_rules(built_rules)
        return CatalogueDef(
            key=key if isinstance(key, str) else "",
            version=version if is_int(version) else 0,
            title=self.text("title", top.get("title", MISSING)) or {},
            funding_routes=routes,
            actions=tuple(a for a in actions if a is not None),
            rules=built_rules,
            policy=self.plan_policy("plan_policy", top.get("plan_policy", MISSING)),
        )

    def plan_policy(self, path: str, value: Any) -> PlanPolicy | None:
        if value is MISSING:
            return None
        data = self.mapping(
            path,
            value,
            required=("long_course_hours", "long_from_level", "long_courses_for", "envelopes"),
        )
        if data is None:
            return None
        hours = self.number(f"{path}.long_course_hours", data.get("long_course_hours", MISSING))
        if hours is not None and not 0 < hours <= MAX_DURATION_HOURS:
            self.error(f"{path}.long_course_hours", f"expected a positive number, got {hours}")
        large = self.mapping(
            f"{path}.long_courses_for",
            data.get("long_courses_for", {}),
            required=("min_gap", "headcount_in"),
        )
        large = large or {}
        min_gap = self.number(f"{path}.long_courses_for.min_gap", large.get("min_gap", MISSING))
        envelopes = {}
        raw = data.get("envelopes", MISSING)
        if raw is not MISSING:
            envelopes_map = self.mapping(f"{path}.envelopes", raw, required=HEADCOUNT_BANDS)
            for band in HEADCOUNT_BANDS:
                item = (envelopes_map or {}).get(band, MISSING)
                envelope = self.envelope(f"{path}.envelopes.{band}", item)
                if envelope is not None:
                    envelopes[band] = envelope
        return PlanPolicy(
            long_course_hours=hours or DEFAULT_POLICY.long_course_hours,
            long_from_level=self.level(
                f"{path}.long_from_level", data.get("long_from_level", MISSING)
            ),
            long_min_gap=min_gap if min_gap is not None else DEFAULT_POLICY.long_min_gap,
            long_headcount_in=self.headcount_bands(
                f"{path}.long_courses_for.headcount_in", large.get("headcount_in", MISSING)
            ),
            envelopes=envelopes,
        )

    def envelope(self, path: str, value: Any) -> Envelope | None:
        if value is MISSING:
            return None
        data = self.mapping(path, value, required=("year1_lines", "priority1", "year1_budget"))
        if data is None:
            return None
        return Envelope(
            year1_lines=self.integer(
                f"{path}.year1_lines", data.get("year1_lines", MISSING), 1, 50, 8
            ),
            priority1=self.integer(f"{path}.priority1", data.get("priority1", MISSING), 1, 10, 3),
            year1_budget=self.integer(
                f"{path}.year1_budget", data.get("year1_budget", MISSING), 0, 10 * MAX_COST, 0
            ),
        )

    def funding_routes(self, path: str, value: Any) -> tuple[FundingRoute, ...]:
        if value is MISSING:
            return ()
        if not isinstance(value, dict):
            self.error(path, f"expected a mapping of funding routes, got {show(value)}")
            return ()
        if not value:
            self.error(path, "expected at least 1 funding route, got 0")
        routes = []
        for key, item in value.items():
            item_path = f"{path}.{key}"
            if not isinstance(key, str) or not ROUTE_KEY_RE.fullmatch(key):
                self.error(item_path, f"expected a key {ROUTE_KEY_RE.pattern}, got {show(key)}")
                continue
            self.route_keys.add(key)
            data = self.mapping(item_path, item, required=("label", "description"))
            if data is None:
                continue
            routes.append(
                FundingRoute(
                    key=key,
                    label=self.text(f"{item_path}.label", data.get("label", MISSING)) or {},
                    description=self.text(
                        f"{item_path}.description", data.get("description", MISSING)
                    )
                    or {},
                )
            )
        return tuple(routes)

    # -- actions

    def action(self, path: str, value: Any, seen: dict[str, str]) -> Action | None:
        data = self.mapping(
            path,
            value,
            required=(
                "code",
                "title",
                "description",
                "competencies",
                "levels",
                "duration_hours",
                "modality",
                "funding",
            ),
            optional=("cost_per_person", "cost_per_session", "certifying", "obligation"),
        )
        if data is None:
            return None
        code = self.unique_code(f"{path}.code", data.get("code", MISSING), ACTION_CODE_RE, seen)
        if len(code) > MAX_ACTION_CODE_LENGTH:
            self.error(
                f"{path}.code", f"at most {MAX_ACTION_CODE_LENGTH} characters, got {len(code)}"
            )
        modality = data.get("modality", MISSING)
        if modality is not MISSING and modality not in MODALITIES:
            self.error(
                f"{path}.modality",
                f"expected one of {', '.join(MODALITIES)}, got {show(modality)}",
            )
        level_from, level_to = self.levels(f"{path}.levels", data.get("levels", MISSING))
        basis, group_size, (cost_min, cost_max) = self.price(path, data)
        return Action(
            code=code,
            title=self.text(f"{path}.title", data.get("title", MISSING)) or {},
            description=self.text(f"{path}.description", data.get("description", MISSING)) or {},
            competencies=self.competencies(
                f"{path}.competencies", data.get("competencies", MISSING)
            ),
            level_from=level_from,
            level_to=level_to,
            duration_hours=self.duration(
                f"{path}.duration_hours", data.get("duration_hours", MISSING)
            ),
            modality=modality if isinstance(modality, str) else "",
            cost_min=cost_min,
            cost_max=cost_max,
            funding=self.funding(f"{path}.funding", data.get("funding", MISSING)),
            price_basis=basis,
            group_size=group_size,
            certifying=self.boolean(f"{path}.certifying", data.get("certifying", MISSING), False),
            obligation=self.boolean(f"{path}.obligation", data.get("obligation", MISSING), False),
        )

    def price(self, path: str, data: dict) -> tuple[str, int, tuple[int, int]]:
        """Exactly one of cost_per_person {min, max} and cost_per_session {min, max,
        group_size}: (price basis, people per session, cost range)."""
        per_person = data.get("cost_per_person", MISSING)
        per_session = data.get("cost_per_session", MISSING)
        if (per_person is MISSING) == (per_session is MISSING):
            self.error(path, "expected exactly one of cost_per_person and cost_per_session")
            return "person", 1, (0, 0)
        if per_person is not MISSING:
            return "person", 1, self.costs(f"{path}.cost_per_person", per_person)
        session_path = f"{path}.cost_per_session"
        session = self.mapping(session_path, per_session, required=("min", "max", "group_size"))
        if session is None:
            return "session", 1, (0, 0)
        group_size = self.integer(
            f"{session_path}.group_size", session.get("group_size", MISSING), 1, 30, 1
        )
        costs = self.costs(session_path, {k: v for k, v in session.items() if k != "group_size"})
        return "session", group_size, costs

    def competencies(self, path: str, value: Any) -> tuple[str, ...]:
        items = self.items(path, value, at_least=1, what="competency")
        if len(items) > MAX_COMPETENCIES_PER_ACTION:
            self.error(
                path,
                f"expected at most {MAX_COMPETENCIES_PER_ACTION} competencies, got {len(items)}",
            )
        result: list[str] = []
        for i, item in enumerate(items):
            item_path = f"{path}[{i}]"
            if not isinstance(item, str) or not COMPETENCY_CODE_RE.fullmatch(item):
                self.error(item_path, f"expected a competency code DOMAIN.CODE, got {show(item)}")
            elif item in result:
                self.error(item_path, f"{item!r} is listed twice")
            elif self.known_competencies is not None and item not in self.known_competencies:
                self.error(item_path, f"unknown competency {item!r}")
            else:
                result.append(item)
        return tuple(result)

    def levels(self, path: str, value: Any) -> tuple[int, int]:
        if value is MISSING:
            return 0, 0
        data = self.mapping(path, value, required=("from", "to"))
        if data is None:
            return 0, 0
        low = self.level(f"{path}.from", data.get("from", MISSING))
        high = self.level(f"{path}.to", data.get("to", MISSING), default=MAX_LEVEL)
        if is_int(data.get("from")) and is_int(data.get("to")) and low > high:
            self.error(f"{path}.from", f"expected at most to ({high}), got {low}")
        return low, high

    def duration(self, path: str, value: Any) -> float:
        if value is MISSING:
            return 0.0
        if not (is_number(value) and 0 < value <= MAX_DURATION_HOURS):
            self.error(
                path, f"expected a number with 0 < x <= {MAX_DURATION_HOURS}, got {show(value)}"
            )
            return 0.0
        if round(value, 1) != value:
            self.error(path, f"at most one decimal, got {show(value)}")
        return float(value)

    def costs(self, path: str, value: Any) -> tuple[int, int]:
        if value is MISSING:
            return 0, 0
        data = self.mapping(path, value, required=("min", "max"))
        if data is None:
            return 0, 0
        low = self.integer(f"{path}.min", data.get("min", MISSING), 0, MAX_COST, 0)
        high = self.integer(f"{path}.max", data.get("max", MISSING), 0, MAX_COST, MAX_COST)
        if is_int(data.get("min")) and is_int(data.get("max")) and low > high:
            self.error(f"{path}.min", f"expected at most max ({high}), got {low}")
        return low, high

    def funding(self, path: str, value: Any) -> tuple[str, ...]:
        result: list[str] = []
        for i, item in enumerate(self.items(path, value, at_least=1, what="funding route")):
            item_path = f"{path}[{i}]"
            if not isinstance(item, str) or item not in self.route_keys:
                known = ", ".join(sorted(self.route_keys)) or "none declared"
                self.error(item_path, f"unknown funding route {show(item)} ({known})")
            elif item in result:
                self.error(item_path, f"{item!r} is listed twice")
            else:
                result.append(item)
        return tuple(result)

    # -- rules

    def rule(self, path: str, value: Any, seen: dict[str, str]) -> Rule | None:
        data = self.mapping(
            path,
            value,
            required=("code", "title", "explanation", "when", "priority", "max_actions"),
        )
        if data is None:
            return None
        min_gap, min_weight = self.when(f"{path}.when", data.get("when", MISSING))
        return Rule(
            code=self.unique_code(f"{path}.code", data.get("code", MISSING), RULE_CODE_RE, seen),
            title=self.text(f"{path}.title", data.get("title", MISSING)) or {},
            explanation=self.explanation(f"{path}.explanation", data.get("explanation", MISSING)),
            min_gap=min_gap,
            min_weight=min_weight,
            priority=self.integer(f"{path}.priority", data.get("priority", MISSING), 1, 3, 3),
            max_actions=self.integer(
                f"{path}.max_actions",
                data.get("max_actions", MISSING),
                1,
                MAX_ACTIONS_PER_RULE,
                1,
            ),
        )

    def when(self, path: str, value: Any) -> tuple[float, int | None]:
        if value is MISSING:
            return float(MAX_LEVEL), None
        data = self.mapping(path, value, required=("min_gap",), optional=("min_weight",))
        if data is None:
            return float(MAX_LEVEL), None
        min_gap = data.get("min_gap", MISSING)
        if min_gap is MISSING:
            min_gap = MAX_LEVEL
        elif not (is_number(min_gap) and 0 < min_gap <= MAX_LEVEL):
            self.error(
                f"{path}.min_gap",
                f"expected a number with 0 < x <= {MAX_LEVEL}, got {show(min_gap)}",
            )
            min_gap = MAX_LEVEL
        min_weight = data.get("min_weight", MISSING)
        return float(min_gap), (
            None
            if min_weight is MISSING
            else self.integer(f"{path}.min_weight", min_weight, 1, 3, 1)
        )

    def explanation(self, path: str, value: Any) -> Text:
        """A {fr, en} text whose only placeholders are {gap} {target} {level} {weight}."""
        text = self.text(path, value) or {}
        allowed = ", ".join(f"{{{name}}}" for name in PLACEHOLDERS)
        for language, item in text.items():
            item_path = join_path(path, language)
            try:
                fields = list(string.Formatter().parse(item))
            except ValueError as exc:
                self.error(item_path, f"badly written placeholder ({exc}); write {{{{ for {{")
                continue
            for _, name, spec, conversion in fields:
                if name is None:
                    continue
                if name not in PLACEHOLDERS or spec or conversion:
                    shown = "{" + name + (f"!{conversion}" if conversion else "")
                    shown += (f":{spec}" if spec else "") + "}"
                    self.error(item_path, f"unknown placeholder {shown}; use {allowed}")
        return text

    def shadowed_rules(self, rules: tuple[Rule, ...]) -> None:
        """Report a rule that can never apply because an earlier rule always matches first."""
        for j, later in enumerate(rules):
            for i, earlier in enumerate(rules[:j]):
                weight_covered = earlier.min_weight is None or (
                    later.min_weight is not None and earlier.min_weight <= later.min_weight
                )
                if earlier.min_gap <= later.min_gap and weight_covered:
                    self.error(
                        f"rules[{j}]",
                        f"never applies: rules[{i}] ({earlier.code}) matches every gap it "
                        "matches, and the first match wins",
                    )
                    break


# --- To a dict and back ----------------------------------------------------------------------


def catalogue_to_dict(catalogue: CatalogueDef) -> dict[str, Any]:
    """The catalogue in the YAML schema's shape: JSON-serialisable, parses back equal."""
    return {
        "key": catalogue.key,
        "version": catalogue.version,
        "title": dict(catalogue.title),
        "funding_routes": {
            route.key: {"label": dict(route.label), "description": dict(route.description)}
            for route in catalogue.funding_routes
        },
        "actions": [_action_to_dict(action) for action in catalogue.actions],
        "rules": [_rule_to_dict(rule) for rule in catalogue.rules],
        **({"plan_policy": _policy_to_dict(catalogue.policy)} if catalogue.policy else {}),
    }


def _policy_to_dict(policy: PlanPolicy) -> dict[str, Any]:
    return {
        "long_course_hours": num(policy.long_course_hours),
        "long_from_level": policy.long_from_level,
        "long_courses_for": {
            "min_gap": num(policy.long_min_gap),
            "headcount_in": list(policy.long_headcount_in),
        },
        "envelopes": {
            band: {
                "year1_lines": e.year1_lines,
                "priority1": e.priority1,
                "year1_budget": e.year1_budget,
            }
            for band, e in policy.envelopes.items()
        },
    }


def _policy_from_dict(data: dict[str, Any] | None) -> PlanPolicy | None:
    if data is None:
        return None
    return PlanPolicy(
        long_course_hours=float(data["long_course_hours"]),
        long_from_level=data["long_from_level"],
        long_min_gap=float(data["long_courses_for"]["min_gap"]),
        long_headcount_in=tuple(data["long_courses_for"]["headcount_in"]),
        envelopes={band: Envelope(**e) for band, e in data["envelopes"].items()},
    )


def _action_to_dict(action: Action) -> dict[str, Any]:
    return {
        "code": action.code,
        "title": dict(action.title),
        "description": dict(action.description),
        "competencies": list(action.competencies),
        "levels": {"from": action.level_from, "to": action.level_to},
        "duration_hours": num(action.duration_hours),
        "modality": action.modality,
        **_price_to_dict(action),
        "funding": list(action.funding),
        # Written only when set, so that a version-1 file keeps its stored form.
        **({"certifying": True} if action.certifying else {}),
        **({"obligation": True} if action.obligation else {}),
    }


def _price_to_dict(action: Action) -> dict[str, Any]:
    if action.price_basis == "session":
        return {
            "cost_per_session": {
                "min": action.cost_min,
                "max": action.cost_max,
                "group_size": action.group_size,
            }
        }
    return {"cost_per_person": {"min": action.cost_min, "max": action.cost_max}}


def _rule_to_dict(rule: Rule) -> dict[str, Any]:
    when: dict[str, Any] = {"min_gap": num(rule.min_gap)}
    if rule.min_weight is not None:
        when["min_weight"] = rule.min_weight
    return {
        "code": rule.code,
        "title": dict(rule.title),
        "explanation": dict(rule.explanation),
        "when": when,
        "priority": rule.priority,
        "max_actions": rule.max_actions,
    }


def catalogue_from_dict(data: dict[str, Any]) -> CatalogueDef:
    """The catalogue from `catalogue_to_dict`'s output (trusted: no validation)."""
    return CatalogueDef(
        key=data["key"],
        version=data["version"],
        title=dict(data["title"]),
        funding_routes=tuple(
            FundingRoute(key=key, label=dict(r["label"]), description=dict(r["description"]))
            for key, r in data["funding_routes"].items()
        ),
        actions=tuple(
            Action(
                code=a["code"],
                title=dict(a["title"]),
                description=dict(a["description"]),
                competencies=tuple(a["competencies"]),
                level_from=a["levels"]["from"],
                level_to=a["levels"]["to"],
                duration_hours=float(a["duration_hours"]),
                modality=a["modality"],
                cost_min=(a.get("cost_per_person") or a.get("cost_per_session"))["min"],
                cost_max=(a.get("cost_per_person") or a.get("cost_per_session"))["max"],
                funding=tuple(a["funding"]),
                price_basis="person" if "cost_per_person" in a else "session",
                group_size=a.get("cost_per_session", {}).get("group_size", 1),
                certifying=a.get("certifying", False),
                obligation=a.get("obligation", False),
            )
            for a in data["actions"]
        ),
        rules=tuple(
            Rule(
                code=r["code"],
                title=dict(r["title"]),
                explanation=dict(r["explanation"]),
                min_gap=float(r["when"]["min_gap"]),
                min_weight=r["when"].get("min_weight"),
                priority=r["priority"],
                max_actions=r["max_actions"],
            )
            for r in data["rules"]
        ),
        policy=_policy_from_dict(data.get("plan_policy")),
    )
