"""Questionnaire YAML: validation with every error in place, and lossless round trips."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from diagnostics.definition import (
    Band,
    Choice,
    Condition,
    TargetOverride,
    definition_from_dict,
    definition_to_dict,
)
from diagnostics.loader import QuestionnaireError, dump_questionnaire, parse_questionnaire

DEFAULT_FILE = (
    Path(__file__).resolve().parents[2]
    / "diagnostics"
    / "questionnaires"
    / "competences-industrie-v1.yaml"
)

MINIMAL = """\
key: mini
version: 1
title: {fr: "Mini", en: "Mini"}
domains:
  - code: PROD
    title: {fr: "Production", en: "Production"}
    competencies:
      - code: PROD.LEAN
        title: {fr: "Lean", en: "Lean"}
        target: 3
        questions:
          - code: PROD.LEAN.Q1
            kind: maturity
            text: {fr: "Où en êtes-vous ?", en: "Where are you?"}
            levels:
              - {fr: "Rien", en: "Nothing"}
              - {fr: "Un peu", en: "A little"}
              - {fr: "Moyen", en: "Some"}
              - {fr: "Bien", en: "Good"}
              - {fr: "Très bien", en: "Very good"}
"""

# Every kind, every condition form, overrides, and the YAML 1.1 traps written correctly.
FULL = """\
key: full-sample
version: 3
title: {fr: "Complet", en: "Full"}
description: {fr: "Description", en: "Description"}
min_known_share: 0.5
domains:
  - code: PROD
    title: {fr: "Production", en: "Production"}
    description: {fr: "Atelier", en: "Shop floor"}
    competencies:
      - code: PROD.LEAN
        title: {fr: "Lean", en: "Lean"}
        description: {fr: "Pertes", en: "Waste"}
        weight: 2
        target: 3
        target_overrides:
          - {headcount_in: ["50_249", "1_9"], sector_in: ["20"], target: 4}
          - {sector_in: ["08"], target: 1}
        questions:
          - code: PROD.LEAN.Q1
            kind: maturity
            text: {fr: "Où en êtes-vous ?", en: "Where are you?"}
            help: {fr: "Aide", en: "Help"}
            weight: 1.5
            levels:
              - {fr: "Rien", en: "Nothing"}
              - {fr: "Un peu", en: "A little"}
              - {fr: "Moyen", en: "Some"}
              - {fr: "Bien", en: "Good"}
              - {fr: "Très bien", en: "Very good"}
          - code: PROD.LEAN.Q2
            kind: single
            text: {fr: "Quel outil ?", en: "Which tool?"}
            choices:
              - {code: "no", label: {fr: "Aucun", en: "None"}, level: 0}
              - {code: sheet, label: {fr: "Tableur", en: "Spreadsheet"}, level: 2}
              - {code: erp, label: {fr: "ERP", en: "ERP"}, level: 4}
          - code: PROD.LEAN.Q3
            kind: multiple
            text: {fr: "Lesquels ?", en: "Which ones?"}
            dont_know: false
            choices:
              - {code: a, label: {fr: "A", en: "A"}, level: 1}
              - {code: b, label: {fr: "B", en: "B"}, level: 2}
            condition: {question: PROD.LEAN.Q2, in: [sheet, erp]}
      - code: PROD.AUTO
        title: {fr: "Automatisation", en: "Automation"}
        target: 2
        questions:
          - code: PROD.AUTO.Q1
            kind: yesno
            text: {fr: "Des robots ?", en: "Robots?"}
            yes_level: 3
            no_level: 1
            condition: {question: PROD.LEAN.Q1, at_least: 2}
          - code: PROD.AUTO.Q2
            kind: number
            text: {fr: "Part ?", en: "Share?"}
            min: 0
            max: 100
            unit: {fr: "%", en: "%"}
            bands:
              - {from: 0, level: 0}
              - {from: 12.5, level: 2}
              - {from: 50, level: 4}
            condition:
              any:
                - {question: PROD.AUTO.Q1, in: ["yes"]}
                - {headcount_in: ["250_499", "500_plus"], sector_in: ["29", "30"]}
          - code: PROD.AUTO.Q3
            kind: number
            text: {fr: "Combien ?", en: "How many?"}
            scored: false
            min: 0
            max: 10
          - code: PROD.AUTO.Q4
            kind: text
            text: {fr: "Commentaire", en: "Comment"}
            scored: false
            max_length: 500
            condition:
              all:
                - {question: PROD.AUTO.Q2, at_least: 12.5}
                - {question: PROD.LEAN.Q3, in: [a]}
                - {sector_in: ["10"]}
