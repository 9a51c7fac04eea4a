"""Funding rules YAML files: strict validation, and the way to JSON and back (no Django).

A funding rules file says, for each funding route of the catalogue (plan de développement
des compétences, apprenticeship, période de reconversion...), who is eligible (headcount
bands, training hours, certifying training, professional branch by IDCC), how much the OPCO
or the State funds (per hour, share of the cost, flat amount, ceilings) and what stays with
the company (the employer's flat contribution to a level 6+ apprenticeship). Every rule
names its source, and says whether its amounts are uncertain (the interface then asks to
confirm them with the OPCO).

`parse_funding_rules` checks a file and reports every problem with its place
(`rules[2].funding.share: expected a number with 0 < x <= 1, got 1.5`), like the catalogue.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from diagnostics.loader import ProfileChecker
from documents.parsing import (
    MISSING,
    TOP_LEVEL,
    DocumentError,
    Text,
    is_int,
    is_number,
    join_path,
    num,
    read_yaml,
    show,
)

DEFAULT_DIR = Path(__file__).parent / "funding"  # the rules files `load_funding` publishes
ROUTE_KEY_RE = re.compile(r"[a-z][a-z0-9_]*")  # the catalogue's funding route keys
IDCC_RE = re.compile(r"[0-9]{4}")
URL_RE = re.compile(r"https?://\S+")
MAX_AMOUNT = 1_000_000  # euros
MAX_HOURS = 99_999.9
CERTIFICATION_LEVELS = (1, 8)  # the French certification levels (niveau 1 to niveau 8)


# --- The rules as data -----------------------------------------------------------------------


@dataclass(frozen=True)
class FundingRule:
    route: str  # a funding route key of the catalogue
    label: Text
    source: str  # the URL the amounts come from
    uncertain: bool  # amounts to confirm with the OPCO
    valid_from: date | None = None
    valid_until: date | None = None  # the last day the rule applies
    replaced_by: str = ""  # the route that replaces a scheme ended on `valid_until`
    note: Text | None = None
    # eligibility (empty: every band, every branch)
    headcount_in: tuple[str, ...] = ()
    idcc_in: tuple[str, ...] = ()  # a branch rule: overrides the default rule of its route
    min_hours: float | None = None
    max_hours: float | None = None
    certifying_only: bool = False
    # funding: the lowest of the amounts given, then the ceilings, never above the cost
    per_hour: float | None = None  # euros per hour and per person
    share: float | None = None  # share of the cost, 0 < share <= 1
    flat_amount: int | None = None  # euros per person
    per_person_max: int | None = None
    per_action_max: int | None = None  # for the whole line, every person included
    company_year_ceiling: int | None = None  # for the company, all lines of a year
    # what stays with the company, per person (per contract), deducted from the funding
    employer_flat: int = 0
    min_level: int | None = None  # employer_flat only from this certification level

    def in_force(self, on: date) -> bool:
        return (self.valid_from is None or self.valid_from <= on) and (
            self.valid_until is None or on <= self.valid_until
        )

    def covers_band(self, band: str) -> bool:
        return not self.headcount_in or band in self.headcount_in

    @property
    def has_amount(self) -> bool:
        return any(v is not None for v in (self.per_hour, self.share, self.flat_amount))


@dataclass(frozen=True)
class FundingRulesDef:
    key: str
    version: int
    title: Text
    checked_on: date  # the day the facts were last checked against their sources
    rules: tuple[FundingRule, ...]

    def for_route(self, route: str) -> tuple[FundingRule, ...]:
        return tuple(rule for rule in self.rules if rule.route == route)

    def label(self, route: str) -> Text:
        """The label of a route, from its most recent rule; empty if no rule names it."""
        rules = sorted(self.for_route(route), key=lambda r: r.valid_from or date.min)
        return dict(rules[-1].label) if rules else {}


class FundingRulesError(DocumentError):
    """A funding rules file that cannot be loaded, with every problem found."""


# --- Parsing and validation ------------------------------------------------------------------


def parse_funding_rules(text: str) -> FundingRulesDef:
    """The validated funding rules of a YAML text; FundingRulesError lists all problems."""
    data = read_yaml(text, FundingRulesError)
    checker = _FundingChecker()
    rules = checker.funding_rules(data)
    if checker.errors or rules is None:
        raise FundingRulesError(checker.errors)
    return rules


RULE_KEYS = ("route", "label", "source", "uncertain")
RULE_OPTIONAL = (
    "valid_from",
    "valid_until",
    "replaced_by",
    "note",
    "eligibility",
    "funding",
    "employer_flat",
    "min_level",
)
ELIGIBILITY_KEYS = ("headcount_in", "idcc_in", "min_hours", "max_hours", "certifying_only")
FUNDING_KEYS = (
    "per_hour",
    "share",
    "flat_amount",
    "per_person_max",
    "per_action_max",
    "company_year_ceiling",
)


class _FundingChecker(ProfileChecker):
    """Builds the funding rules from the loaded YAML, collecting every error on the way."""

    def funding_rules(self, data: Any) -> FundingRulesDef | None:
        if data is None:
            self.error(TOP_LEVEL, "the file is empty")
            return None
        top = self.mapping("", data, required=("key", "version", "title", "checked_on", "rules"))
        if top is None:
            return None
        key, version = self.key_and_version(top)
        rules = [
            self.rule(f"rules[{i}]", item)
            for i, item in enumerate(
                self.items("rules", top.get("rules", MISSING), at_least=1, what="rule")
            )
        ]
        built = tuple(rule for rule in rules if rule is not None)
        if len(built) == len(rules):
            self.cross_checks(built)
        return FundingRulesDef(
            key=key if isinstance(key, str) else "",
            version=version if is_int(version) else 0,
            title=self.text("title", top.get("title", MISSING)) or {},
            checked_on=self.date("checked_on", top.get("checked_on", MISSING)) or date.min,
            rules=built,
        )

    def rule(self, path: str, value: Any) -> FundingRule | None:
        data = self.mapping(path, value, required=RULE_KEYS, optional=RULE_OPTIONAL)
        if data is None:
            return None

        def field(name: str) -> Any:
            return data.get(name, MISSING)

        route = field("route")
        if route is not MISSING and not (isinstance(route, str) and ROUTE_KEY_RE.fullmatch(route)):
            self.error(
                f"{path}.route", f"expected a route key {ROUTE_KEY_RE.pattern}, got {show(route)}"
            )
        source = field("source")
        if source is not MISSING and not (isinstance(source, str) and URL_RE.fullmatch(source)):
            self.error(f"{path}.source", f"expected a URL (https://...), got {show(source)}")
        valid_from = self.date(f"{path}.valid_from", field("valid_from"))
        valid_until = self.date(f"{path}.valid_until", field("valid_until"))
        if valid_from and valid_until and valid_from > valid_until:
            self.error(
                f"{path}.valid_until",
                f"expected a date on or after valid_from ({valid_from}), got {valid_until}",
            )
        replaced_by = field("replaced_by")
        if replaced_by is MISSING:
            replaced_by = ""
        elif not (isinstance(replaced_by, str) and ROUTE_KEY_RE.fullmatch(replaced_by)):
            self.error(
                f"{path}.replaced_by",
                f"expected a route key {ROUTE_KEY_RE.pattern}, got {show(replaced_by)}",
            )
            replaced_by = ""
        elif valid_until is None:
            self.error(f"{path}.replaced_by", "needs valid_until, the day the scheme ended")
        eligibility = self.section(f"{path}.eligibility", field("eligibility"), ELIGIBILITY_KEYS)
        funding = self.section(f"{path}.funding", field("funding"), FUNDING_KEYS)
        employer_flat = self.amount(f"{path}.employer_flat", field("employer_flat")) or 0
        min_level = field("min_level")
        if min_level is not MISSING:
            low, high = CERTIFICATION_LEVELS
            min_level = self.integer(f"{path}.min_level", min_level, low, high, low)
            if not employer_flat:
                self.error(f"{path}.min_level", "only with employer_flat, which it restricts")
        rule = FundingRule(
            route=route if isinstance(route, str) else "",
            label=self.text(f"{path}.label", field("label")) or {},
            source=source if isinstance(source, str) else "",
            uncertain=self.boolean(f"{path}.uncertain", field("uncertain"), True),
            valid_from=valid_from,
            valid_until=valid_until,
            replaced_by=replaced_by,
            note=self.text(f"{path}.note", field("note")),
            employer_flat=employer_flat,
            min_level=None if min_level is MISSING else min_level,
            **self.eligibility(f"{path}.eligibility", eligibility),
            **self.funding(f"{path}.funding", funding),
        )
        return rule

    def section(self, path: str, value: Any, keys: tuple[str, ...]) -> dict:
        if value is MISSING:
            return {}
        return self.mapping(path, value, optional=keys) or {}

    def eligibility(self, path: str, data: dict) -> dict[str, Any]:
        result: dict[str, Any] = {}
        if "headcount_in" in data:
            result["headcount_in"] = self.headcount_bands(
                join_path(path, "headcount_in"), data["headcount_in"]
            )
        if "idcc_in" in data:
            result["idcc_in"] = self.one_of_each(
                join_path(path, "idcc_in"),
                data["idcc_in"],
                allowed=lambda item: isinstance(item, str) and IDCC_RE.fullmatch(item) is not None,
                what="IDCC",
                expected='a 4-digit IDCC as a quoted string (like "3248")',
            )
        for name in ("min_hours", "max_hours"):
            if name in data:
                result[name] = self.hours(join_path(path, name), data[name])
        low, high = result.get("min_hours"), result.get("max_hours")
        if low is not None and high is not None and low > high:
            self.error(
                join_path(path, "min_hours"),
                f"expected at most max_hours ({num(high)}), got {num(low)}",
            )
        if "certifying_only" in data:
            result["certifying_only"] = self.boolean(
                join_path(path, "certifying_only"), data["certifying_only"], False
            )
        return result

    def funding(self, path: str, data: dict) -> dict[str, Any]:
        result: dict[str, Any] = {}
        if "per_hour" in data:
            per_hour = self.number(join_path(path, "per_hour"), data["per_hour"])
            if per_hour is not None and not 0 < per_hour <= 10_000:
                self.error(
                    join_path(path, "per_hour"),
                    f"expected a number with 0 < x <= 10000, got {show(data['per_hour'])}",
                )
            result["per_hour"] = per_hour
        if "share" in data:
            share = data["share"]
            if not (is_number(share) and 0 < share <= 1):
                self.error(
                    join_path(path, "share"),
                    f"expected a number with 0 < x <= 1, got {show(share)}",
                )
            else:
                result["share"] = float(share)
        for name in ("flat_amount", "per_person_max", "per_action_max", "company_year_ceiling"):
            if name in data:
                result[name] = self.amount(join_path(path, name), data[name])
        return result

    # -- values

    def amount(self, path: str, value: Any) -> int | None:
        """Whole euros, 0..MAX_AMOUNT."""
        if value is MISSING:
            return None
        return self.integer(path, value, 0, MAX_AMOUNT, 0)

    def hours(self, path: str, value: Any) -> float | None:
        if not (is_number(value) and 0 <= value <= MAX_HOURS):
            self.error(path, f"expected a number of hours 0..{num(MAX_HOURS)}, got {show(value)}")
            return None
        return float(value)

    def date(self, path: str, value: Any) -> date | None:
        """A date written 2026-01-01 (YAML reads it as a date) or as a quoted ISO string."""
        if value is MISSING:
            return None
        if isinstance(value, date) and not hasattr(value, "hour"):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        self.error(path, f"expected a date YYYY-MM-DD, got {show(value)}")
        return None

    # -- across rules

    def cross_checks(self, rules: tuple[FundingRule, ...]) -> None:
        routes = {rule.route for rule in rules}
        for i, rule in enumerate(rules):
            if rule.replaced_by and rule.replaced_by not in routes:
                known = ", ".join(sorted(routes))
                self.error(
                    f"rules[{i}].replaced_by",
                    f"no rule for route {rule.replaced_by!r} in this file ({known})",
                )
            for j, earlier in enumerate(rules[:i]):
                if _overlap(earlier, rule):
                    self.error(
                        f"rules[{i}]",
                        f"overlaps rules[{j}]: same route {rule.route!r}, branch, headcount "
                        "band and dates; make their headcount_in, idcc_in or dates disjoint",
                    )


def _overlap(a: FundingRule, b: FundingRule) -> bool:
    """Whether two rules could both apply to the same line."""
    if a.route != b.route:
        return False
    if bool(a.idcc_in) != bool(b.idcc_in) or (a.idcc_in and not set(a.idcc_in) & set(b.idcc_in)):
        return False  # a default rule and a branch rule, or two different branches
    if a.headcount_in and b.headcount_in and not set(a.headcount_in) & set(b.headcount_in):
        return False
    start = max(a.valid_from or date.min, b.valid_from or date.min)
    end = min(a.valid_until or date.max, b.valid_until or date.max)
    return start <= end


# --- To JSON and back --------------------------------------------------------------------------


def funding_rules_to_dict(rules: FundingRulesDef) -> dict[str, Any]:
    """The validated rules in the YAML schema's shape, dates as ISO strings (for JSON)."""
    return {
        "key": rules.key,
        "version": rules.version,
        "title": dict(rules.title),
        "checked_on": rules.checked_on.isoformat(),
        "rules": [_rule_to_dict(rule) for rule in rules.rules],
    }


