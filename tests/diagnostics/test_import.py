"""Publishing questionnaire versions: import, immutability, management commands."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from diagnostics.definition import definition_to_dict
from diagnostics.forms import latest_questionnaires
from diagnostics.loader import QuestionnaireError, parse_questionnaire
from diagnostics.models import PublishedVersionError, Question, Questionnaire
from diagnostics.services import DEFAULT_QUESTIONNAIRES_DIR, import_questionnaire

DEFAULT_FILE = DEFAULT_QUESTIONNAIRES_DIR / "competences-industrie-v1.yaml"


@pytest.fixture
def default_text() -> str:
    return DEFAULT_FILE.read_text(encoding="utf-8")


def db_state() -> tuple:
    """Everything the import writes, to compare before and after."""
    return (
        list(Questionnaire.objects.values_list("key", "version", "checksum", "source")),
        list(Question.objects.values_list("questionnaire_id", "code", "position")),
    )


def test_import_creates_the_version_and_its_question_rows_in_order(db, default_text):
    questionnaire, created = import_questionnaire(text=default_text)
    assert created
    spec = parse_questionnaire(default_text)
    assert Questionnaire.objects.count() == 1
    assert (questionnaire.key, questionnaire.version) == ("competences-industrie", 1)
    assert questionnaire.title == spec.title
    assert questionnaire.source == default_text
    assert len(questionnaire.checksum) == 64
    stored = Questionnaire.objects.get()
    assert stored.definition == definition_to_dict(spec)
    assert stored.spec == spec
    rows = list(stored.question_rows.order_by("position"))
    assert len(rows) == 59
    assert [(r.position, r.code, r.domain_code, r.competency_code, r.kind) for r in rows] == [
        (i, q.code, q.domain, q.competency, q.kind) for i, q in enumerate(spec.questions())
    ]


def test_importing_the_same_text_again_changes_nothing(db, default_text):
    first, _ = import_questionnaire(text=default_text)
    before = db_state()
    again, created = import_questionnaire(text=default_text)
    assert not created
    assert again.pk == first.pk
    assert db_state() == before


def test_comments_and_layout_do_not_make_a_new_content(db, default_text):
    import_questionnaire(text=default_text)
    before = db_state()
    _, created = import_questionnaire(text="# A comment added later.\n" + default_text)
    assert not created
    assert db_state() == before  # the first source is kept


@pytest.mark.quality("D5")
def test_a_published_version_cannot_be_changed_by_an_import(db, default_text):
    import_questionnaire(text=default_text)
    before = db_state()
    changed = default_text.replace(
        'title: {fr: "Compétences industrie", en: "Industry skills"}',
        'title: {fr: "Compétences de l’industrie", en: "Industry skills"}',
    )
    assert changed != default_text
    with pytest.raises(QuestionnaireError) as caught:
        import_questionnaire(text=changed)
    assert caught.value.errors == [
        "version: competences-industrie v1 is already published and cannot be changed; "
        "publish the changes as version 2"
    ]
    assert db_state() == before
    # The same changes under a new version number are a new version.
    newer, created = import_questionnaire(text=changed.replace("\nversion: 1\n", "\nversion: 2\n"))
    assert created
    assert newer.version == 2
    assert Question.objects.filter(questionnaire=newer).count() == 59


@pytest.mark.quality("D5")
def test_a_saved_version_cannot_be_saved_again_or_deleted(db, default_text):
    questionnaire, _ = import_questionnaire(text=default_text)
    stored = Questionnaire.objects.get(pk=questionnaire.pk)
    stored.title = {"fr": "Autre", "en": "Other"}
    with pytest.raises(PublishedVersionError):
        stored.save()
    with pytest.raises(PublishedVersionError):
        stored.delete()
    row = stored.question_rows.first()
    row.kind = "text"
    with pytest.raises(PublishedVersionError):
        row.save()
    assert Questionnaire.objects.get().title == parse_questionnaire(default_text).title
    assert Question.objects.filter(kind="text").count() == 3


def test_an_invalid_text_loads_nothing(db, default_text):
    broken = default_text.replace("version: 1\n", "version: 1\nlanguage: fr\n", 1)
    with pytest.raises(QuestionnaireError) as caught:
        import_questionnaire(text=broken)
    assert caught.value.errors == ["(top level): unknown key 'language'"]
    assert Questionnaire.objects.count() == 0
    assert Question.objects.count() == 0


# --- Management commands -------------------------------------------------------------------


def test_load_questionnaire_loads_the_default_directory(db):
    out = StringIO()
    call_command("load_questionnaire", stdout=out)
    shipped = ("competences-industrie v1", "competences-industrie v2", "maturite-alternance v1")
    assert out.getvalue() == "".join(f"loaded {name}\n" for name in shipped)
    assert Question.objects.count() == 59 + 75 + 16
    out = StringIO()
    call_command("load_questionnaire", stdout=out)
    assert out.getvalue() == "".join(f"unchanged {name}\n" for name in shipped)
    assert Questionnaire.objects.count() == 3


def test_the_start_form_offers_the_newest_version_of_each_shipped_questionnaire(db):
    call_command("load_questionnaire", stdout=StringIO())
    assert [(q.key, q.version) for q in latest_questionnaires()] == [
        ("competences-industrie", 2),
        ("maturite-alternance", 1),
    ]


def test_load_questionnaire_reports_every_error_of_a_file(db, tmp_path, default_text):
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        default_text.replace("version: 1\n", "version: 0\n", 1).replace(
            'headcount_in: ["1_9"]', "headcount_in: [1_9]"
        ),
        encoding="utf-8",
    )
    good = tmp_path / "good.yaml"
    good.write_text(default_text, encoding="utf-8")
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match=r"not loaded: broken\.yaml"):
        call_command("load_questionnaire", str(broken), str(good), stdout=out, stderr=err)
    assert err.getvalue().splitlines() == [
        "broken.yaml: version: expected a positive integer, got 0",
        "broken.yaml: domains[7].competencies[2].target_overrides[0].headcount_in[0]: "
        "expected one of 1_9, 10_49, 50_249, 250_499, 500_plus as a quoted string, got 19",
    ]
    assert out.getvalue() == "loaded competences-industrie v1\n"  # the other file still loads
    assert Questionnaire.objects.count() == 1


def test_export_then_parse_gives_the_stored_definition(db, tmp_path):
    call_command("load_questionnaire", stdout=StringIO())
    stored = Questionnaire.objects.get(key="competences-industrie", version=1)
    target = tmp_path / "export.yaml"
    out = StringIO()
    call_command(
        "export_questionnaire", "competences-industrie", "1", "-o", str(target), stdout=out
    )
    assert parse_questionnaire(target.read_text(encoding="utf-8")) == stored.spec
    assert out.getvalue() == f"exported competences-industrie v1 to {target}\n"
    out = StringIO()
    call_command("export_questionnaire", "competences-industrie", "1", stdout=out)
    assert out.getvalue() == target.read_text(encoding="utf-8")


def test_export_of_an_unknown_version_is_a_clear_error(db):
    call_command("load_questionnaire", stdout=StringIO())
    with pytest.raises(CommandError, match="competences-industrie has no version 7; published: v1"):
        call_command("export_questionnaire", "competences-industrie", "7", stdout=StringIO())
    with pytest.raises(CommandError, match="no questionnaire with the key 'nope'"):
        call_command("export_questionnaire", "nope", "1", stdout=StringIO())
