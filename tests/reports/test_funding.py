"""Funding rules: strict validation with paths, publishing versions, and the estimator."""

from __future__ import annotations

import copy
from datetime import date
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from documents.models import PublishedVersionError
from documents.parsing import dump_yaml
from reports.catalogue import parse_catalogue
from reports.funding import (
    FundingRulesError,
    funding_rules_from_dict,
    funding_rules_to_dict,
    parse_funding_rules,
)
from reports.models import FundingRules

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_FILE = ROOT / "reports" / "funding" / "funding-2026.yaml"
CATALOGUE_FILE = ROOT / "reports" / "catalogue" / "catalogue-v1.yaml"
RULES = parse_funding_rules(DEFAULT_FILE.read_text())
TODAY = date(2026, 11, 24)

MINIMAL: dict[str, Any] = {
    "key": "mini-funding",
    "version": 1,
    "title": {"fr": "Règles", "en": "Rules"},
    "checked_on": "2026-11-24",
    "rules": [
        {
            "route": "plan",
            "label": {"fr": "Plan", "en": "Plan"},
            "source": "https://example.org/plan",
            "uncertain": False,
            "eligibility": {"headcount_in": ["1_9", "10_49"]},
            "funding": {"per_hour": 30, "company_year_ceiling": 3000},
        },
        {
            "route": "cpf",
            "label": {"fr": "CPF", "en": "CPF"},
            "source": "https://example.org/cpf",
            "uncertain": True,
            "funding": {"share": 1, "per_person_max": 1500},
        },
    ],
}


def minimal(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(MINIMAL)
    data.update(changes)
    return data


def with_rule(index: int, **changes: Any) -> dict[str, Any]:
    data = minimal()
    data["rules"][index].update(changes)
    return data


def parse(data: dict[str, Any]):
    return parse_funding_rules(dump_yaml(data))


def errors_of(data: dict[str, Any] | str) -> list[str]:
    text = data if isinstance(data, str) else dump_yaml(data)
    with pytest.raises(FundingRulesError) as exc:
        parse_funding_rules(text)
    return exc.value.errors


def line(**changes: Any) -> dict[str, Any]:
    """The arguments of one plan line: 14 h for 3 people in a company of 10 to 49."""
    values: dict[str, Any] = {
        "headcount_band": "10_49",
        "idcc": "",
        "hours": 14,
        "people": 3,
        "cost": 2400,
        "certifying": False,
        "on": TODAY,
    }
    values.update(changes)
    return values


# --- The default file ----------------------------------------------------------------------


def test_the_default_rules_parse_and_were_checked_on_the_day_of_the_notes():
    assert RULES.key == "financement-opco"
    assert RULES.version == 1
    assert RULES.checked_on == date(2026, 11, 24)


def test_every_route_of_the_default_catalogue_has_a_rule():
    catalogue = parse_catalogue(CATALOGUE_FILE.read_text())
    routes = {route.key for route in catalogue.funding_routes}
    assert routes <= {rule.route for rule in RULES.rules}
    assert RULES.for_route("reconversion")


def test_every_default_rule_names_its_source():
    assert all(rule.source.startswith(("https://", "http://")) for rule in RULES.rules)


def test_fne_formation_is_uncertain_and_subject_to_available_budget():
    fne = RULES.for_route("fne")
    assert fne
    assert all(rule.uncertain for rule in fne)
    assert all("crédits disponibles" in rule.note["fr"] for rule in fne)


def test_dict_round_trip_gives_equal_rules():
    data = funding_rules_to_dict(RULES)
    assert funding_rules_from_dict(data) == RULES
    assert data["checked_on"] == "2026-11-24"  # JSON-ready


def test_the_minimal_rules_parse():
    rules = parse(MINIMAL)
    assert [rule.route for rule in rules.rules] == ["plan", "cpf"]
    assert rules.rules[0].per_hour == 30
    assert rules.rules[1].share == 1.0


# --- Errors, each with its path ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (minimal(checked_on="yesterday"), "checked_on: expected a date YYYY-MM-DD"),
        (minimal(version=0), "version: expected a positive integer"),
        (minimal(rules=[]), "rules: expected at least 1 rule, got 0"),
        (with_rule(0, route="Plan-A"), "rules[0].route: expected a route key"),
        (with_rule(0, source="opco2i.fr"), "rules[0].source: expected a URL"),
        (with_rule(1, uncertain="yes"), "rules[1].uncertain: expected true or false"),
        (with_rule(0, colour="red"), "rules[0]: unknown key 'colour'"),
        (with_rule(0, valid_from="2026-02-30"), "rules[0].valid_from: expected a date"),
        (
            with_rule(0, valid_from="2026-06-01", valid_until="2026-01-01"),
            "rules[0].valid_until: expected a date on or after valid_from",
        ),
        (
            with_rule(0, eligibility={"headcount_in": ["250_plus"]}),
            "rules[0].eligibility.headcount_in[0]: expected one of 1_9, 10_49",
        ),
        (
            with_rule(0, eligibility={"idcc_in": [3248]}),
            "rules[0].eligibility.idcc_in[0]: expected a 4-digit IDCC as a quoted string",
        ),
        (
            with_rule(0, eligibility={"min_hours": 450, "max_hours": 150}),
            "rules[0].eligibility.min_hours: expected at most max_hours (150), got 450",
        ),
        (
            with_rule(0, eligibility={"certifying_only": "no"}),
            "rules[0].eligibility.certifying_only: expected true or false",
        ),
        (
            with_rule(1, funding={"share": 1.5}),
            "rules[1].funding.share: expected a number with 0 < x <= 1, got 1.5",
        ),
        (
            with_rule(0, funding={"per_hour": "30"}),
            "rules[0].funding.per_hour: expected a number, got '30'",
        ),
        (
            with_rule(0, funding={"per_action_max": -1}),
            "rules[0].funding.per_action_max: expected an integer 0..1000000, got -1",
        ),
        (with_rule(0, funding={"bonus": 1}), "rules[0].funding: unknown key 'bonus'"),
        (
            with_rule(0, min_level=6),
            "rules[0].min_level: only with employer_flat, which it restricts",
        ),
        (
            with_rule(0, employer_flat=750, min_level=9),
            "rules[0].min_level: expected an integer 1..8, got 9",
        ),
        (
            with_rule(0, replaced_by="cpf"),
            "rules[0].replaced_by: needs valid_until, the day the scheme ended",
        ),
        (
            with_rule(0, valid_until="2025-12-31", replaced_by="reconversion"),
            "rules[0].replaced_by: no rule for route 'reconversion' in this file (cpf, plan)",
        ),
    ],
)
def test_an_invalid_value_is_reported_with_its_path(data, expected):
    errors = errors_of(data)
    assert any(error.startswith(expected) for error in errors), errors


