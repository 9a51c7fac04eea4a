"""Training catalogue YAML: strict validation with paths, round trips, publishing versions."""

from __future__ import annotations

import copy
import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.management import CommandError, call_command

from diagnostics.loader import parse_questionnaire
from diagnostics.models import PublishedVersionError
from reports.catalogue import (
    Action,
    CatalogueError,
    catalogue_from_dict,
    catalogue_to_dict,
    parse_catalogue,
)
from reports.models import Catalogue, TrainingAction
from reports.services import DEFAULT_CATALOGUE_DIR, import_catalogue, latest_catalogue

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_FILE = ROOT / "reports" / "catalogue" / "catalogue-v1.yaml"
QUESTIONNAIRE_FILE = ROOT / "diagnostics" / "questionnaires" / "competences-industrie-v1.yaml"

MINIMAL: dict[str, Any] = {
    "key": "mini",
    "version": 1,
    "title": {"fr": "Mini", "en": "Mini"},
    "funding_routes": {
        "plan": {
            "label": {"fr": "Plan", "en": "Plan"},
            "description": {"fr": "Le plan", "en": "The plan"},
        },
        "cpf": {
            "label": {"fr": "CPF", "en": "CPF"},
            "description": {"fr": "Le CPF", "en": "The CPF"},
        },
    },
    "actions": [
        {
            "code": "A-01",
            "title": {"fr": "Action", "en": "Action"},
            "description": {"fr": "Une action", "en": "An action"},
            "competencies": ["PROD.LEAN"],
            "levels": {"from": 0, "to": 1},
            "duration_hours": 14,
            "modality": "inter",
            "cost_per_person": {"min": 800, "max": 1400},
            "funding": ["plan", "cpf"],
        }
    ],
    "rules": [
        {
            "code": "R1",
            "title": {"fr": "Écart", "en": "Gap"},
            "explanation": {"fr": "Écart {gap} sur {target}", "en": "Gap {gap} on {target}"},
            "when": {"min_gap": 1, "min_weight": 2},
            "priority": 1,
            "max_actions": 2,
        },
        {
            "code": "R2",
            "title": {"fr": "Petit écart", "en": "Small gap"},
            "explanation": {"fr": "Niveau {level}, poids {weight}", "en": "Level {level}"},
            "when": {"min_gap": 0.5},
            "priority": 3,
            "max_actions": 1,
        },
    ],
}