def _rule_to_dict(rule: FundingRule) -> dict[str, Any]:
    data: dict[str, Any] = {
        "route": rule.route,
        "label": dict(rule.label),
        "source": rule.source,
        "uncertain": rule.uncertain,
    }
    if rule.valid_from:
        data["valid_from"] = rule.valid_from.isoformat()
    if rule.valid_until:
        data["valid_until"] = rule.valid_until.isoformat()
    if rule.replaced_by:
        data["replaced_by"] = rule.replaced_by
    if rule.note:
        data["note"] = dict(rule.note)
    eligibility: dict[str, Any] = {}
    if rule.headcount_in:
        eligibility["headcount_in"] = list(rule.headcount_in)
    if rule.idcc_in:
        eligibility["idcc_in"] = list(rule.idcc_in)
    for name in ("min_hours", "max_hours"):
        if getattr(rule, name) is not None:
            eligibility[name] = num(getattr(rule, name))
    if rule.certifying_only:
        eligibility["certifying_only"] = True
    if eligibility:
        data["eligibility"] = eligibility
    funding = {
        name: num(getattr(rule, name)) for name in FUNDING_KEYS if getattr(rule, name) is not None
    }
    if funding:
        data["funding"] = funding
    if rule.employer_flat:
        data["employer_flat"] = rule.employer_flat
    if rule.min_level is not None:
        data["min_level"] = rule.min_level
    return data