def test_missing_keys_are_reported_with_their_path():
    data = minimal()
    del data["rules"][1]["source"]
    del data["checked_on"]
    assert errors_of(data) == ["checked_on: required", "rules[1].source: required"]


def test_overlapping_rules_are_refused():
    data = minimal()
    data["rules"].append(copy.deepcopy(data["rules"][0]))
    data["rules"][2]["eligibility"] = {"headcount_in": ["10_49", "50_249"]}
    assert errors_of(data) == [
        "rules[2]: overlaps rules[0]: same route 'plan', branch, headcount band and dates; "
        "make their headcount_in, idcc_in or dates disjoint"
    ]


def test_rules_for_other_bands_dates_or_branches_do_not_overlap():
    data = minimal()
    base = data["rules"][0]
    for changes in (
        {"eligibility": {"headcount_in": ["50_249"]}},
        {"valid_until": "2025-12-31"},
        {"eligibility": {"headcount_in": ["10_49"], "idcc_in": ["3248"]}},
    ):
        data["rules"].append({**copy.deepcopy(base), **changes})
    data["rules"][0]["valid_from"] = "2026-01-01"
    assert len(parse(data).rules) == 5


def test_yaml_problems_are_reported():
    assert errors_of("key: a\nkey: b\n")[0].startswith("YAML error at line 2")
    assert errors_of("") == ["(top level): the file is empty"]


# --- Publishing ------------------------------------------------------------------------------


def test_publishing_stores_the_version_and_its_rules(funding_rules):
    assert funding_rules.key == "financement-opco"
    assert funding_rules.version == 1
    assert funding_rules.rules == RULES
    assert FundingRules.latest() == funding_rules


def test_publishing_the_same_content_again_changes_nothing(funding_rules):
    text = DEFAULT_FILE.read_text() + "\n# a comment changes nothing\n"
    row, created = FundingRules.publish(text=text)
    assert (row, created) == (funding_rules, False)
    assert FundingRules.objects.count() == 1


def test_a_published_version_cannot_be_changed(funding_rules):
    funding_rules.title = {"fr": "Autre", "en": "Other"}
    with pytest.raises(PublishedVersionError):
        funding_rules.save()
    with pytest.raises(PublishedVersionError):
        funding_rules.delete()
    changed = DEFAULT_FILE.read_text().replace("per_hour: 30", "per_hour: 35")
    with pytest.raises(FundingRulesError) as exc:
        FundingRules.publish(text=changed)
    assert exc.value.errors == [
        "version: financement-opco v1 is already published and cannot be changed; "
        "publish the changes as version 2"
    ]
    changed = changed.replace("version: 1", "version: 2")
    row, created = FundingRules.publish(text=changed)
    assert created
    assert FundingRules.latest() == row


def test_latest_is_none_without_any(db):
    assert FundingRules.latest() is None


def test_load_funding_loads_the_default_directory(db):
    out = StringIO()
    call_command("load_funding", stdout=out)
    assert out.getvalue().strip() == "loaded financement-opco v1"
    call_command("load_funding", stdout=out)
    assert "unchanged financement-opco v1" in out.getvalue()


def test_load_funding_prints_every_error_with_its_path(db, tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(dump_yaml(with_rule(1, funding={"share": 2}, uncertain="maybe")))
    err = StringIO()
    with pytest.raises(CommandError, match=r"not loaded: bad\.yaml"):
        call_command("load_funding", str(path), stderr=err)
    assert err.getvalue().splitlines() == [
        "bad.yaml: rules[1].uncertain: expected true or false, got 'maybe'",
        "bad.yaml: rules[1].funding.share: expected a number with 0 < x <= 1, got 2",
    ]
    assert not FundingRules.objects.exists()