def minimal(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(MINIMAL)
    data.update(changes)
    return data


def errors_of(data: Any, **kwargs: Any) -> list[str]:
    text = data if isinstance(data, str) else json.dumps(data)  # JSON is YAML
    with pytest.raises(CatalogueError) as caught:
        parse_catalogue(text, **kwargs)
    return caught.value.errors


@pytest.fixture(scope="module")
def default_text() -> str:
    return DEFAULT_FILE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def questionnaire_codes() -> set[str]:
    spec = parse_questionnaire(QUESTIONNAIRE_FILE.read_text(encoding="utf-8"))
    return {c.code for c in spec.competencies()}


# --- Parsing ---------------------------------------------------------------------------------


def test_the_default_catalogue_parses(default_text, questionnaire_codes):
    catalogue = parse_catalogue(default_text, competency_codes=questionnaire_codes)
    assert (catalogue.key, catalogue.version) == ("catalogue-autodiag", 1)
    assert catalogue.title["en"] == "Autodiag training catalogue"
    assert len(catalogue.actions) == 59
    assert [r.code for r in catalogue.rules] == [
        "R1-CRITICAL",
        "R2-LARGE-GAP",
        "R3-KEY-COMPETENCY",
        "R4-MODERATE-GAP",
        "R5-SMALL-GAP",
    ]
    assert [f.key for f in catalogue.funding_routes] == [
        "plan_developpement",
        "pro_a",
        "apprentissage",
        "professionnalisation",
        "cpf",
        "fne",
    ]
    lean = catalogue.action("PROD-LEAN-01")
    assert lean == Action(
        code="PROD-LEAN-01",
        title={
            "fr": "Les fondamentaux du lean et de l’amélioration continue",
            "en": "Lean and continuous improvement fundamentals",
        },
        description=lean.description,
        competencies=("PROD.LEAN",),
        level_from=0,
        level_to=1,
        duration_hours=14.0,
        modality="inter",
        cost_min=800,
        cost_max=1400,
        funding=("plan_developpement",),
    )
    assert catalogue.action("NOPE") is None
    assert catalogue.funding("cpf").label["en"] == "Personal training account (co-funding)"
    assert catalogue.funding("nope") is None


def test_the_default_catalogue_covers_the_24_competencies(default_text, questionnaire_codes):
    catalogue = parse_catalogue(default_text)
    assert len(questionnaire_codes) == 24
    assert catalogue.covered_competencies() == questionnaire_codes


def test_the_minimal_catalogue_parses():
    catalogue = parse_catalogue(json.dumps(MINIMAL))
    assert catalogue.action("A-01").funding == ("plan", "cpf")
    assert catalogue.rules[0].min_gap == 1.0
    assert catalogue.rules[0].min_weight == 2
    assert catalogue.rules[1].min_weight is None


def _set(path: str, value: Any) -> dict[str, Any]:
    """MINIMAL with the value at a dotted path ("actions.0.levels.from") replaced."""
    data = minimal()
    *parents, last = path.split(".")
    node: Any = data
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    if isinstance(node, list):
        node[int(last)] = value
    elif value is _DELETE:
        del node[last]
    else:
        node[last] = value
    return data


_DELETE = object()


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        ("key", "Mini Key", "key: expected a slug [a-z0-9-]+, got 'Mini Key'"),
        ("version", 0, "version: expected a positive integer, got 0"),
        ("title", _DELETE, "title: required"),
        ("actions.0.code", "a-01", "actions[0].code: expected a code [A-Z0-9-]+, got 'a-01'"),
        (
            "actions.0.competencies",
            [],
            "actions[0].competencies: expected at least 1 competency, got 0",
        ),
        (
            "actions.0.competencies",
            ["PROD.A", "PROD.B", "PROD.C", "PROD.D"],
            "actions[0].competencies: expected at most 3 competencies, got 4",
        ),
        (
            "actions.0.competencies.0",
            "lean",
            "actions[0].competencies[0]: expected a competency code DOMAIN.CODE, got 'lean'",
        ),
        (
            "actions.0.levels.from",
            3,
            "actions[0].levels.from: expected at most to (1), got 3",
        ),
        ("actions.0.levels.to", 5, "actions[0].levels.to: expected an integer 0..4, got 5"),
        ("actions.0.levels.from", "0", "actions[0].levels.from: expected an integer 0..4, got '0'"),
        (
            "actions.0.duration_hours",
            0,
            "actions[0].duration_hours: expected a number with 0 < x <= 99999.9, got 0",
        ),
        (
            "actions.0.duration_hours",
            1.25,
            "actions[0].duration_hours: at most one decimal, got 1.25",
        ),
        (
            "actions.0.modality",
            "remote",
            "actions[0].modality: expected one of intra, inter, elearning, afest, alternance, "
            "certification, got 'remote'",
        ),
        (
            "actions.0.cost_per_person.min",
            2000,
            "actions[0].cost_per_person.min: expected at most max (1400), got 2000",
        ),
        (
            "actions.0.cost_per_person.min",
            -1,
            "actions[0].cost_per_person.min: expected an integer 0..1000000, got -1",
        ),
        (
            "actions.0.funding.1",
            "opco",
            "actions[0].funding[1]: unknown funding route 'opco' (cpf, plan)",
        ),
        ("actions.0.funding", [], "actions[0].funding: expected at least 1 funding route, got 0"),
        ("actions.0.price", 3, "actions[0]: unknown key 'price'"),
        ("actions.0.modality", _DELETE, "actions[0].modality: required"),
        (
            "rules.0.explanation.fr",
            "Écart {gap} sur {score}",
            "rules[0].explanation.fr: unknown placeholder {score}; "
            "use {gap}, {target}, {level}, {weight}",
        ),
        (
            "rules.0.explanation.en",
            "Gap {gap:.2f}",
            "rules[0].explanation.en: unknown placeholder {gap:.2f}; "
            "use {gap}, {target}, {level}, {weight}",
        ),
        (
            "rules.0.explanation.en",
            "Gap {gap",
            "rules[0].explanation.en: badly written placeholder (expected '}' before end of "
            "string); write {{ for {",
        ),
        ("rules.0.explanation.en", "", "rules[0].explanation.en: must not be empty"),
        ("rules.0.explanation", {"fr": "x"}, "rules[0].explanation.en: required"),
        (
            "rules.0.when.min_gap",
            0,
            "rules[0].when.min_gap: expected a number with 0 < x <= 4, got 0",
        ),
        ("rules.0.when.min_gap", _DELETE, "rules[0].when.min_gap: required"),
        ("rules.0.when.min_weight", 4, "rules[0].when.min_weight: expected an integer 1..3, got 4"),
        ("rules.0.priority", 4, "rules[0].priority: expected an integer 1..3, got 4"),
        ("rules.0.max_actions", 6, "rules[0].max_actions: expected an integer 1..5, got 6"),
        (
            "rules.1.code",
            "R1",
            "rules[1].code: duplicate code 'R1' (already used at rules[0].code)",
        ),
        ("rules", [], "rules: expected at least 1 rule, got 0"),
        (
            "rules.1.when",
            {"min_gap": 1.5, "min_weight": 3},
            "rules[1]: never applies: rules[0] (R1) matches every gap it matches, "
            "and the first match wins",
        ),
        ("funding_routes", {}, "funding_routes: expected at least 1 funding route, got 0"),
        ("funding_routes", [], "funding_routes: expected a mapping of funding routes, got a list"),
    ],
)
def test_an_invalid_value_is_reported_with_its_path(path, value, expected):
    data = _set(path, value)
    errors = errors_of(data)
    assert expected in errors