def funding_rules_from_dict(data: dict[str, Any]) -> FundingRulesDef:
    """The rules from `funding_rules_to_dict`'s output (trusted: no validation)."""
    return FundingRulesDef(
        key=data["key"],
        version=data["version"],
        title=dict(data["title"]),
        checked_on=date.fromisoformat(data["checked_on"]),
        rules=tuple(_rule_from_dict(r) for r in data["rules"]),
    )


def _rule_from_dict(data: dict[str, Any]) -> FundingRule:
    eligibility = data.get("eligibility", {})
    funding = data.get("funding", {})

    def as_float(value: Any) -> float | None:
        return None if value is None else float(value)

    return FundingRule(
        route=data["route"],
        label=dict(data["label"]),
        source=data["source"],
        uncertain=data["uncertain"],
        valid_from=date.fromisoformat(data["valid_from"]) if "valid_from" in data else None,
        valid_until=date.fromisoformat(data["valid_until"]) if "valid_until" in data else None,
        replaced_by=data.get("replaced_by", ""),
        note=dict(data["note"]) if "note" in data else None,
        headcount_in=tuple(eligibility.get("headcount_in", ())),
        idcc_in=tuple(eligibility.get("idcc_in", ())),
        min_hours=as_float(eligibility.get("min_hours")),
        max_hours=as_float(eligibility.get("max_hours")),
        certifying_only=eligibility.get("certifying_only", False),
        per_hour=as_float(funding.get("per_hour")),
        share=as_float(funding.get("share")),
        flat_amount=funding.get("flat_amount"),
        per_person_max=funding.get("per_person_max"),
        per_action_max=funding.get("per_action_max"),
        company_year_ceiling=funding.get("company_year_ceiling"),
        employer_flat=data.get("employer_flat", 0),
        min_level=data.get("min_level"),
    )
