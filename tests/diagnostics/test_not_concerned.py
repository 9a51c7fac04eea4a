"""'Not concerned' answers, exclusive choices and legal obligations in questionnaires."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from diagnostics import services
from diagnostics.definition import Profile, definition_to_dict
from diagnostics.forms import AnswerError, parse_answer
from diagnostics.loader import QuestionnaireError, parse_questionnaire
from diagnostics.models import Answer
from diagnostics.scoring import AnswerValue, score
from tests.samples import SMALL, SMALL_V2

SPEC = parse_questionnaire(SMALL_V2)
PROFILE = Profile(sector="25", headcount_band="10_49")
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def small_v2(db):
    questionnaire, _ = services.import_questionnaire(text=SMALL_V2)
    return questionnaire


@translation.override("en")
def test_not_concerned_is_offered_only_where_the_file_says():
    assert SPEC.question("A.ONE.Q1").not_concerned
    with pytest.raises(AnswerError, match="not offered"):
        parse_answer(SPEC.question("C.SAFE.DUERP"), [], False, not_concerned=True)
    with pytest.raises(AnswerError, match="either"):
        parse_answer(SPEC.question("A.ONE.Q1"), [], True, not_concerned=True)
    answer = parse_answer(SPEC.question("A.ONE.Q1"), ["3"], False, not_concerned=True)
    assert answer == AnswerValue(None, not_concerned=True)


def test_not_concerned_is_out_of_the_score_and_counted_apart():
    answers = {
        "A.ONE.Q1": AnswerValue(None, not_concerned=True),
        "B.TWO.Q1": AnswerValue(80),
        "C.SAFE.DUERP": AnswerValue("yes"),
    }
    results = score(SPEC, answers, PROFILE)
    one = results.competency("A.ONE")
    assert one.level is None  # nothing to score: no gap, so no recommendation
    assert one.gap is None
    assert (one.not_concerned, one.dont_know, one.unanswered) == (1, 0, 0)
    # The reliability share leaves "not concerned" out: 2 known of 3 that apply (B.TWO.Q3
    # is unanswered), not 2 of 4.
    assert results.known_share == pytest.approx(2 / 3, abs=0.01)


@translation.override("en")
def test_an_exclusive_choice_goes_alone():
    question = SPEC.question("B.TWO.Q3")
    assert parse_answer(question, ["none"], False) == AnswerValue(["none"])
    with pytest.raises(AnswerError, match="“None” cannot be combined"):
        parse_answer(question, ["a", "none"], False)


def test_file_errors_point_at_their_place():
    bad = SMALL.replace(
        'kind: yesno\n            text: {fr: "Avez-vous des robots ?"',
        'kind: yesno\n            not_concerned: "oui"\n'
        '            text: {fr: "Avez-vous des robots ?"',
    ).replace(
        'kind: text\n            text: {fr: "Vos besoins ?", en: "Your needs?"}',
        'kind: text\n            obligation: {fr: "X", en: "X"}\n'
        '            text: {fr: "Vos besoins ?", en: "Your needs?"}',
    )
    with pytest.raises(QuestionnaireError) as exc:
        parse_questionnaire(bad)
    text = str(exc.value)
    assert "domains[0].competencies[0].questions[1].not_concerned: expected true or false" in text
    assert "domains[1].competencies[0].questions[1].obligation: only yes/no" in text


def test_version_1_files_keep_their_stored_form():
    """New keys are written only when used, so a published version 1 reloads unchanged."""
    text = (ROOT / "diagnostics/questionnaires/competences-industrie-v1.yaml").read_text()
    stored = repr(definition_to_dict(parse_questionnaire(text)))
    for key in ("not_concerned", "obligation", "exclusive"):
        assert f"'{key}'" not in stored


@pytest.mark.quality("D1", "D6")
def test_not_concerned_is_saved_by_the_page_and_by_autosave(client_for, company_a, start, small_v2):
    diagnostic = start(small_v2)
    client = client_for(company_a.member)
    page = reverse("diagnostics:domain", args=[diagnostic.public_id, "A"])
    form = client.get(page)
    assert 'name="q-A.ONE.Q1-na"' in form.text
    assert 'name="q-A.ONE.Q2-na"' not in form.text
    response = client.post(page, {"q-A.ONE.Q1-v": "0", "q-A.ONE.Q1-na": "1"})
    assert response.status_code == 302
    saved = Answer.objects.get(diagnostic=diagnostic, question__code="A.ONE.Q1")
    assert (saved.not_concerned, saved.value, saved.dont_know) == (True, None, False)
    autosave = reverse("diagnostics:autosave", args=[diagnostic.public_id, "A.ONE.Q1"])
    refused = client.post(autosave, {"version": "1", "not_concerned": "1", "dont_know": "1"})
    assert refused.status_code == 400
    changed = client.post(autosave, {"version": "1", "value": "2"})
    assert changed.json()["status"] == "saved"
    saved.refresh_from_db()
    assert (saved.not_concerned, saved.value) == (False, 2)
