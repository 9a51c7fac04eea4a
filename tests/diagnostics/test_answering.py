from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Membership
from diagnostics import services
from diagnostics.answering import domain_urls
from diagnostics.models import Answer, Diagnostic
from diagnostics.scoring import AnswerValue
from reports import services as report_services
from tests.conftest import run_together


def save_url(diagnostic, code):
    return reverse("diagnostics:autosave", args=[diagnostic.public_id, code])


def domain_url(diagnostic, code="A"):
    return reverse("diagnostics:domain", args=[diagnostic.public_id, code])


def give(diagnostic, user, code, answer, base=0):
    """`user` saves `answer` to question `code` (services.save_answer)."""
    return services.save_answer(
        diagnostic=diagnostic, question_code=code, answer=answer, user=user, base_version=base
    )


@pytest.fixture
def en(client):
    client.cookies["django_language"] = "en"
    return client


# --- starting -----------------------------------------------------------------------------


def test_admin_starts_a_diagnostic_on_the_latest_version(
    client_for, company_a, small_questionnaire
):
    client = client_for(company_a.admin)
    page = client.get(reverse("diagnostics:list"))
    assert page.status_code == 200
    assert "Petit questionnaire" in page.text
    response = client.post(
        reverse("diagnostics:start"),
        {"questionnaire": small_questionnaire.pk, "mode": "individual"},
    )
    diagnostic = Diagnostic.objects.get()
    assert response.status_code == 302
    assert diagnostic.company == company_a.company
    assert (diagnostic.mode, diagnostic.sector, diagnostic.headcount_band) == (
        "individual",
        "25",
        "10_49",
    )


def test_member_cannot_start_a_diagnostic(client_for, company_a, small_questionnaire):
    response = client_for(company_a.member).post(
        reverse("diagnostics:start"),
        {"questionnaire": small_questionnaire.pk, "mode": "collective"},
    )
    assert response.status_code == 403
    assert not Diagnostic.objects.exists()