def test_an_invalid_value_gives_exactly_its_error():
    assert errors_of(_set("actions.0.levels.from", 3)) == [
        "actions[0].levels.from: expected at most to (1), got 3"
    ]


def test_several_errors_are_reported_at_once():
    data = minimal()
    data["version"] = "1"
    data["actions"][0]["levels"] = {"from": 2, "to": 1}
    data["actions"][0]["funding"] = ["opco"]
    data["actions"].append({**data["actions"][0], "levels": {"from": 0, "to": 1}})
    data["rules"][1]["max_actions"] = 0
    assert errors_of(data) == [
        "version: expected a positive integer, got '1'",
        "actions[0].levels.from: expected at most to (1), got 2",
        "actions[0].funding[0]: unknown funding route 'opco' (cpf, plan)",
        "actions[1].code: duplicate code 'A-01' (already used at actions[0].code)",
        "actions[1].funding[0]: unknown funding route 'opco' (cpf, plan)",
        "rules[1].max_actions: expected an integer 1..5, got 0",
    ]


def test_an_invalid_rule_is_not_also_reported_as_never_applying():
    data = minimal()
    data["rules"][0]["when"] = {"min_gap": 1}
    data["rules"][1]["when"]["min_gap"] = -1
    assert errors_of(data) == ["rules[1].when.min_gap: expected a number with 0 < x <= 4, got -1"]


def test_an_unknown_competency_is_refused_when_the_codes_are_given(default_text):
    data = yaml.safe_load(default_text)
    data["actions"][12]["competencies"][0] = "PROD.XX"
    codes = {"PROD.LEAN", "PROD.PLAN"}
    errors = errors_of(data, competency_codes=codes)
    assert "actions[12].competencies[0]: unknown competency 'PROD.XX'" in errors
    # Without the codes, only the shape is checked.
    assert parse_catalogue(json.dumps(data)).actions[12].competencies[0] == "PROD.XX"


