"""Funding rules: strict validation with paths, publishing versions, and the estimator."""

from __future__ import annotations

import copy
from datetime import date
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from diagnostics.definition import HEADCOUNT_BANDS
from documents.commands import publication_order
from documents.models import PublishedVersionError
from documents.parsing import dump_yaml
from reports.catalogue import parse_catalogue
from reports.funding import (
    Estimate,
    FundingRulesError,
    apply_year_ceiling,
    best_estimate,
    estimate,
    estimate_line,
    estimate_routes,
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

OTHERWISE: dict[str, Any] = {
    "text": {"fr": "Vos versements volontaires", "en": "Your voluntary contributions"},
    "source": "https://example.org/o",
}

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


def test_amounts_under_rules_checked_in_an_earlier_year_are_to_be_confirmed():
    """Rates and amounts are set by year: on 1 January, last year's checked facts no
    longer make a certain amount, though the estimate itself is the same."""
    rules = parse(minimal())  # checked on 2026-11-24; the plan rule is certain
    assert not rules.out_of_date(date(2026, 12, 31))
    assert rules.out_of_date(date(2027, 1, 1))
    this_year = estimate(rules, route="plan", **line(on=date(2026, 12, 31)))
    next_year = estimate(rules, route="plan", **line(on=date(2027, 1, 1)))
    assert (this_year.eligible, this_year.uncertain) == (True, False)
    assert (next_year.eligible, next_year.uncertain) == (True, True)
    assert next_year.estimated_funding == this_year.estimated_funding == 1260


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
        (
            with_rule(0, otherwise={"text": {"fr": "Autre chose", "en": "Else"}}),
            "rules[0].otherwise.source: required",
        ),
        (
            with_rule(0, otherwise={"text": {"fr": "Autre"}, "source": "https://example.org"}),
            "rules[0].otherwise.text.en: required",
        ),
        (
            with_rule(0, otherwise={**OTHERWISE, "source": "legifrance"}),
            "rules[0].otherwise.source: expected a URL (https://...), got 'legifrance'",
        ),
        (
            with_rule(0, otherwise={**OTHERWISE, "uncertain": "maybe"}),
            "rules[0].otherwise.uncertain: expected true or false",
        ),
        (with_rule(0, otherwise="ask"), "rules[0].otherwise: expected a mapping"),
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
    # funding-2026.yaml is version 1, funding-2026-v2.yaml version 2 and so on: in order.
    versions = (1, 2, 3)
    assert out.getvalue() == "".join(f"loaded financement-opco v{v}\n" for v in versions)
    assert FundingRules.latest().version == 3
    out = StringIO()
    call_command("load_funding", stdout=out)
    assert out.getvalue() == "".join(f"unchanged financement-opco v{v}\n" for v in versions)


def test_files_are_published_in_version_order():
    names = ["b.yaml", "a-v10.yaml", "a-v2.yaml", "a.yaml", "b-v3.yaml"]
    ordered = sorted((Path(name) for name in names), key=publication_order)
    assert [p.name for p in ordered] == [
        "a.yaml",
        "a-v2.yaml",
        "a-v10.yaml",
        "b.yaml",
        "b-v3.yaml",
    ]


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


# --- The estimator on the default rules ----------------------------------------------------------


def test_a_company_of_10_to_49_gets_the_plan_rate_per_hour():
    result = estimate(RULES, route="plan_developpement", **line())
    assert result.eligible
    assert result.estimated_funding == 30 * 14 * 3  # 1260
    assert result.remaining_cost == 2400 - 1260
    assert result.uncertain  # Opco 2i's rate is to be confirmed
    assert result.source == "https://www.opco2i.fr/formation-et-financement/financer-projets/"
    assert result.reason == {
        "fr": "Éligible : 30\u00a0€/h × 14 h × 3 personnes",
        "en": "Eligible: €30/h × 14 h × 3 people",
    }


def test_the_plan_rate_never_pays_more_than_the_cost():
    result = estimate(RULES, route="plan_developpement", **line(hours=35, cost=1000))
    assert (result.estimated_funding, result.remaining_cost) == (1000, 0)
    assert result.reason["en"] == "Eligible: €30/h × 35 h × 3 people; up to the cost"


@pytest.mark.parametrize("band", ["50_249", "250_499", "500_plus"])
def test_a_company_of_50_or_more_gets_nothing_from_the_legal_funds(band):
    result = estimate(RULES, route="plan_developpement", **line(headcount_band=band))
    assert not result.eligible
    assert (result.estimated_funding, result.remaining_cost) == (0, 2400)
    assert "(only for companies of 1 to 49 employees)" in result.reason["en"]
    assert "(réservé aux entreprises de 1 à 49 salariés)" in result.reason["fr"]


def test_a_company_of_250_to_499_is_told_why():
    result = estimate(RULES, route="plan_developpement", **line(headcount_band="250_499"))
    assert result.reason == {
        "fr": "Pas de financement pour une entreprise de 250 à 499 salariés "
        "(réservé aux entreprises de 1 à 49 salariés)",
        "en": "No funding for a company of 250 to 499 employees "
        "(only for companies of 1 to 49 employees)",
    }


def test_a_route_that_refuses_a_line_says_what_the_company_may_do_instead():
    rules = parse(with_rule(0, otherwise=OTHERWISE))
    refused = estimate(rules, route="plan", **line(headcount_band="250_499"))
    assert not refused.eligible
    assert refused.otherwise is not None
    assert refused.otherwise.text == OTHERWISE["text"]
    assert (refused.otherwise.source, refused.otherwise.uncertain) == (
        "https://example.org/o",
        True,
    )
    funded = estimate(rules, route="plan", **line(headcount_band="10_49"))
    assert funded.eligible
    assert funded.otherwise is None
    assert funding_rules_from_dict(funding_rules_to_dict(rules)) == rules


def test_a_reconversion_under_150_hours_is_not_eligible():
    result = estimate(RULES, route="reconversion", **line(hours=140, certifying=True))
    assert not result.eligible
    assert result.estimated_funding == 0
    assert result.reason == {
        "fr": "140 h, en dessous du minimum de 150 h",
        "en": "140 h < 150 h minimum",
    }


def test_a_reconversion_is_funded_at_the_default_rate():
    result = estimate(
        RULES, route="reconversion", **line(hours=210, people=1, cost=4000, certifying=True)
    )
    assert result.eligible
    assert result.estimated_funding == 1921  # 9.15 €/h × 210 h, rounded down
    assert not result.uncertain
    assert result.reason["fr"] == "Éligible : 9,15\u00a0€/h × 210 h × 1 personne"


def test_a_reconversion_over_450_hours_or_without_certification_is_not_eligible():
    over = estimate(RULES, route="reconversion", **line(hours=500, certifying=True))
    assert over.reason["en"] == "500 h > 450 h maximum"
    uncertified = estimate(RULES, route="reconversion", **line(hours=200))
    assert uncertified.reason["en"] == "Only for training leading to a certification"


def test_the_reconversion_did_not_exist_before_2026():
    result = estimate(
        RULES, route="reconversion", **line(hours=200, certifying=True, on=date(2025, 12, 1))
    )
    assert result.reason == {
        "fr": "En vigueur à partir du 01/01/2026",
        "en": "In force from 01/01/2026",
    }


def test_pro_a_ended_and_names_its_replacement():
    result = estimate(RULES, route="pro_a", **line(hours=200, certifying=True))
    assert not result.eligible
    assert result.estimated_funding == 0
    assert result.reason["fr"] == (
        "Dispositif terminé le 31/12/2025, remplacé par « Période de reconversion »"
    )
    assert result.reason["en"].startswith("Scheme ended on 31/12/2025, replaced by")


def test_a_rule_without_amount_is_eligible_for_nothing_and_uncertain():
    result = estimate(RULES, route="pro_a", **line(certifying=True, on=date(2025, 6, 1)))
    assert result.eligible
    assert result.estimated_funding == 0
    assert result.uncertain
    assert not result.costed  # pages say "not estimated", not "0 €"
    assert estimate(RULES, route="plan_developpement", **line()).costed


def test_an_apprenticeship_of_level_6_leaves_750_euros_to_the_employer():
    result = estimate(
        RULES, route="apprentissage", **line(people=1, cost=7000, certifying=True, level=6)
    )
    assert result.eligible
    assert (result.estimated_funding, result.remaining_cost) == (6250, 750)
    assert "750\u00a0€ par contrat" in result.reason["fr"]


def test_an_apprenticeship_below_level_6_leaves_nothing_to_the_employer():
    result = estimate(
        RULES, route="apprentissage", **line(people=2, cost=14000, certifying=True, level=5)
    )
    assert (result.estimated_funding, result.remaining_cost) == (14000, 0)


def test_an_apprenticeship_of_unknown_level_counts_the_employer_contribution():
    result = estimate(RULES, route="apprentissage", **line(people=2, cost=14000, certifying=True))
    assert result.remaining_cost == 1500  # 750 € per contract: never overstate the funding


def test_a_branch_rule_overrides_the_default_rule_of_its_route():
    args = line(hours=400, people=1, cost=12000, certifying=True)
    default = estimate(RULES, route="professionnalisation", **args)
    metal = estimate(RULES, route="professionnalisation", **{**args, "idcc": "3248"})
    other = estimate(RULES, route="professionnalisation", **{**args, "idcc": "0292"})
    assert default.estimated_funding == other.estimated_funding == 3660  # 9.15 €/h × 400 h
    assert metal.estimated_funding == 10000  # 25 €/h × 400 h
    assert "gestionsociale" in metal.source


def test_a_branch_rule_out_of_force_leaves_the_default_rule():
    data = minimal()
    data["rules"].append(
        {
            **copy.deepcopy(data["rules"][0]),
            "label": {"fr": "Plan (métallurgie)", "en": "Plan (metal industry)"},
            "valid_until": "2025-12-31",
            "eligibility": {"idcc_in": ["3248"]},
            "funding": {"per_hour": 50},
        }
    )
    rules = parse(data)
    args = line(idcc="3248", hours=10, people=1, cost=1000)
    assert (
        estimate(rules, route="plan", **{**args, "on": date(2025, 6, 1)}).estimated_funding == 500
    )
    assert estimate(rules, route="plan", **args).estimated_funding == 300
    assert rules.label("plan") == {"fr": "Plan", "en": "Plan"}  # the default rule's label


@pytest.mark.parametrize(("band", "share"), [("1_9", 0.7), ("50_249", 0.6), ("500_plus", 0.5)])
def test_fne_formation_pays_a_share_by_company_size(band, share):
    result = estimate(RULES, route="fne", **line(headcount_band=band, cost=10000))
    assert result.estimated_funding == int(10000 * share)
    assert result.uncertain


def test_an_unknown_route_has_no_rule():
    result = estimate(RULES, route="mecenat", **line())
    assert not result.eligible
    assert result.reason == {
        "fr": "Aucune règle de financement pour ce dispositif",
        "en": "No funding rule for this route",
    }
    assert result.remaining_cost == 2400


def test_impossible_lines_are_refused():
    with pytest.raises(ValueError, match="people >= 1"):
        estimate(RULES, route="cpf", **line(people=0))


# --- Lines with several routes, yearly ceilings ----------------------------------------------


def test_a_line_keeps_its_best_eligible_route():
    small = estimate_line(RULES, routes=["plan_developpement", "cpf"], **line(certifying=True))
    assert small.route == "plan_developpement"
    large = estimate_line(
        RULES,
        routes=["plan_developpement", "cpf"],
        **line(headcount_band="250_499", certifying=True),
    )
    assert large.route == "cpf"  # eligible, amount depending on the employee's rights
    assert large.eligible
    assert large.uncertain


def test_a_line_with_no_eligible_route_tells_why_its_main_route_fails():
    result = estimate_line(
        RULES, routes=["plan_developpement", "pro_a"], **line(headcount_band="50_249")
    )
    assert result.route == "plan_developpement"
    assert not result.eligible


def test_a_work_study_line_prefers_the_route_that_funds_most():
    estimates = estimate_routes(
        RULES,
        routes=["apprentissage", "professionnalisation", "pro_a"],
        **line(hours=800, people=1, cost=9000, certifying=True, level=5),
    )
    assert [e.eligible for e in estimates] == [True, True, False]
    assert best_estimate(estimates).route == "apprentissage"
    assert best_estimate(()) is None


def test_the_yearly_ceiling_caps_the_lines_of_a_year_in_order():
    rules = parse(MINIMAL)  # plan: 30 €/h, 3 000 € a year per company
    lines = [
        estimate(rules, route="plan", **line(hours=20, people=3, cost=5000)),  # 1 800
        estimate(rules, route="cpf", **line(people=1, cost=1000)),  # no ceiling
        estimate(rules, route="plan", **line(hours=20, people=3, cost=5000)),  # 1 200 left
        estimate(rules, route="plan", **line(hours=10, people=1, cost=500)),  # nothing left
    ]
    capped = apply_year_ceiling(lines)
    assert [e.estimated_funding for e in capped] == [1800, 1000, 1200, 0]
    assert [e.remaining_cost for e in capped] == [3200, 0, 3800, 500]
    assert capped[2].reason["en"].endswith("the company's yearly ceiling of €3,000 is reached")
    assert capped[0] == lines[0]


def test_the_ceilings_per_person_and_per_action_apply():
    data = with_rule(1, funding={"share": 1, "per_person_max": 1500, "per_action_max": 4000})
    rules = parse(data)
    two = estimate(rules, route="cpf", **line(people=2, cost=5000))
    assert two.estimated_funding == 3000
    assert (
        two.reason["fr"] == "Éligible : 100 % du coût ; plafonné à 1\u202f500\u00a0€ par personne"
    )
    three = estimate(rules, route="cpf", **line(people=3, cost=6000))
    assert three.estimated_funding == 4000
    assert three.reason["en"].endswith("capped at €4,000 per action")


# --- Properties ----------------------------------------------------------------------------------

ROUTES = sorted({rule.route for rule in RULES.rules} | {"unknown"})
LINES = st.fixed_dictionaries(
    {
        "route": st.sampled_from(ROUTES),
        "headcount_band": st.sampled_from(HEADCOUNT_BANDS),
        "idcc": st.sampled_from(["", "3248", "0292"]),
        "hours": st.floats(min_value=0, max_value=3000, allow_nan=False),
        "people": st.integers(min_value=1, max_value=50),
        "cost": st.integers(min_value=0, max_value=500_000),
        "certifying": st.booleans(),
        "on": st.dates(min_value=date(2024, 1, 1), max_value=date(2028, 12, 31)),
        "level": st.none() | st.integers(min_value=1, max_value=8),
    }
)


def assert_sound(result: Estimate, cost: int) -> None:
    assert 0 <= result.estimated_funding <= cost
    assert result.remaining_cost == cost - result.estimated_funding
    if not result.eligible:
        assert result.estimated_funding == 0
        assert not result.uncertain  # an uncertain amount, never an uncertain refusal
    assert result.reason["fr"]
    assert result.reason["en"]


@settings(max_examples=300, deadline=None)
@given(LINES)
def test_funding_is_never_negative_nor_above_the_cost(args):
    assert_sound(estimate(RULES, **args), args["cost"])


@settings(max_examples=100, deadline=None)
@given(st.lists(LINES, max_size=8), st.data())
def test_yearly_ceilings_keep_the_estimates_sound(lines, data):
    rules = parse(MINIMAL)  # with a yearly ceiling on "plan"
    routes = data.draw(
        st.lists(
            st.sampled_from(["plan", "cpf", "other"]), min_size=len(lines), max_size=len(lines)
        )
    )
    estimates = [
        estimate(rules, **{**args, "route": route})
        for args, route in zip(lines, routes, strict=True)
    ]
    for result, args in zip(apply_year_ceiling(estimates), lines, strict=True):
        assert_sound(result, args["cost"])
