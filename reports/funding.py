"""Funding rules YAML files and the funding estimator (no Django).

A funding rules file says, for each funding route of the catalogue (plan de développement
des compétences, apprenticeship, période de reconversion...), who is eligible (headcount
bands, training hours, certifying training, professional branch by IDCC), how much the OPCO
or the State funds (per hour, share of the cost, flat amount, ceilings) and what stays with
the company (the employer's flat contribution to a level 6+ apprenticeship). Every rule
names its source, and says whether its amounts are uncertain (the interface then asks to
confirm them with the OPCO).

`parse_funding_rules` checks a file and reports every problem with its place
(`rules[2].funding.share: expected a number with 0 < x <= 1, got 1.5`), like the catalogue.
`estimate` applies the rules to one line of a plan; `estimate_line` tries every route of a
line and keeps the best; `apply_year_ceiling` applies the company's yearly ceilings to the
lines of one year.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from diagnostics.definition import HEADCOUNT_BANDS
from diagnostics.loader import ProfileChecker
from documents.parsing import (
    MISSING,
    DocumentError,
    Text,
    format_number,
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

HEADCOUNT_LABELS: dict[str, Text] = {
    "1_9": {"fr": "1 à 9 salariés", "en": "1 to 9 employees"},
    "10_49": {"fr": "10 à 49 salariés", "en": "10 to 49 employees"},
    "50_249": {"fr": "50 à 249 salariés", "en": "50 to 249 employees"},
    "250_499": {"fr": "250 à 499 salariés", "en": "250 to 499 employees"},
    "500_plus": {"fr": "500 salariés ou plus", "en": "500 employees or more"},
}


# --- The rules as data -----------------------------------------------------------------------


@dataclass(frozen=True)
class Otherwise:
    """What a company whose line a rule refuses may do instead (another source of funds),
    shown with the refusal's reason, with its own source."""

    text: Text
    source: str  # the URL the text comes from
    uncertain: bool  # shown with "à confirmer auprès de votre OPCO"


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
    otherwise: Otherwise | None = None  # shown when the rule refuses a line
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

    def out_of_date(self, on: date) -> bool:
        """Whether the facts were checked in a year before that of `on`. Rates, ceilings
        and amounts are set by year (OPCO scales, the SMIC, the State's amounts): the
        figures checked for last year may no longer hold, so every amount estimated under
        these rules on `on` is to be confirmed."""
        return on.year > self.checked_on.year

    def label(self, route: str) -> Text:
        """The label of a route, from its most recent rule; empty if no rule names it."""
        rules = sorted(  # the default rule (no idcc_in) in force last, if there is one
            self.for_route(route), key=lambda r: (not r.idcc_in, r.valid_from or date.min)
        )
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
    "otherwise",
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
        top = self.top_level(data, required=("key", "version", "title", "checked_on", "rules"))
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
            checked_on=self.day("checked_on", top.get("checked_on", MISSING)) or date.min,
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
        valid_from = self.day(f"{path}.valid_from", field("valid_from"))
        valid_until = self.day(f"{path}.valid_until", field("valid_until"))
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
            otherwise=self.otherwise(f"{path}.otherwise", field("otherwise")),
            employer_flat=employer_flat,
            min_level=None if min_level is MISSING else min_level,
            **self.eligibility(f"{path}.eligibility", eligibility),
            **self.funding(f"{path}.funding", funding),
        )
        return rule

    def otherwise(self, path: str, value: Any) -> Otherwise | None:
        if value is MISSING:
            return None
        data = self.mapping(path, value, required=("text", "source"), optional=("uncertain",))
        if data is None:
            return None
        source = data.get("source", MISSING)
        if source is not MISSING and not (isinstance(source, str) and URL_RE.fullmatch(source)):
            self.error(f"{path}.source", f"expected a URL (https://...), got {show(source)}")
        text = self.text(f"{path}.text", data.get("text", MISSING))
        if not text or not isinstance(source, str):
            return None
        return Otherwise(
            text=text,
            source=source,
            uncertain=self.boolean(f"{path}.uncertain", data.get("uncertain", MISSING), True),
        )

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

    def day(self, path: str, value: Any) -> date | None:
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
    if rule.otherwise:
        data["otherwise"] = {
            "text": dict(rule.otherwise.text),
            "source": rule.otherwise.source,
            "uncertain": rule.otherwise.uncertain,
        }
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
        otherwise=Otherwise(
            text=dict(data["otherwise"]["text"]),
            source=data["otherwise"]["source"],
            uncertain=data["otherwise"]["uncertain"],
        )
        if "otherwise" in data
        else None,
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