"""


def errors_of(text: str) -> list[str]:
    with pytest.raises(QuestionnaireError) as caught:
        parse_questionnaire(text)
    return caught.value.errors


def variant(source: str, old: str, new: str) -> str:
    """The source with one exact passage replaced (the passage must occur once)."""
    assert source.count(old) == 1, old
    return source.replace(old, new)


# --- Valid files --------------------------------------------------------------------------


def test_the_default_questionnaire_parses():
    spec = parse_questionnaire(DEFAULT_FILE.read_text(encoding="utf-8"))
    assert (spec.key, spec.version) == ("competences-industrie", 1)
    assert len(spec.domains) == 8
    assert len(list(spec.competencies())) == 24
    questions = list(spec.questions())
    assert len(questions) == 59
    assert len({q.code for q in questions}) == 59
    for question in questions:
        assert question.code.startswith(question.competency + ".")
        assert question.competency.startswith(question.domain + ".")
    assert spec.question("NUM.AUTO.Q2").condition == Condition(
        op="in", question="NUM.AUTO.Q1", values=("yes",)
    )
    assert spec.question("MGT.ORG.Q3").condition == Condition(
        op="all",
        children=(
            Condition(op="profile", headcount_in=("50_249", "250_499", "500_plus")),
            Condition(op="in", question="MGT.ORG.Q2", values=("yes",)),
        ),
    )
    assert spec.question("QHSE.QUAL.Q3").condition == Condition(
        op="profile", sector_in=("10", "11")
    )
    assert spec.competency("COM.INTL").target_overrides == (
        TargetOverride(target=1, headcount_in=("1_9",)),
    )
    text_questions = [q for q in questions if q.kind == "text"]
    assert text_questions
    assert not any(q.is_scored for q in text_questions)


def test_a_minimal_file_gets_the_defaults():
    spec = parse_questionnaire(MINIMAL)
    assert spec.description is None
    assert spec.min_known_share == 0.6
    competency = spec.competency("PROD.LEAN")
    assert (competency.weight, competency.target, competency.target_overrides) == (1, 3, ())
    (question,) = competency.questions
    assert (question.domain, question.competency) == ("PROD", "PROD.LEAN")
    assert (question.weight, question.scored, question.dont_know) == (1.0, True, True)
    assert question.help is None
    assert question.condition is None
    assert question.levels[4] == {"fr": "Très bien", "en": "Very good"}
    assert isinstance(question.levels, tuple)


def test_the_full_sample_parses_to_the_expected_objects():
    spec = parse_questionnaire(FULL)
    assert spec.min_known_share == 0.5
    assert spec.competency("PROD.LEAN").target_overrides == (
        TargetOverride(target=4, headcount_in=("50_249", "1_9"), sector_in=("20",)),
        TargetOverride(target=1, sector_in=("08",)),
    )
    assert spec.question("PROD.LEAN.Q1").weight == 1.5
    assert spec.question("PROD.LEAN.Q2").choices[0] == Choice(
        code="no", label={"fr": "Aucun", "en": "None"}, level=0
    )
    yesno = spec.question("PROD.AUTO.Q1")
    assert (yesno.yes_level, yesno.no_level) == (3, 1)
    assert yesno.condition == Condition(op="at_least", question="PROD.LEAN.Q1", at_least=2.0)
    number = spec.question("PROD.AUTO.Q2")
    assert (number.min, number.max, number.unit) == (0.0, 100.0, {"fr": "%", "en": "%"})
    assert number.bands == (Band(0.0, 0), Band(12.5, 2), Band(50.0, 4))
    assert number.condition == Condition(
        op="any",
        children=(
            Condition(op="in", question="PROD.AUTO.Q1", values=("yes",)),
            Condition(op="profile", headcount_in=("250_499", "500_plus"), sector_in=("29", "30")),
        ),
    )
    assert spec.question("PROD.AUTO.Q3").bands == ()
    comment = spec.question("PROD.AUTO.Q4")
    assert (comment.scored, comment.is_scored, comment.max_length) == (False, False, 500)
    assert comment.condition.children[0] == Condition(
        op="at_least", question="PROD.AUTO.Q2", at_least=12.5
    )


def test_a_text_question_without_scored_is_not_scored():
    text = variant(FULL, "            scored: false\n            max_length: 500\n", "")
    comment = parse_questionnaire(text).question("PROD.AUTO.Q4")
    assert (comment.scored, comment.max_length) == (False, 2000)


# --- Invalid files: each error at its place -----------------------------------------------

Q = "domains[0].competencies[0].questions"  # PROD.LEAN's questions
A = "domains[0].competencies[1].questions"  # PROD.AUTO's questions

INVALID_CASES = [
    pytest.param(
        '              - {fr: "Très bien", en: "Very good"}\n',
        "",
        f"{Q}[0].levels: expected 5 descriptors, got 4",
        id="descriptor-count",
    ),
    pytest.param(
        "            dont_know: false\n",
        "            dont_know: false\n            scorred: false\n",
        f"{Q}[2]: unknown key 'scorred'",
        id="unknown-question-key",
    ),
    pytest.param(
        "min_known_share: 0.5\n",
        "min_known_share: 0.5\nlanguage: fr\n",
        "(top level): unknown key 'language'",
        id="unknown-top-level-key",
    ),
    pytest.param(
        "          - code: PROD.LEAN.Q3\n",
        "          - code: PROD.LEAN.Q2\n",
        f"{Q}[2].code: duplicate code 'PROD.LEAN.Q2' (already used at {Q}[1].code)",
        id="duplicate-question-code",
    ),
    pytest.param(
        "      - code: PROD.AUTO\n",
        "      - code: MAINT.AUTO\n",
        "domains[0].competencies[1].code: expected a code PROD.[A-Z0-9_]+, got 'MAINT.AUTO'",
        id="competency-prefix",
    ),
    pytest.param(
        "          - code: PROD.AUTO.Q3\n",
        "          - code: PROD.LEAN.Q9\n",
        f"{A}[2].code: expected a code PROD.AUTO.[A-Z0-9_]+, got 'PROD.LEAN.Q9'",
        id="question-prefix",
    ),
    pytest.param(
        "{question: PROD.LEAN.Q1, at_least: 2}",
        "{question: PROD.AUTO.Q2, at_least: 2}",
        f"{A}[0].condition.question: 'PROD.AUTO.Q2' is not an earlier question: "
        "a condition may only use questions that come before it in the file",
        id="condition-on-later-question",
    ),
    pytest.param(
        "{question: PROD.LEAN.Q1, at_least: 2}",
        "{question: PROD.AUTO.Q1, at_least: 2}",
        f"{A}[0].condition.question: 'PROD.AUTO.Q1' is not an earlier question: "
        "a condition may only use questions that come before it in the file",
        id="condition-on-itself",
    ),
    pytest.param(
        "{question: PROD.LEAN.Q1, at_least: 2}",
        "{question: PROD.LEAN.Q7, at_least: 2}",
        f"{A}[0].condition.question: unknown question 'PROD.LEAN.Q7'",
        id="condition-on-unknown-question",
    ),
    pytest.param(
        "in: [sheet, erp]",
        "in: [sheet, paper]",
        f"{Q}[2].condition.in[1]: 'paper' is not a choice of PROD.LEAN.Q2 (no, sheet, erp)",
        id="unknown-choice-in-condition",
    ),
    pytest.param(
        "{question: PROD.LEAN.Q3, in: [a]}",
        "{question: PROD.LEAN.Q1, in: [a]}",
        f"{A}[3].condition.all[1].in: needs a single, multiple or yesno question; "
        "PROD.LEAN.Q1 is a maturity question (use at_least)",
        id="in-on-maturity",
    ),
    pytest.param(
        "{question: PROD.LEAN.Q1, at_least: 2}",
        "{question: PROD.LEAN.Q1, at_least: 5}",
        f"{A}[0].condition.at_least: must be within 0..4 for a maturity question, got 5",
        id="at-least-out-of-range",
    ),
    pytest.param(
        '{headcount_in: ["50_249", "1_9"], sector_in: ["20"], target: 4}',
        '{headcount_in: [50_249, "1_9"], sector_in: ["20"], target: 4}',
        "domains[0].competencies[0].target_overrides[0].headcount_in[0]: expected one of "
        "1_9, 10_49, 50_249, 250_499, 500_plus as a quoted string, got 50249",
        id="unquoted-headcount-band",
    ),
    pytest.param(
        '{headcount_in: ["250_499", "500_plus"], sector_in: ["29", "30"]}',
        '{headcount_in: ["250_499", "500_plus"], sector_in: [29, "30"]}',
        f"{A}[1].condition.any[1].sector_in[0]: expected a 2-digit sector code "
        'as a quoted string (like "20"), got 29',
        id="unquoted-sector",
    ),
    pytest.param(
        '{question: PROD.AUTO.Q1, in: ["yes"]}',
        "{question: PROD.AUTO.Q1, in: [yes]}",
        f'{A}[1].condition.any[0].in[0]: expected "yes" or "no", got True: write "yes" in quotes',
        id="unquoted-yes",
    ),
    pytest.param(
        '{code: "no", label',
        "{code: no, label",
        f'{Q}[1].choices[0].code: got False: write "no" in quotes',
        id="unquoted-no-choice-code",
    ),
    pytest.param(
        "              - {from: 12.5, level: 2}\n              - {from: 50, level: 4}\n",
        "              - {from: 50, level: 2}\n              - {from: 12.5, level: 4}\n",
        f"{A}[1].bands[2].from: must be greater than the previous band's from (50), got 12.5",
        id="bands-not-ascending",
    ),
    pytest.param(
        "              - {from: 0, level: 0}\n",
        "              - {from: 5, level: 0}\n",
        f"{A}[1].bands[0].from: the first band must start at min (0), got 5",
        id="first-band-not-at-min",
    ),
    pytest.param(
        "              - {from: 50, level: 4}\n",
        "              - {from: 150, level: 4}\n",
        f"{A}[1].bands[2].from: must be within min..max (0..100), got 150",
        id="band-beyond-max",
    ),
    pytest.param(
        "              - {from: 50, level: 4}\n",
        "              - {from: 50, level: 5}\n",
        f"{A}[1].bands[2].level: expected an integer 0..4, got 5",
        id="band-level-out-of-range",
    ),
    pytest.param(
        "            min: 0\n            max: 10\n",
        "            min: 0\n            max: 1e3\n",
        f"{A}[2].max: expected a number, got '1e3' "
        "(YAML 1.1 reads it as text: write 1000 or 1.0e+3, not 1e3)",
        id="number-read-as-text",
    ),
    pytest.param(
        "            min: 0\n            max: 10\n",
        "            min: 10\n            max: 10\n",
        f"{A}[2].max: must be greater than min (10), got 10",
        id="max-not-above-min",
    ),
    pytest.param(
        '            unit: {fr: "%", en: "%"}\n            bands:\n'
        "              - {from: 0, level: 0}\n"
        "              - {from: 12.5, level: 2}\n"
        "              - {from: 50, level: 4}\n",
        "",
        f"{A}[1].bands: required for a scored number question",
        id="scored-number-without-bands",
    ),
    pytest.param(
        'text: {fr: "Des robots ?", en: "Robots?"}',
        'text: {fr: "Des robots ?"}',
        f"{A}[0].text.en: required",
        id="missing-en-text",
    ),
    pytest.param(
        'text: {fr: "Des robots ?", en: "Robots?"}',
        'text: {fr: "Des robots ?", en: "  "}',
        f"{A}[0].text.en: must not be empty",
        id="empty-en-text",
    ),
    pytest.param(
        'title: {fr: "Complet", en: "Full"}',
        'title: {fr: "Complet", en: "Full", de: "Voll"}',
        "title: unknown key 'de'",
        id="unknown-language",
    ),
    pytest.param(
        "            scored: false\n            max_length: 500\n",
        "            scored: true\n            max_length: 500\n",
        f"{A}[3].scored: text questions are never scored: write false or remove it",
        id="scored-text-question",
    ),
    pytest.param(
        "            yes_level: 3\n",
        "            yes_level: 3\n            max_length: 10\n",
        f"{A}[0].max_length: only for text questions, this one is yesno",
        id="key-of-another-kind",
    ),
    pytest.param(
        "            kind: yesno\n",
        "            kind: boolean\n",
        f"{A}[0].kind: expected one of maturity, single, multiple, yesno, number, text, "
        "got 'boolean'",
        id="unknown-kind",
    ),
    pytest.param(
        '              - {code: erp, label: {fr: "ERP", en: "ERP"}, level: 4}\n',
        '              - {code: sheet, label: {fr: "ERP", en: "ERP"}, level: 4}\n',
        f"{Q}[1].choices[2].code: duplicate choice code 'sheet'",
        id="duplicate-choice-code",
    ),
    pytest.param(
        '{code: erp, label: {fr: "ERP", en: "ERP"}, level: 4}',
        '{code: erp, label: {fr: "ERP", en: "ERP"}}',
        f"{Q}[1].choices[2].level: required",
        id="scored-choice-without-level",
    ),
    pytest.param(
        '              - {code: b, label: {fr: "B", en: "B"}, level: 2}\n',
        "",
        f"{Q}[2].choices: expected at least 2 choices, got 1",
        id="single-choice",
    ),
    pytest.param(
        "version: 3\n",
        "version: 0\n",
        "version: expected a positive integer, got 0",
        id="version-zero",
    ),
    pytest.param(
        "key: full-sample\n",
        "key: Full_Sample\n",
        "key: expected a slug [a-z0-9-]+, got 'Full_Sample'",
        id="key-not-a-slug",
    ),
    pytest.param(
        "min_known_share: 0.5\n",
        "min_known_share: 1.5\n",
        "min_known_share: expected a number with 0 < x <= 1, got 1.5",
        id="min-known-share",
    ),
    pytest.param(
        "        weight: 2\n        target: 3\n",
        "        weight: 4\n        target: 3\n",
        "domains[0].competencies[0].weight: expected an integer 1..3, got 4",
        id="competency-weight",
    ),
    pytest.param(
        "        weight: 2\n        target: 3\n",
        "        weight: 2\n",
        "domains[0].competencies[0].target: required",
        id="missing-target",
    ),
    pytest.param(
        "            weight: 1.5\n",
        "            weight: 0\n",
        f"{Q}[0].weight: expected a positive number, got 0",
        id="question-weight",
    ),
    pytest.param(
        '          - {sector_in: ["08"], target: 1}\n',
        "          - {target: 1}\n",
        "domains[0].competencies[0].target_overrides[1]: expected headcount_in and/or sector_in",
        id="override-without-profile",
    ),
    pytest.param(
        '                - {sector_in: ["10"]}\n',
        '                - {sector_in: ["10"], question: PROD.LEAN.Q1, at_least: 1}\n',
        f"{A}[3].condition.all[2]: 'sector_in' cannot be mixed with 'question': use all: [...]",
        id="mixed-condition",
    ),
    pytest.param(
        '                - {sector_in: ["10"]}\n',
        '                - {sector: ["10"]}\n',
        f"{A}[3].condition.all[2]: expected one of the forms {{question, in}}, "
        "{question, at_least}, {headcount_in and/or sector_in}, {all}, {any}",
        id="unknown-condition-form",
    ),
    pytest.param(
        "            condition: {question: PROD.LEAN.Q2, in: [sheet, erp]}\n",
        "            condition: {question: PROD.LEAN.Q2}\n",
        f"{Q}[2].condition: expected either 'in' or 'at_least' with 'question'",
        id="condition-without-test",
    ),
    pytest.param(
        "              all:\n",
        "              all: []\n              any:\n",
        f"{A}[3].condition: use either 'all' or 'any', not both: nest one in the other",
        id="all-and-any",
    ),
]


@pytest.mark.parametrize(("old", "new", "expected"), INVALID_CASES)
def test_an_invalid_file_reports_the_error_at_its_place(old, new, expected):
    errors = errors_of(variant(FULL, old, new))
    assert expected in errors, "\n".join(errors)


def test_the_minimal_file_cannot_lose_its_only_question():
    text = MINIMAL[: MINIMAL.index("        questions:")] + "        questions: []\n"
    assert errors_of(text) == [
        "domains[0].competencies[0].questions: expected at least 1 question, got 0"
    ]


def test_every_error_is_reported_at_once():
    text = variant(FULL, "version: 3\n", "version: three\n")
    text = variant(
        text,
        "            dont_know: false\n",
        "            dont_know: false\n            scorred: 1\n",
    )
    text = variant(text, '              - {fr: "Très bien", en: "Very good"}\n', "")
    text = variant(text, 'sector_in: ["20"], target: 4', "sector_in: [20], target: 4")
    text = variant(text, "in: [sheet, erp]", "in: [sheet, paper]")
    text = variant(text, 'en: "Robots?"', 'en: ""')
    errors = errors_of(text)
    assert errors == [
        "version: expected a positive integer, got 'three'",
        "domains[0].competencies[0].target_overrides[0].sector_in[0]: expected a 2-digit "
        'sector code as a quoted string (like "20"), got 20',
        f"{Q}[0].levels: expected 5 descriptors, got 4",
        f"{Q}[2]: unknown key 'scorred'",
        f"{Q}[2].condition.in[1]: 'paper' is not a choice of PROD.LEAN.Q2 (no, sheet, erp)",
        f"{A}[0].text.en: must not be empty",
    ]


def test_the_error_lists_one_problem_per_line():
    error = QuestionnaireError(["version: wrong", "key: wrong"])
    assert str(error) == "version: wrong\nkey: wrong"
    assert error.errors == ["version: wrong", "key: wrong"]


def test_a_yaml_syntax_error_is_one_error_with_its_line_and_column():
    text = variant(MINIMAL, 'title: {fr: "Mini", en: "Mini"}\n', 'title: {fr: "Mini"\n')
    errors = errors_of(text)
    assert len(errors) == 1
    assert errors[0].startswith("YAML error at line 4, column 1: ")


def test_a_key_written_twice_is_an_error():
    text = variant(MINIMAL, "version: 1\n", "version: 1\nversion: 2\n")
    assert errors_of(text) == [
        "YAML error at line 3, column 1: found duplicate key 'version' (first at line 2) "
        "(while constructing a mapping at line 1)"
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "(top level): the file is empty"),
        ("- a\n- b\n", "(top level): expected a mapping, got a list"),
    ],
)
def test_a_file_that_is_not_a_questionnaire(text, expected):
    assert errors_of(text) == [expected]


# --- Round trips --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "source",
    [DEFAULT_FILE.read_text(encoding="utf-8"), MINIMAL, FULL],
    ids=["default", "min", "full"],
)
def test_dump_then_parse_gives_the_same_definition(source):
    spec = parse_questionnaire(source)
    assert parse_questionnaire(dump_questionnaire(spec)) == spec


@pytest.mark.parametrize(
    "source",
    [DEFAULT_FILE.read_text(encoding="utf-8"), MINIMAL, FULL],
    ids=["default", "min", "full"],
)
def test_the_dict_form_survives_json(source):
    spec = parse_questionnaire(source)
    data = json.loads(json.dumps(definition_to_dict(spec)))
    assert data == definition_to_dict(spec)
    assert definition_from_dict(data) == spec
    assert definition_from_dict(definition_to_dict(spec)) == spec


def test_the_dump_quotes_what_yaml_would_misread():
    dumped = dump_questionnaire(parse_questionnaire(FULL))
    for quoted in ("'50_249'", "'1_9'", "'20'", "'yes'", "code: 'no'"):
        assert quoted in dumped
    assert yaml.safe_load(dumped)["domains"][0]["competencies"][0]["target_overrides"][0] == {
        "headcount_in": ["50_249", "1_9"],
        "sector_in": ["20"],
        "target": 4,
    }


TRICKY_STRINGS = [
    "yes",
    "no",
    "on",
    "off",
    "true",
    "null",
    "~",
    "1_9",
    "50_249",
    "20",
    "0.5",
    "1e3",
    "- a",
    "a: b",
    "# x",
    "'q'",
    '"q"',
    "{x}",
    "[x]",
    "@x",
    "%",
    "&a",
    "*a",
    "!x",
    "a\nb",
    " lead",
    "trail ",
    "tab\tx",
    "é’«»",
    "nbsp\xa0?",
    "nel\x85x",
    "ls\u2028x",
    "cr\rx",
    "bom\ufeff",
]


@pytest.mark.parametrize("value", TRICKY_STRINGS)
def test_a_tricky_text_survives_the_dump(value):
    data = definition_to_dict(parse_questionnaire(MINIMAL))
    data["title"] = {"fr": value, "en": value}
    data["domains"][0]["competencies"][0]["questions"][0]["levels"][0] = {"fr": value, "en": "x"}
    spec = definition_from_dict(data)
    assert parse_questionnaire(dump_questionnaire(spec)) == spec


texts = st.one_of(st.sampled_from(TRICKY_STRINGS), st.text(min_size=1, max_size=40)).filter(
    lambda s: s.strip()
)


@settings(max_examples=150, deadline=None)
@given(
    fr=texts,
    en=texts,
    code=st.sampled_from(["no", "yes", "on", "off", "y", "n", "1_9", "0", "12", "x_1"]),
    sector=st.sampled_from(["00", "07", "08", "09", "10", "20", "99"]),
    band=st.sampled_from(["1_9", "10_49", "50_249", "250_499", "500_plus"]),
    weight=st.floats(min_value=0.001, max_value=1000, allow_nan=False),
)
def test_round_trip_of_tricky_values(fr, en, code, sector, band, weight):
    text = variant(FULL, 'title: {fr: "Complet", en: "Full"}', "title: {fr: x, en: y}")
    text = variant(text, '{code: "no", label', '{code: "z", label')
    spec = parse_questionnaire(text)
    data = definition_to_dict(spec)
    data["title"] = {"fr": fr, "en": en}
    question = data["domains"][0]["competencies"][0]["questions"][1]
    question["choices"][0]["code"] = code
    question["choices"][0]["label"] = {"fr": en, "en": fr}
    question["weight"] = weight
    data["domains"][0]["competencies"][0]["target_overrides"][0]["sector_in"] = [sector]
    data["domains"][0]["competencies"][0]["target_overrides"][0]["headcount_in"] = [band]
    changed = definition_from_dict(data)
    assert parse_questionnaire(dump_questionnaire(changed)) == changed