def test_yaml_problems_are_reported():
    assert errors_of("") == ["(top level): the file is empty"]
    assert errors_of("- a list") == ["(top level): expected a mapping, got a list"]
    duplicated = "key: a\nkey: b\n"
    [error] = errors_of(duplicated)
    assert error.startswith("YAML error at line 2, column 1: found duplicate key 'key'")


def test_missing_and_unknown_top_level_keys():
    data = minimal(extra=1)
    del data["actions"]
    assert errors_of(data) == ["(top level): unknown key 'extra'", "actions: required"]


# --- Round trips -----------------------------------------------------------------------------


def test_dict_round_trip_gives_an_equal_catalogue(default_text):
    catalogue = parse_catalogue(default_text)
    data = catalogue_to_dict(catalogue)
    assert catalogue_from_dict(data) == catalogue
    assert catalogue_from_dict(json.loads(json.dumps(data))) == catalogue
    assert parse_catalogue(json.dumps(data)) == catalogue  # the dict is a valid file
    assert data["actions"][0]["duration_hours"] == 14  # written as in the file
    assert "min_weight" not in data["rules"][1]["when"]


def test_the_dict_keeps_the_yaml_shape():
    assert catalogue_to_dict(parse_catalogue(json.dumps(MINIMAL))) == MINIMAL


# --- Publishing versions (database) ----------------------------------------------------------


def db_state() -> tuple:
    return (
        list(Catalogue.objects.values_list("key", "version", "checksum", "source", "definition")),
        list(
            TrainingAction.objects.values_list(
                "catalogue_id", "code", "cost_min", "cost_max", "duration_hours", "funding"
            )
        ),
    )


def test_import_creates_the_version_and_its_actions(db, default_text):
    catalogue, created = import_catalogue(text=default_text)
    assert created
    spec = parse_catalogue(default_text)
    stored = Catalogue.objects.get()
    assert (stored.key, stored.version) == ("catalogue-autodiag", 1)
    assert stored.title == spec.title
    assert stored.source == default_text
    assert stored.definition == catalogue_to_dict(spec)
    assert len(stored.checksum) == 64
    assert stored.pk == catalogue.pk
    assert TrainingAction.objects.filter(catalogue=stored).count() == 59
    row = TrainingAction.objects.get(catalogue=stored, code="PROD-PROC-01")
    assert row.competencies == ["PROD.PROC", "MAINT.PREV"]
    assert (row.level_from, row.level_to) == (0, 2)
    assert float(row.duration_hours) == 210.0
    assert (row.cost_min, row.cost_max) == (4500, 8500)
    assert row.modality == "certification"
    assert row.funding == ["plan_developpement", "pro_a", "professionnalisation", "cpf"]
    assert row.title == spec.action("PROD-PROC-01").title


def test_importing_the_same_content_again_changes_nothing(db, default_text):
    first, _ = import_catalogue(text=default_text)
    before = db_state()
    again, created = import_catalogue(text=default_text)
    assert not created
    assert again.pk == first.pk
    _, created = import_catalogue(text="# A comment added later.\n" + default_text)
    assert not created
    assert db_state() == before


@pytest.mark.quality("D5")
def test_a_published_catalogue_version_cannot_be_changed(db, default_text):
    import_catalogue(text=default_text)
    before = db_state()
    changed = default_text.replace(
        "cost_per_person: {min: 800, max: 1400}", "cost_per_person: {min: 900, max: 1400}", 1
    )
    assert changed != default_text
    with pytest.raises(CatalogueError) as caught:
        import_catalogue(text=changed)
    assert caught.value.errors == [
        "version: catalogue-autodiag v1 is already published and cannot be changed; "
        "publish the changes as version 2"
    ]
    assert db_state() == before
    stored = Catalogue.objects.get()
    stored.title = {"fr": "Autre", "en": "Other"}
    with pytest.raises(PublishedVersionError):
        stored.save()