# --- The estimator -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Estimate:
    """What one funding route would pay for one line of a plan, and why."""

    route: str
    eligible: bool
    reason: Text  # why it is (in)eligible, and how the amount was reached
    estimated_funding: int  # euros, 0 <= funding <= cost; 0 when not eligible
    remaining_cost: int  # cost - estimated_funding: what stays with the company
    uncertain: bool  # the amount is to be confirmed: "à confirmer auprès de votre OPCO"
    source: str  # the URL of the rule applied ("" when no rule applies)
    label: Text | None = None  # the route's label in the rules
    note: Text | None = None  # the rule's note (conditions, "selon crédits disponibles")
    otherwise: Otherwise | None = None  # not eligible: what the company may do instead
    year_ceiling: int | None = None  # the company's yearly ceiling on this route
    costed: bool = True  # False only when eligible and the rule gives no amount (0 here)


def estimate(
    rules: FundingRulesDef,
    *,
    route: str,
    headcount_band: str,
    idcc: str,
    hours: float,
    people: int,
    cost: int,
    certifying: bool,
    on: date,
    level: int | None = None,
) -> Estimate:
    """The funding of one line by one route on the day `on`.

    `hours` is the training duration per person, `cost` the total cost of the line (every
    person included), `idcc` the company's branch ("" if unknown), `level` the level of the
    certification aimed at (None if unknown: a level-dependent employer contribution is then
    counted, so the estimate never overstates the funding).
    """
    if people < 1 or cost < 0 or hours < 0:
        raise ValueError("people >= 1, cost >= 0 and hours >= 0 are expected")
    rule, refusal = _select(rules, route=route, band=headcount_band, idcc=idcc, on=on)
    if rule is not None and refusal is None:
        refusal = _refusal(rule, hours=hours, certifying=certifying)
    if rule is None or refusal is not None:
        return Estimate(
            route=route,
            eligible=False,
            reason=refusal or _text("Aucune règle de financement", "No funding rule"),
            estimated_funding=0,
            remaining_cost=cost,
            uncertain=False,
            source=rule.source if rule else "",
            label=dict(rule.label) if rule else (rules.label(route) or None),
            note=rule.note if rule else None,
            otherwise=rule.otherwise if rule else None,
        )
    funding, reason = _amount(rule, hours=hours, people=people, cost=cost, level=level)
    return Estimate(
        route=route,
        eligible=True,
        reason=reason,
        estimated_funding=funding,
        remaining_cost=cost - funding,
        uncertain=rule.uncertain or not rule.has_amount or rules.out_of_date(on),
        source=rule.source,
        label=dict(rule.label),
        note=rule.note,
        year_ceiling=rule.company_year_ceiling,
        costed=rule.has_amount,
    )


def estimate_routes(
    rules: FundingRulesDef, *, routes: Iterable[str], **line: Any
) -> tuple[Estimate, ...]:
    """The estimate of every route of a line (same arguments as `estimate`), in order."""
    return tuple(estimate(rules, route=route, **line) for route in routes)


def best_estimate(estimates: Sequence[Estimate]) -> Estimate | None:
    """The eligible estimate that funds the most (the earliest route on a tie); if none is
    eligible, the first one (the line's main route says why); None for no estimate."""
    eligible = [e for e in estimates if e.eligible]
    if eligible:
        return max(eligible, key=lambda e: e.estimated_funding)  # max keeps the first
    return estimates[0] if estimates else None


def estimate_line(rules: FundingRulesDef, *, routes: Sequence[str], **line: Any) -> Estimate | None:
    """The best route of a line: `best_estimate` of `estimate_routes`."""
    return best_estimate(estimate_routes(rules, routes=routes, **line))