def test_start_with_bad_input_is_refused(client_for, company_a, small_questionnaire, en):
    response = client_for(company_a.admin).post(
        reverse("diagnostics:start"), {"questionnaire": 999999, "mode": "collective"}
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.text
    assert not Diagnostic.objects.exists()


def test_start_refuses_get(client_for, company_a):
    assert client_for(company_a.admin).get(reverse("diagnostics:start")).status_code == 405


def test_starting_again_leads_to_the_diagnostic_in_progress(
    client_for, company_a, small_questionnaire, start, catalogue
):
    """A second click on the start button, or the form sent again: one diagnostic in
    progress, which colleagues answer together; another way of answering starts another."""
    client = client_for(company_a.admin)
    data = {"questionnaire": small_questionnaire.pk, "mode": "collective"}
    first = client.post(reverse("diagnostics:start"), data)
    draft = Diagnostic.objects.get()
    assert first["Location"] == reverse("diagnostics:overview", args=[draft.public_id])
    again = client.post(reverse("diagnostics:start"), data, follow=True)
    assert again.redirect_chain == [(first["Location"], 302)]
    assert (
        "Un diagnostic sur ce questionnaire, avec cette façon de répondre, est déjà en cours"
        in (again.text)
    )
    assert Diagnostic.objects.count() == 1

    client.post(reverse("diagnostics:start"), {**data, "mode": "individual"})
    assert Diagnostic.objects.filter(mode="individual").count() == 1
    give(draft, company_a.admin, "A.ONE.Q1", AnswerValue(1))
    report_services.submit(diagnostic=draft, user=company_a.admin)
    client.post(reverse("diagnostics:start"), data)  # the next one, once it is submitted
    assert Diagnostic.objects.filter(mode="collective", status="draft").exclude(pk=draft.pk)
    with pytest.raises(services.DiagnosticInProgressError):
        start(small_questionnaire, mode="individual")


@pytest.mark.django_db(transaction=True)
def test_two_starts_at_once_start_one_diagnostic(company_a, small_questionnaire):
    admin = Membership.objects.get(user=company_a.admin)

    def start_it():
        try:
            return services.start_diagnostic(
                membership=admin, questionnaire=small_questionnaire, mode="collective"
            ).public_id
        except services.DiagnosticInProgressError as exc:
            return exc.public_id

    outcomes = run_together(start_it)
    started = Diagnostic.objects.get()
    assert outcomes == [started.public_id, started.public_id]


# --- answering page -------------------------------------------------------------------------


def test_domain_page_shows_questions_and_hides_conditional_ones(client_for, company_a, diagnostic):
    response = client_for(company_a.member).get(domain_url(diagnostic))
    assert response.status_code == 200
    assert "Niveau de la première pratique ?" in response.text
    assert 'id="q-A.ONE.Q3"' in response.text
    assert response.text.count("hidden disabled") == 1


def test_unknown_domain_is_404(client_for, company_a, diagnostic):
    assert client_for(company_a.member).get(domain_url(diagnostic, "ZZ")).status_code == 404


@pytest.mark.quality("S1")
def test_outsider_gets_404_on_every_diagnostic_page(client_for, outsider, diagnostic):
    client = client_for(outsider)
    assert client.get(domain_url(diagnostic)).status_code == 404
    assert (
        client.get(reverse("diagnostics:overview", args=[diagnostic.public_id])).status_code == 404
    )
    assert (
        client.get(reverse("diagnostics:results", args=[diagnostic.public_id])).status_code == 404
    )
    assert (
        client.post(save_url(diagnostic, "A.ONE.Q1"), {"value": "2", "version": "0"}).status_code
        == 404
    )
    submit = reverse("reports:submit", args=[diagnostic.public_id])
    assert client.post(submit, {"confirm": "1"}).status_code == 404
    assert not Answer.objects.exists()


# --- autosave -------------------------------------------------------------------------------


@pytest.mark.quality("D1")
def test_each_answer_is_saved_as_given_and_resumes_in_another_browser(
    client_for, company_a, diagnostic
):
    client = client_for(company_a.member)
    response = client.post(save_url(diagnostic, "A.ONE.Q1"), {"value": "3", "version": "0"})
    assert response.status_code == 200
    assert response.json()["status"] == "saved"
    assert response.json()["version"] == 1
    answer = Answer.objects.get()
    assert (answer.value, answer.answered_by, answer.company) == (
        3,
        company_a.member,
        company_a.company,
    )
    other_browser = Client()
    other_browser.force_login(company_a.member)
    page = other_browser.get(domain_url(diagnostic))
    assert 'value="3" checked' in page.text


def test_autosave_reveals_conditional_questions(client_for, company_a, diagnostic):
    client = client_for(company_a.member)
    response = client.post(save_url(diagnostic, "A.ONE.Q2"), {"value": "yes", "version": "0"})
    assert "A.ONE.Q3" in response.json()["visible"]
    assert response.json()["progress"] == {"answered": 1, "visible": 6, "to_confirm": 0}


def test_dont_know_is_stored_as_an_answer(client_for, company_a, diagnostic):
    client = client_for(company_a.member)
    response = client.post(save_url(diagnostic, "A.ONE.Q1"), {"dont_know": "1", "version": "0"})
    assert response.status_code == 200
    answer = Answer.objects.get()
    assert answer.dont_know
    assert answer.value is None


@pytest.mark.quality("D6")
@pytest.mark.parametrize(
    ("code", "data", "message"),
    [
        ("A.ONE.Q1", {"value": "7"}, "levels 0 to 4"),
        ("A.ONE.Q1", {"value": "x"}, "levels 0 to 4"),
        ("A.ONE.Q1", {"value": ["1", "2"]}, "single answer"),
        ("B.TWO.Q1", {"value": "abc"}, "Type a number"),
        ("B.TWO.Q1", {"value": "150"}, "between 0 and 100"),
        ("B.TWO.Q1", {"value": "nan"}, "between 0 and 100"),
        ("B.TWO.Q2", {"value": "x" * 51}, "under 50 characters"),
        ("B.TWO.Q3", {"value": ["a", "zz"]}, "options offered"),
        ("A.ONE.Q2", {"value": "maybe"}, "yes or no"),
        ("A.ONE.Q2", {"dont_know": "1"}, "not offered"),
        ("NOPE.Q1", {"value": "1"}, "not part of this diagnostic"),
    ],
)
def test_invalid_answers_are_refused_and_never_stored(
    client_for, company_a, diagnostic, en, code, data, message
):
    response = client_for(company_a.member).post(
        save_url(diagnostic, code), {**data, "version": "0"}
    )
    assert response.status_code == 400
    assert message in response.json()["error"]
    assert not Answer.objects.exists()


@pytest.mark.quality("D6")
def test_question_of_another_questionnaire_is_refused(
    client_for, company_a, diagnostic, default_questionnaire
):
    response = client_for(company_a.member).post(
        save_url(diagnostic, "PROD.LEAN.Q1"), {"value": "2", "version": "0"}
    )
    assert response.status_code == 400
    assert not Answer.objects.exists()


def test_decimal_comma_is_accepted(client_for, company_a, diagnostic):
    client_for(company_a.member).post(
        save_url(diagnostic, "B.TWO.Q1"), {"value": "12,5", "version": "0"}
    )
    assert Answer.objects.get().value == 12.5


@pytest.mark.quality("D2")
def test_expired_session_gets_401_json_and_stores_nothing(client, diagnostic):
    response = client.post(save_url(diagnostic, "A.ONE.Q1"), {"value": "2", "version": "0"})
    assert response.status_code == 401
    assert response.json()["status"] == "login"
    assert not Answer.objects.exists()


def test_autosave_refuses_get(client_for, company_a, diagnostic):
    assert client_for(company_a.member).get(save_url(diagnostic, "A.ONE.Q1")).status_code == 405


# --- several people at once -------------------------------------------------------------------


@pytest.mark.quality("D4")
def test_two_colleagues_on_different_questions_are_both_saved(company_a, diagnostic):
    alice, bob = Client(), Client()
    alice.force_login(company_a.admin)
    bob.force_login(company_a.member)
    assert (
        alice.post(save_url(diagnostic, "A.ONE.Q1"), {"value": "1", "version": "0"}).status_code
        == 200
    )
    assert (
        bob.post(save_url(diagnostic, "B.TWO.Q1"), {"value": "40", "version": "0"}).status_code
        == 200
    )
    stored = dict(Answer.objects.values_list("question__code", "value"))
    assert stored == {"A.ONE.Q1": 1, "B.TWO.Q1": 40}


@pytest.mark.quality("D4")
def test_same_question_second_save_is_told_of_the_conflict_then_confirms(company_a, diagnostic):
    alice, bob = Client(), Client()
    alice.force_login(company_a.admin)
    bob.force_login(company_a.member)
    alice.post(save_url(diagnostic, "A.ONE.Q1"), {"value": "1", "version": "0"})
    # Bob's page was loaded before Alice answered: his save is based on version 0.
    conflict = bob.post(save_url(diagnostic, "A.ONE.Q1"), {"value": "4", "version": "0"})
    assert conflict.status_code == 409
    body = conflict.json()
    assert body["status"] == "conflict"
    assert company_a.admin.full_name in body["message"]
    assert "Un peu" in body["message"]  # Alice's value, as Bob reads it
    assert Answer.objects.get().value == 1  # nothing overwritten silently
    confirmed = bob.post(
        save_url(diagnostic, "A.ONE.Q1"), {"value": "4", "version": str(body["version"])}
    )
    assert confirmed.status_code == 200
    answer = Answer.objects.get()
    assert (answer.value, answer.version, answer.answered_by) == (4, 2, company_a.member)


def test_saving_the_same_value_as_the_other_person_is_no_conflict(company_a, diagnostic):
    alice, bob = Client(), Client()
    alice.force_login(company_a.admin)
    bob.force_login(company_a.member)
    alice.post(save_url(diagnostic, "A.ONE.Q1"), {"value": "2", "version": "0"})
    assert (
        bob.post(save_url(diagnostic, "A.ONE.Q1"), {"value": "2", "version": "0"}).status_code
        == 200
    )


def test_individual_mode_keeps_one_answer_set_per_respondent(company_a, start, small_questionnaire):
    diagnostic = start(small_questionnaire, mode="individual")
    alice, bob = Client(), Client()
    alice.force_login(company_a.admin)
    bob.force_login(company_a.member)
    assert (
        alice.post(save_url(diagnostic, "A.ONE.Q1"), {"value": "1", "version": "0"}).status_code
        == 200
    )
    assert (
        bob.post(save_url(diagnostic, "A.ONE.Q1"), {"value": "4", "version": "0"}).status_code
        == 200
    )
    assert sorted(Answer.objects.values_list("respondent_id", "value")) == sorted(
        [(company_a.admin.pk, 1), (company_a.member.pk, 4)]
    )
    assert 'value="1" checked' in alice.get(domain_url(diagnostic)).text


# --- the page without JavaScript ---------------------------------------------------------------


def test_form_post_saves_the_page_without_javascript(client_for, company_a, diagnostic):
    client = client_for(company_a.member)
    response = client.post(
        domain_url(diagnostic, "B"),
        {
            "q-B.TWO.Q1-v": "0",
            "q-B.TWO.Q1": "80",
            "q-B.TWO.Q2-v": "0",
            "q-B.TWO.Q2": "Soudure <script>alert(1)</script>",
            "q-B.TWO.Q3-v": "0",
            "q-B.TWO.Q3": ["a", "b"],
        },
    )
    assert response.status_code == 302
    stored = dict(Answer.objects.values_list("question__code", "value"))
    assert stored == {
        "B.TWO.Q1": 80,
        "B.TWO.Q2": "Soudure <script>alert(1)</script>",
        "B.TWO.Q3": ["a", "b"],
    }
    page = client.get(domain_url(diagnostic, "B"))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "<script>alert(1)" not in page.text


def test_question_cards_escape_who_answered_and_keep_the_markup_autosave_uses(
    client_for, company_a, diagnostic
):
    """The cards are built in Python (diagnostics.cards): a colleague's name is escaped,
    and each card keeps what autosave.js reads."""
    company_a.admin.full_name = '<img src=x onerror="alert(1)">'
    company_a.admin.save(update_fields=["full_name"])
    give(diagnostic, company_a.admin, "B.TWO.Q1", AnswerValue(80))
    page = client_for(company_a.member).get(domain_url(diagnostic, "B")).text
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in page
    card = page[
        page.index('id="q-B.TWO.Q1"') : page.index("</fieldset>", page.index('id="q-B.TWO.Q1"'))
    ]
    save_url = reverse("diagnostics:autosave", args=[diagnostic.public_id, "B.TWO.Q1"])
    for part in (
        'data-code="B.TWO.Q1"',
        'data-kind="number"',
        f'data-save-url="{save_url}"',
        'class="question-body"',
        'name="q-B.TWO.Q1-v" value="1" data-version',
        'name="q-B.TWO.Q1" value="80"',
        'class="save-status" role="status" aria-live="polite"',
        'class="answered-by"',
    ):
        assert part in card, part


@pytest.mark.quality("D4", "D2")
def test_form_post_conflict_keeps_what_was_typed_and_shows_theirs(company_a, diagnostic):
    alice, bob = Client(), Client()
    alice.force_login(company_a.admin)
    bob.force_login(company_a.member)
    alice.post(save_url(diagnostic, "B.TWO.Q2"), {"value": "Leur texte", "version": "0"})
    response = bob.post(
        domain_url(diagnostic, "B"), {"q-B.TWO.Q2-v": "0", "q-B.TWO.Q2": "Mon long texte"}
    )
    assert response.status_code == 409
    assert "Leur texte" in response.text
    assert "Mon long texte" in response.text
    assert 'name="q-B.TWO.Q2-v" value="1"' in response.text
    assert Answer.objects.get().value == "Leur texte"


@pytest.mark.quality("D4")
@pytest.mark.parametrize("version", ["99999999999999999999999", "2147483648", "-1"])
def test_a_version_no_answer_can_have_is_refused_and_overwrites_nothing(
    company_a, diagnostic, version
):
    """A version the page cannot have been loaded with (beyond the version column's
    range, or below 0) is refused like a malformed one, without an error page: autosave
    says the page is out of date; the form takes the question as unanswered when loaded,
    so the colleague's answer is kept and shown as a conflict."""
    alice, bob = Client(), Client()
    alice.force_login(company_a.admin)
    bob.force_login(company_a.member)
    alice.post(save_url(diagnostic, "B.TWO.Q2"), {"value": "Leur texte", "version": "0"})
    autosaved = bob.post(
        save_url(diagnostic, "B.TWO.Q2"), {"value": "Mon texte", "version": version}
    )
    assert autosaved.status_code == 400
    assert autosaved.json()["status"] == "invalid"
    response = bob.post(
        domain_url(diagnostic, "B"), {"q-B.TWO.Q2-v": version, "q-B.TWO.Q2": "Mon texte"}
    )
    assert response.status_code == 409
    assert "Leur texte" in response.text
    assert 'name="q-B.TWO.Q2-v" value="1"' in response.text
    assert Answer.objects.get().value == "Leur texte"


def test_form_post_with_invalid_value_keeps_it_and_says_why(client_for, company_a, diagnostic, en):
    response = client_for(company_a.member).post(
        domain_url(diagnostic, "B"), {"q-B.TWO.Q1-v": "0", "q-B.TWO.Q1": "deux cents"}
    )
    assert response.status_code == 400
    assert "Type a number" in response.text
    assert 'value="deux cents"' in response.text
    assert not Answer.objects.exists()


def test_answering_page_query_count_does_not_grow_with_questions(
    client_for,
    company_a,
    start,
    small_questionnaire,
    default_questionnaire,
    django_assert_max_num_queries,
):
    client = client_for(company_a.member)
    small = start(small_questionnaire)
    big = start(default_questionnaire)
    client.get(domain_url(small))  # warm the session and the per-process caches
    client.get(domain_url(big, "NUM"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small_queries:
        client.get(domain_url(small, "A"))
    with CaptureQueriesContext(connection) as big_queries:
        client.get(domain_url(big, "PROD"))
    assert len(big_queries) == len(small_queries)
    with django_assert_max_num_queries(12):
        client.get(domain_url(big, "NUM"))


@pytest.mark.quality("D2")
def test_answers_posted_after_the_session_expired_come_back_after_login(
    client, company_a, diagnostic
):
    url = domain_url(diagnostic, "B")
    response = client.post(url, {"q-B.TWO.Q2-v": "0", "q-B.TWO.Q2": "Texte tapé longuement"})
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]
    assert not Answer.objects.exists()
    client.force_login(company_a.member)
    page = client.get(url)
    assert "Texte tapé longuement" in page.text
    assert "pas été enregistrées" in page.text
    assert not Answer.objects.exists()
    assert "Texte tapé longuement" not in client.get(url).text  # shown once, then gone


@pytest.mark.quality("D2")
def test_stale_csrf_token_keeps_the_typed_answers(company_a, diagnostic):
    client = Client(enforce_csrf_checks=True)
    client.force_login(company_a.member)
    url = domain_url(diagnostic, "B")
    response = client.post(
        url, {"q-B.TWO.Q2-v": "0", "q-B.TWO.Q2": "Réponse à garder", "csrfmiddlewaretoken": "stale"}
    )
    assert response.status_code == 302
    assert response["Location"] == url
    page = client.get(url)
    assert "Réponse à garder" in page.text
    assert not Answer.objects.exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's write statement")
def test_autosave_runs_two_statements_for_a_first_answer_and_an_update(
    client_for, company_a, diagnostic, django_assert_num_queries
):
    """The session with the user and their memberships, then one statement for the
    draft's lock (which checks the company and the status), the INSERT or the conditional
    UPDATE and the respondent's answers for the progress. The diagnostic's fixed facts and
    its questionnaire come from the per-process caches."""
    client = client_for(company_a.member)
    client.post(save_url(diagnostic, "A.ONE.Q2"), {"value": "no", "version": "0"})  # warm
    with django_assert_num_queries(2):
        first = client.post(save_url(diagnostic, "A.ONE.Q1"), {"value": "1", "version": "0"})
    assert first.json()["status"] == "saved"
    with django_assert_num_queries(2):
        update = client.post(save_url(diagnostic, "A.ONE.Q1"), {"value": "2", "version": "1"})
    assert update.json()["status"] == "saved"


@pytest.mark.quality("S1")
def test_autosave_after_the_facts_are_kept_still_checks_company_status_and_existence(
    client_for, company_a, company_b, diagnostic, start, catalogue
):
    """The fixed facts an autosave keeps per process never stand in for what can change:
    another company's member still gets 404, a submitted diagnostic still refuses the
    save, and a deleted one answers 404 and is forgotten."""
    from diagnostics import access

    client = client_for(company_a.member)
    url = save_url(diagnostic, "A.ONE.Q1")
    assert client.post(url, {"value": "1", "version": "0"}).json()["status"] == "saved"
    assert (company_a.company.pk, diagnostic.public_id) in access._FIXED

    # Another company, same public id: not found, whatever this process keeps.
    other = Client()
    other.force_login(company_b.admin)
    assert other.post(url, {"value": "3", "version": "1"}).status_code == 404
    # A diagnostic object given with another company is refused by the statement itself.
    forged = access.get_company_diagnostic_to_save(
        company_a.company.memberships.get(user=company_a.member), diagnostic.public_id
    )
    forged.company_id = company_b.company.pk
    with pytest.raises(Diagnostic.DoesNotExist):
        give(forged, company_b.admin, "A.ONE.Q1", AnswerValue(3), base=1)
    assert Answer.objects.get().value == 1

    # Submitted since its facts were kept: refused with the reason, nothing changed.
    for code, value in (("A.ONE.Q2", "yes"), ("B.TWO.Q1", "5")):
        client.post(save_url(diagnostic, code), {"value": value, "version": "0"})
    answers_before = list(Answer.objects.order_by("pk").values_list("value", "version"))
    assert report_services.submit(diagnostic=diagnostic, user=company_a.admin)
    refused = client.post(url, {"value": "2", "version": "1"})
    assert refused.status_code == 400
    assert "validé" in refused.json()["error"]
    assert list(Answer.objects.order_by("pk").values_list("value", "version")) == answers_before

    # Deleted since its facts were kept: 404, and the facts are dropped.
    draft = start(diagnostic.questionnaire)
    draft_url = save_url(draft, "A.ONE.Q1")
    assert client.post(draft_url, {"value": "1", "version": "0"}).status_code == 200
    Diagnostic.objects.filter(pk=draft.pk).delete()
    assert client.post(draft_url, {"value": "2", "version": "1"}).status_code == 404
    assert (company_a.company.pk, draft.public_id) not in access._FIXED
    assert not Answer.objects.filter(diagnostic_id=draft.pk).exists()


@pytest.mark.quality("S1", "D6")
def test_a_page_post_after_the_facts_are_kept_still_checks_company_status_and_existence(
    client_for, company_a, company_b, diagnostic, start, catalogue
):
    """A domain page's POST does not read the diagnostic before its save either: another
    company's member gets 404, a page posted after the submission goes to the results
    with nothing changed (with answers to save or with none valid), a deleted diagnostic
    answers 404 and is forgotten, and a refused answer shows the page again."""
    from diagnostics import access

    client = client_for(company_a.member)
    page = domain_url(diagnostic, "B")
    assert client.get(page).status_code == 200
    assert (company_a.company.pk, diagnostic.public_id) in access._FIXED  # kept by the GET
    fields = {"q-B.TWO.Q1-v": "0", "q-B.TWO.Q1": "80"}

    other = Client()
    other.force_login(company_b.admin)
    assert other.post(page, fields).status_code == 404
    assert not Answer.objects.exists()

    refused = client.post(page, {"q-B.TWO.Q1-v": "0", "q-B.TWO.Q1": "abc"})
    assert refused.status_code == 400
    assert "q-B.TWO.Q1" in refused.text
    assert not Answer.objects.exists()

    assert client.post(page, fields).status_code == 302
    client.post(save_url(diagnostic, "A.ONE.Q1"), {"value": "2", "version": "0"})
    client.post(save_url(diagnostic, "A.ONE.Q2"), {"value": "yes", "version": "0"})
    answers_before = list(Answer.objects.order_by("pk").values_list("value", "version"))
    assert report_services.submit(diagnostic=diagnostic, user=company_a.admin)
    results = reverse("diagnostics:results", args=[diagnostic.public_id])
    for posted in ({"q-B.TWO.Q1-v": "1", "q-B.TWO.Q1": "90"}, {}):
        late = client.post(page, posted)
        assert (late.status_code, late["Location"]) == (302, results)
    assert list(Answer.objects.order_by("pk").values_list("value", "version")) == answers_before

    draft = start(diagnostic.questionnaire)
    draft_page = domain_url(draft, "B")
    assert client.post(draft_page, fields).status_code == 302
    assert (company_a.company.pk, draft.public_id) in access._FIXED
    Diagnostic.objects.filter(pk=draft.pk).delete()
    assert client.post(draft_page, {"q-B.TWO.Q1-v": "1", "q-B.TWO.Q1": "90"}).status_code == 404
    assert (company_a.company.pk, draft.public_id) not in access._FIXED


def _view(spec, code, value=None, dont_know=False, not_concerned=False):
    from diagnostics.answering import QuestionView

    return QuestionView(spec.question(code), "fr", True, value, dont_know, not_concerned, 1, "", "")


def test_options_show_the_stored_choice_unless_dont_know_or_not_concerned(small_questionnaire):
    spec = small_questionnaire.spec
    rows = _view(spec, "A.ONE.Q1", 2).option_rows
    assert [(value, level, checked) for value, level, _label, checked, _ in rows][1:3] == [
        ("1", "Niveau 1", False),
        ("2", "Niveau 2", True),
    ]
    assert not any(row[3] for row in _view(spec, "A.ONE.Q1", 2, dont_know=True).option_rows)
    assert not any(row[3] for row in _view(spec, "A.ONE.Q1", 2, not_concerned=True).option_rows)
    yes = _view(spec, "A.ONE.Q2", "yes").option_rows
    assert [(value, level, checked) for value, level, _l, checked, _e in yes] == [
        ("yes", "", True),
        ("no", "", False),
    ]
    several = _view(spec, "B.TWO.Q3", ["a", "b"]).option_rows
    assert [row[3] for row in several] == [True, True, False]
    assert not any(row[3] for row in _view(spec, "B.TWO.Q3", ["a"], dont_know=True).option_rows)
    from pathlib import Path

    from diagnostics.services import import_questionnaire

    v2 = Path(__file__).parents[2] / "diagnostics/questionnaires/competences-industrie-v2.yaml"
    content, _ = import_questionnaire(text=v2.read_text())
    exclusive = next(
        q
        for q in content.spec.questions()
        if q.kind == "multiple" and any(c.exclusive for c in q.choices)
    )
    rows = _view(content.spec, exclusive.code).option_rows
    assert [row[4] for row in rows] == [c.exclusive for c in exclusive.choices]
    assert any(row[4] for row in rows)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="answers read with the diagnostic")
@pytest.mark.parametrize("mode", ["collective", "individual"])
def test_answers_read_with_the_diagnostic_are_those_read_on_their_own(
    company_a, start, small_questionnaire, mode
):
    """A page that reads (the overview, a domain page) gets the diagnostic and the
    respondent's answers in one query, and sees exactly what the separate read gives:
    their own answers in individual mode, never a colleague's."""
    from diagnostics.access import get_company_diagnostic
    from diagnostics.answering import own_answers

    diagnostic = start(small_questionnaire, mode=mode)
    give(diagnostic, company_a.admin, "A.ONE.Q1", AnswerValue(3))
    give(diagnostic, company_a.member, "A.ONE.Q2", AnswerValue(None, dont_know=True))
    Answer.objects.filter(question__code="A.ONE.Q1").update(to_confirm=True)
    membership = Membership.objects.select_related("company").get(user=company_a.member)
    get_company_diagnostic(membership, diagnostic.public_id)  # the per-process version cache
    for user in (company_a.member, company_a.admin):
        with CaptureQueriesContext(connection) as ctx:
            read = get_company_diagnostic(membership, diagnostic.public_id, with_answers_of=user)
            together = own_answers(read, user)
        assert len(ctx) == 1
        alone = own_answers(get_company_diagnostic(membership, diagnostic.public_id), user)
        assert together == alone
        assert own_answers(read, user) == alone  # a second call reads again
    expected = {"A.ONE.Q1", "A.ONE.Q2"} if mode == "collective" else {"A.ONE.Q1"}
    assert set(own_answers(read, company_a.admin)) == expected


@pytest.mark.parametrize("mode", ["collective", "individual"])
def test_autosave_progress_is_the_one_a_fresh_read_gives(
    client_for, company_a, start, small_questionnaire, mode
):
    """The progress and visible questions an autosave returns (taken on PostgreSQL from
    the write's own statement) are those a separate read gives once the save is done,
    with a colleague's answers and answers still to confirm around."""
    from diagnostics.answering import page_state

    diagnostic = start(small_questionnaire, mode=mode)
    for user, code, answer in (
        (company_a.admin, "A.ONE.Q1", AnswerValue(2)),
        (company_a.admin, "B.TWO.Q2", AnswerValue("Soudure")),
        (company_a.member, "B.TWO.Q1", AnswerValue(40)),
        (company_a.member, "A.ONE.Q1", AnswerValue(1)),
    ):
        version = Answer.objects.filter(diagnostic=diagnostic, question__code=code).values_list(
            "version", flat=True
        )
        base = 0 if mode == "individual" and user == company_a.member else (version.first() or 0)
        give(diagnostic, user, code, answer, base)
    Answer.objects.filter(diagnostic=diagnostic, question__code="B.TWO.Q1").update(to_confirm=True)
    client = client_for(company_a.member)
    progress = []
    for code, data in (
        ("A.ONE.Q2", {"value": "yes", "version": "0"}),
        ("B.TWO.Q1", {"value": "40", "version": "1"}),  # confirms the copied answer
    ):
        response = client.post(save_url(diagnostic, code), data)
        assert response.status_code == 200, response.json()
        state = page_state(diagnostic, company_a.member)
        assert response.json()["progress"] == state["progress"]
        assert response.json()["visible"] == state["visible"]
        progress.append(response.json()["progress"])
    answered = 4 if mode == "collective" else 3  # the admin's own answers are not counted
    assert [(p["answered"], p["to_confirm"]) for p in progress] == [(answered, 1), (answered, 0)]


def test_domain_links_are_those_reverse_gives(client_for, company_a, default_questionnaire, start):
    diagnostic = start(default_questionnaire)
    expected = {
        d.code: reverse("diagnostics:domain", args=[diagnostic.public_id, d.code])
        for d in default_questionnaire.spec.domains
    }
    assert domain_urls(diagnostic) == expected
    client = client_for(company_a.member)
    overview = client.get(reverse("diagnostics:overview", args=[diagnostic.public_id])).text
    first, second = list(expected.values())[:2]
    page = client.get(first).text
    assert all(f'href="{url}"' in overview for url in expected.values())
    assert f'href="{second}"' in page
    assert f'href="{first}"' not in page  # the current domain is not a link


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the written-out read")
def test_the_written_out_diagnostic_read_gives_the_orms_object(
    company_a, company_b, start, small_questionnaire, catalogue
):
    """The diagnostic a page reads by hand-written SQL has the values the ORM reads, a
    submitted one's frozen results included, and another company's answers 404."""
    from django.forms.models import model_to_dict
    from django.http import Http404

    from accounts.models import Membership
    from diagnostics.access import get_company_diagnostic

    submitted = start(small_questionnaire)
    give(submitted, company_a.admin, "A.ONE.Q1", AnswerValue(1))
    report_services.submit(diagnostic=submitted, user=company_a.admin)
    draft = start(small_questionnaire)
    membership = Membership.objects.select_related("company").get(user=company_a.member)
    for diagnostic in (draft, submitted):
        for user in (None, company_a.member):
            read = get_company_diagnostic(membership, diagnostic.public_id, with_answers_of=user)
            orm = Diagnostic.objects.get(pk=diagnostic.pk)
            assert type(read) is Diagnostic
            assert model_to_dict(read) == model_to_dict(orm)
            assert (read.created_at, read.submitted_at) == (orm.created_at, orm.submitted_at)
            assert read._state.adding is False
    assert read.results["results"]["domains"]  # decoded JSON, not text
    other = Membership.objects.select_related("company").get(user=company_b.member)
    with pytest.raises(Http404):
        get_company_diagnostic(other, draft.public_id)


# --- a diagnostic submitted meanwhile -------------------------------------------------------


def test_a_page_of_a_submitted_diagnostic_says_who_submitted_it_and_when(
    client_for, company_a, diagnostic, en
):
    from django.utils import timezone, translation
    from django.utils.formats import date_format

    company_a.admin.full_name = "Zoé Admin"
    company_a.admin.save()
    report_services.submit(diagnostic=diagnostic, user=company_a.admin)
    diagnostic.refresh_from_db()
    with translation.override("en"):
        when = date_format(timezone.localtime(diagnostic.submitted_at), "SHORT_DATETIME_FORMAT")
    results = reverse("diagnostics:results", args=[diagnostic.public_id])
    client = client_for(company_a.member)
    for page in (
        domain_url(diagnostic),
        reverse("diagnostics:overview", args=[diagnostic.public_id]),
    ):
        response = client.get(page, follow=True)
        assert response.redirect_chain == [(results, 302)]
        assert (
            f"This diagnostic was submitted by Zoé Admin on {when}: its answers can no longer "
            "change." in response.text
        )


def test_a_page_saved_after_the_submission_says_its_answers_were_not_saved(
    client_for, company_a, diagnostic, en
):
    from accounts.models import User

    client = client_for(company_a.member)
    assert client.get(domain_url(diagnostic, "B")).status_code == 200
    report_services.submit(diagnostic=diagnostic, user=company_a.admin)
    User.objects.filter(pk=company_a.admin.pk).delete()  # who submitted it has left since
    response = client.post(
        domain_url(diagnostic, "B"), {"q-B.TWO.Q1-v": "0", "q-B.TWO.Q1": "80"}, follow=True
    )
    assert response.redirect_chain == [
        (reverse("diagnostics:results", args=[diagnostic.public_id]), 302)
    ]
    assert "Your answers on this page were not saved." in response.text
    assert "This diagnostic was submitted on " in response.text
    assert not Answer.objects.exists()