def test_the_changes_load_as_the_next_version(db, default_text):
    first, _ = import_catalogue(text=default_text)
    changed = default_text.replace("version: 1\n", "version: 2\n", 1)
    second, created = import_catalogue(text=changed)
    assert created
    assert second.version == 2
    assert latest_catalogue() == second
    assert TrainingAction.objects.filter(catalogue=first).count() == 59
    assert TrainingAction.objects.filter(catalogue=second).count() == 59


def test_latest_catalogue_is_none_without_any(db):
    assert latest_catalogue() is None


def test_import_checks_competencies_against_a_questionnaire(db, default_text):
    spec = parse_questionnaire(QUESTIONNAIRE_FILE.read_text(encoding="utf-8"))
    _, created = import_catalogue(text=default_text, questionnaire_spec=spec)
    assert created
    unknown = default_text.replace("competencies: [PROD.LEAN]", "competencies: [PROD.XX]", 1)
    unknown = unknown.replace("version: 1\n", "version: 2\n", 1)
    with pytest.raises(CatalogueError) as caught:
        import_catalogue(text=unknown, questionnaire_spec=spec)
    assert caught.value.errors == ["actions[0].competencies[0]: unknown competency 'PROD.XX'"]
    assert Catalogue.objects.count() == 1


def test_load_catalogue_loads_the_default_directory(db):
    assert sorted(p.name for p in DEFAULT_CATALOGUE_DIR.glob("*.yaml")) == [
        "catalogue-v1.yaml",
        "catalogue-v2.yaml",
    ]
    call_command("load_questionnaire", stdout=StringIO())
    out = StringIO()
    call_command("load_catalogue", stdout=out)
    assert out.getvalue() == "loaded catalogue-autodiag v1\nloaded catalogue-autodiag v2\n"
    assert TrainingAction.objects.count() == 59 + 91
    assert latest_catalogue().version == 2
    out = StringIO()
    call_command("load_catalogue", stdout=out)
    assert out.getvalue() == "unchanged catalogue-autodiag v1\nunchanged catalogue-autodiag v2\n"
    assert Catalogue.objects.count() == 2


def test_load_catalogue_refuses_an_unknown_competency(db, tmp_path, default_text):
    call_command("load_questionnaire", stdout=StringIO())
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        default_text.replace("competencies: [PROD.PLAN]", "competencies: [PROD.XX]", 1),
        encoding="utf-8",
    )
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match=r"not loaded: broken\.yaml"):
        call_command("load_catalogue", str(broken), stdout=out, stderr=err)
    assert err.getvalue().splitlines() == [
        "broken.yaml: actions[2].competencies[0]: unknown competency 'PROD.XX'"
    ]
    assert out.getvalue() == ""
    assert Catalogue.objects.count() == 0
    assert TrainingAction.objects.count() == 0


def test_load_catalogue_without_questionnaires_checks_only_the_shape(db, tmp_path, default_text):
    renamed = tmp_path / "renamed.yaml"
    renamed.write_text(
        default_text.replace("competencies: [PROD.PLAN]", "competencies: [PROD.XX]", 1),
        encoding="utf-8",
    )
    out = StringIO()
    call_command("load_catalogue", str(renamed), stdout=out)
    assert out.getvalue() == "loaded catalogue-autodiag v1\n"


@pytest.mark.quality("P4")
def test_the_latest_catalogue_is_read_without_its_definition_and_parsed_once(
    db, django_assert_num_queries
):
    stored, _ = import_catalogue(text=(DEFAULT_CATALOGUE_DIR / "catalogue-v1.yaml").read_text())
    first = latest_catalogue()
    assert {"definition", "source"} <= first.get_deferred_fields()
    assert first.spec == catalogue_from_dict(Catalogue.objects.get(pk=stored.pk).definition)
    with django_assert_num_queries(1):  # the row only: the parsed catalogue is kept
        again = latest_catalogue()
        assert again.spec is first.spec