def apply_year_ceiling(estimates: Iterable[Estimate]) -> list[Estimate]:
    """The estimates of the lines of one year, in order, after the company's yearly
    ceilings: once a route's ceiling is used up, later lines on it get only what is left."""
    used: dict[str, int] = {}
    result = []
    for item in estimates:
        if item.eligible and item.year_ceiling is not None:
            left = max(0, item.year_ceiling - used.get(item.route, 0))
            if item.estimated_funding > left:
                cut = item.estimated_funding - left
                ceiling_fr, ceiling_en = _money(item.year_ceiling)
                item = replace(
                    item,
                    estimated_funding=left,
                    remaining_cost=item.remaining_cost + cut,
                    reason=_join(
                        item.reason,
                        _text(
                            f"plafond annuel de {ceiling_fr} par entreprise atteint",
                            f"the company's yearly ceiling of {ceiling_en} is reached",
                        ),
                    ),
                )
            used[item.route] = used.get(item.route, 0) + item.estimated_funding
        result.append(item)
    return result


# -- how the estimator decides


def _select(
    rules: FundingRulesDef, *, route: str, band: str, idcc: str, on: date
) -> tuple[FundingRule | None, Text | None]:
    """The rule that applies, or the reason none does (with the rule that says why)."""
    route_rules = rules.for_route(route)
    branch = [r for r in route_rules if idcc and idcc in r.idcc_in]
    if any(r.in_force(on) for r in branch):
        scope = branch
    else:
        scope = [r for r in route_rules if not r.idcc_in]
    if not scope:
        return None, _text(
            "Aucune règle de financement pour ce dispositif",
            "No funding rule for this route",
        )
    in_force = [r for r in scope if r.in_force(on)]
    if not in_force:
        return _date_refusal(rules, scope, on)
    for rule in in_force:
        if rule.covers_band(band):
            return rule, None
    bands = [b for b in HEADCOUNT_BANDS if any(r.covers_band(b) for r in in_force)]
    company = HEADCOUNT_LABELS.get(band, {"fr": band or "?", "en": band or "?"})
    allowed = _bands_text(bands)
    return in_force[0], _text(
        f"Pas de financement pour une entreprise de {company['fr']} "
        f"(réservé aux entreprises de {allowed['fr']})",
        f"No funding for a company of {company['en']} (only for companies of {allowed['en']})",
    )


def _bands_text(bands: list[str]) -> Text:
    """Headcount bands as ranges: ["1_9", "10_49"] -> "1 à 49 salariés"."""
    ranges: list[list[str]] = []  # [low, high] with high "" for no upper limit
    for band in bands:
        low, high = band.split("_")
        high = "" if high == "plus" else high
        if ranges and ranges[-1][1] and int(ranges[-1][1]) + 1 == int(low):
            ranges[-1][1] = high
        else:
            ranges.append([low, high])
    fr = [f"{lo} à {hi} salariés" if hi else f"{lo} salariés ou plus" for lo, hi in ranges]
    en = [f"{lo} to {hi} employees" if hi else f"{lo} employees or more" for lo, hi in ranges]
    return _text(" ou ".join(fr), " or ".join(en))


def _date_refusal(
    rules: FundingRulesDef, scope: list[FundingRule], on: date
) -> tuple[FundingRule, Text]:
    ended = [r for r in scope if r.valid_until is not None and r.valid_until < on]
    if ended:
        rule = max(ended, key=lambda r: r.valid_until or date.min)
        day = _day(rule.valid_until)
        if rule.replaced_by:
            new = rules.label(rule.replaced_by)
            return rule, _text(
                f"Dispositif terminé le {day}, remplacé par « {new.get('fr', rule.replaced_by)} »",
                f"Scheme ended on {day}, replaced by “{new.get('en', rule.replaced_by)}”",
            )
        return rule, _text(
            f"Aucune règle connue après le {day} : règles à mettre à jour",
            f"No rule known after {day}: the rules need updating",
        )
    rule = min(scope, key=lambda r: r.valid_from or date.max)
    day = _day(rule.valid_from)
    return rule, _text(f"En vigueur à partir du {day}", f"In force from {day}")


def _refusal(rule: FundingRule, *, hours: float, certifying: bool) -> Text | None:
    """Why the line does not meet the rule's conditions on hours and certification."""
    h = {lang: format_number(hours, lang, 1) for lang in ("fr", "en")}
    if rule.min_hours is not None and hours < rule.min_hours:
        low = {lang: format_number(rule.min_hours, lang, 1) for lang in ("fr", "en")}
        return _text(
            f"{h['fr']} h, en dessous du minimum de {low['fr']} h",
            f"{h['en']} h < {low['en']} h minimum",
        )
    if rule.max_hours is not None and hours > rule.max_hours:
        high = {lang: format_number(rule.max_hours, lang, 1) for lang in ("fr", "en")}
        return _text(
            f"{h['fr']} h, au-dessus du maximum de {high['fr']} h",
            f"{h['en']} h > {high['en']} h maximum",
        )
    if rule.certifying_only and not certifying:
        return _text(
            "Réservé aux formations certifiantes",
            "Only for training leading to a certification",
        )
    return None


def _amount(
    rule: FundingRule, *, hours: float, people: int, cost: int, level: int | None
) -> tuple[int, Text]:
    """The funding of an eligible line and how it was reached."""
    if not rule.has_amount:
        return 0, _text(
            "Éligible ; montant non chiffré par les règles",
            "Eligible; the rules give no amount",
        )
    steps: list[Text] = []
    amount = math.inf
    if rule.share is not None:
        amount = min(amount, rule.share * cost)
        pct = {lang: format_number(rule.share * 100, lang, 1) for lang in ("fr", "en")}
        steps.append(_text(f"{pct['fr']} % du coût", f"{pct['en']}% of the cost"))
    if rule.per_hour is not None:
        amount = min(amount, rule.per_hour * hours * people)
        rate = {lang: format_number(rule.per_hour, lang, 2) for lang in ("fr", "en")}
        h = {lang: format_number(hours, lang, 1) for lang in ("fr", "en")}
        steps.append(
            _text(
                f"{rate['fr']}\u00a0€/h × {h['fr']} h × {_persons(people, 'fr')}",
                f"€{rate['en']}/h × {h['en']} h × {_persons(people, 'en')}",
            )
        )
    if rule.flat_amount is not None:
        amount = min(amount, rule.flat_amount * people)
        fr, en = _money(rule.flat_amount)
        steps.append(_text(f"forfait de {fr} par personne", f"flat {en} per person"))
    if rule.per_person_max is not None and rule.per_person_max * people < amount:
        amount = rule.per_person_max * people
        fr, en = _money(rule.per_person_max)
        steps.append(_text(f"plafonné à {fr} par personne", f"capped at {en} per person"))
    if rule.per_action_max is not None and rule.per_action_max < amount:
        amount = rule.per_action_max
        fr, en = _money(rule.per_action_max)
        steps.append(_text(f"plafonné à {fr} par action", f"capped at {en} per action"))
    if amount > cost:
        amount = cost
        steps.append(_text("dans la limite du coût", "up to the cost"))
    funding = math.floor(amount + 1e-9)
    if rule.employer_flat and (rule.min_level is None or level is None or level >= rule.min_level):
        deduction = min(funding, rule.employer_flat * people)
        funding -= deduction
        fr, en = _money(rule.employer_flat)
        fr_when = en_when = ""
        if rule.min_level is not None:
            fr_when = f" (certification de niveau {rule.min_level} ou plus)"
            en_when = f" (certification at level {rule.min_level} or above)"
        steps.append(
            _text(
                f"moins la participation de l’employeur de {fr} par contrat{fr_when}",
                f"less the employer’s contribution of {en} per contract{en_when}",
            )
        )
    return funding, _text(
        "Éligible : " + " ; ".join(step["fr"] for step in steps),
        "Eligible: " + "; ".join(step["en"] for step in steps),
    )


# -- texts


def _text(fr: str, en: str) -> Text:
    return {"fr": fr, "en": en}


def _join(first: Text, then: Text) -> Text:
    return {"fr": f"{first['fr']} ; {then['fr']}", "en": f"{first['en']}; {then['en']}"}


def _day(value: date | None) -> str:
    return f"{value:%d/%m/%Y}" if value else "?"


def _money(amount: int) -> tuple[str, str]:
    """(French, English) writing of whole euros: "1 250 €" (thin and no-break spaces),
    "€1,250"."""
    return f"{amount:,}".replace(",", "\u202f") + "\u00a0€", f"€{amount:,}"


def _persons(people: int, language: str) -> str:
    if language == "fr":
        return f"{people} personne" if people == 1 else f"{people} personnes"
    return f"{people} person" if people == 1 else f"{people} people"


# --- A whole plan ------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineToFund:
    """What the estimator needs of one plan line."""

    routes: tuple[str, ...]  # the action's funding routes, the main one first
    hours: float  # per person
    people: int
    cost_min: int  # the whole line (every person, every session)
    cost_max: int
    certifying: bool
    horizon: str  # "year1" or "later": ceilings apply per year
    counted: bool = True  # proposed or accepted (dropped and postponed lines count for 0)


@dataclass(frozen=True)
class LineFunding:
    """The estimates of one line: every route (on the upper cost), the one that funds it
    best, and the funding and remaining cost at both ends of the cost range."""

    routes: tuple[Estimate, ...]
    best: Estimate | None
    funding_min: int
    funding_max: int
    remaining_min: int
    remaining_max: int

    @property
    def funding(self) -> int:
        return self.funding_max

    @property
    def uncosted(self) -> bool:
        """Eligible under its best route, whose rule gives no amount: the funding counted is
        0, and every figure says the line is left out rather than showing "0 €"."""
        return self.best is not None and not self.best.costed  # `costed`: False only if eligible


def fund_plan(
    rules: FundingRulesDef,
    lines: Sequence[LineToFund],
    *,
    headcount_band: str,
    idcc: str,
    on: date,
) -> list[LineFunding]:
    """The funding of each line of a plan, in order, at both ends of its cost range, with
    the company's yearly ceilings applied to the counted lines of each horizon in turn."""
    routes, high = _best_per_line(rules, lines, "cost_max", headcount_band, idcc, on)
    _routes, low = _best_per_line(rules, lines, "cost_min", headcount_band, idcc, on)
    result = []
    for line, line_routes, best_high, best_low in zip(lines, routes, high, low, strict=True):
        funding_max = best_high.estimated_funding if best_high and best_high.eligible else 0
        funding_min = best_low.estimated_funding if best_low and best_low.eligible else 0
        result.append(
            LineFunding(
                routes=line_routes,
                best=best_high,
                funding_min=min(funding_min, funding_max),
                funding_max=funding_max,
                remaining_min=line.cost_min - min(funding_min, funding_max),
                remaining_max=line.cost_max - funding_max,
            )
        )
    return result


def _best_per_line(
    rules: FundingRulesDef,
    lines: Sequence[LineToFund],
    cost: str,
    headcount_band: str,
    idcc: str,
    on: date,
) -> tuple[list[tuple[Estimate, ...]], list[Estimate | None]]:
    """Every route's estimate of each line for one end of its cost range, and the best one
    after the yearly ceilings."""
    estimates = [
        estimate_routes(
            rules,
            routes=line.routes,
            headcount_band=headcount_band,
            idcc=idcc,
            hours=line.hours,
            people=line.people,
            cost=getattr(line, cost),
            certifying=line.certifying,
            on=on,
        )
        for line in lines
    ]
    best: list[Estimate | None] = [best_estimate(e) for e in estimates]
    for horizon in ("year1", "later"):
        indexes = [
            i
            for i, line in enumerate(lines)
            if line.horizon == horizon and line.counted and best[i] is not None
        ]
        capped = apply_year_ceiling([best[i] for i in indexes])  # type: ignore[misc]
        for i, item in zip(indexes, capped, strict=True):
            best[i] = item
    return estimates, best
