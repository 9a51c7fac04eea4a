"""A domain page saved at once (diagnostics.services.save_page): statements, conflicts,
invalid answers, and the portable path used on SQLite."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from diagnostics import services
from diagnostics.forms import PostedAnswer
from diagnostics.models import Answer
from diagnostics.scoring import AnswerValue
from tests.factories import DiagnosticFactory

QHSE_TWO = ["QHSE.QUAL.Q1", "QHSE.SST.Q1"]
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="PostgreSQL's statements and locks; other databases save answer by answer",
)


@pytest.fixture(params=["at once", "one by one"])
def save_path(request, monkeypatch):
    """Both ways of saving a page: PostgreSQL's single transaction and the portable one."""
    if request.param == "one by one":
        monkeypatch.setattr(services, "postgresql_writes", lambda: False)
    return request.param


def post(values, base, *, dont_know=False, not_concerned=False):
    return PostedAnswer(values, dont_know, not_concerned, base)


def page_answers(domain, codes=None, level="2", base=0):
    """What a domain page posts for the given questions (all of the domain by default)."""
    posted = {}
    for competency in domain.competencies:
        for q in competency.questions:
            if codes is None or q.code in codes:
                value = q.choices[0].code if q.kind == "single" else level
                posted[q.code] = post([value], base)
    return posted


def save(diagnostic, domain, posted, user):
    return services.save_page(diagnostic=diagnostic, domain=domain, posted=posted, user=user)


def stored(diagnostic):
    return dict(Answer.objects.filter(diagnostic=diagnostic).values_list("question__code", "value"))


# --- statements --------------------------------------------------------------------------------


@on_postgresql
@pytest.mark.quality("P4")
def test_page_save_runs_the_same_statements_for_2_and_8_questions(
    company_a, start, default_questionnaire
):
    domain = default_questionnaire.spec.domain("QHSE")
    assert sum(len(c.questions) for c in domain.competencies) == 8
    warm = start(default_questionnaire)
    save(warm, domain, page_answers(domain), company_a.member)  # the per-process caches
    counts = {}
    for size, codes in (("2", QHSE_TWO), ("8", list(page_answers(domain)))):
        diagnostic = DiagnosticFactory(
            company=company_a.company, questionnaire=default_questionnaire
        )
        half = codes[: len(codes) // 2]
        save(diagnostic, domain, page_answers(domain, half, "1"), company_a.member)
        mixed = page_answers(domain, codes, "3")
        mixed.update(page_answers(domain, half, "3", base=1))
        with CaptureQueriesContext(connection) as both:
            assert save(diagnostic, domain, mixed, company_a.member).saved
        changed = page_answers(domain, codes, "4", base=1)
        changed.update(page_answers(domain, half, "4", base=2))
        with CaptureQueriesContext(connection) as updated:
            assert save(diagnostic, domain, changed, company_a.member).saved
        other = DiagnosticFactory(company=company_a.company, questionnaire=default_questionnaire)
        with CaptureQueriesContext(connection) as created:
            assert save(other, domain, page_answers(domain, codes), company_a.member).saved
        counts[size] = (len(both), len(updated), len(created))
    assert counts["2"] == counts["8"]
    # One statement: the draft's lock, the stored rows (locked), the UPDATE and the INSERT.
    assert counts["8"] == (1, 1, 1)


@on_postgresql
@pytest.mark.quality("P4")
def test_page_post_runs_the_same_statements_for_2_and_8_questions(
    client_for, company_a, start, default_questionnaire
):
    client = client_for(company_a.member)
    domain = default_questionnaire.spec.domain("QHSE")

    def post_page(codes):
        diagnostic = DiagnosticFactory(
            company=company_a.company, questionnaire=default_questionnaire
        )
        url = reverse("diagnostics:domain", args=[diagnostic.public_id, "QHSE"])
        data = {}
        for code, answer in page_answers(domain, codes).items():
            data[f"q-{code}"], data[f"q-{code}-v"] = answer.values, str(answer.base_version)
        with CaptureQueriesContext(connection) as ctx:
            response = client.post(url, data)
        assert response.status_code == 302
        return len(ctx)

    post_page(QHSE_TWO)  # warm the session and the per-process caches
    assert post_page(QHSE_TWO) == post_page(None)


# --- what is saved, what is refused ------------------------------------------------------------


def test_page_saves_new_and_changed_answers_and_skips_unchanged_ones(
    company_a, diagnostic, save_path
):
    domain = diagnostic.questionnaire.spec.domain("B")
    first = {"B.TWO.Q1": post(["40"], 0), "B.TWO.Q2": post(["Soudure"], 0)}
    assert save(diagnostic, domain, first, company_a.member).saved
    second = {
        "B.TWO.Q1": post(["40"], 1),  # unchanged: not written again
        "B.TWO.Q2": post(["Soudure laser"], 1),
        "B.TWO.Q3": post(["a", "b"], 0),
    }
    assert save(diagnostic, domain, second, company_a.admin).saved
    rows = {
        a.question.code: (a.value, a.version, a.answered_by)
        for a in Answer.objects.select_related("question", "answered_by")
    }
    assert rows == {
        "B.TWO.Q1": (40, 1, company_a.member),
        "B.TWO.Q2": ("Soudure laser", 2, company_a.admin),
        "B.TWO.Q3": (["a", "b"], 1, company_a.admin),
    }


def test_dont_know_and_cleared_answers_are_saved(company_a, diagnostic, save_path):
    domain = diagnostic.questionnaire.spec.domain("B")
    save(diagnostic, domain, {"B.TWO.Q2": post(["Texte"], 0)}, company_a.member)
    outcome = save(
        diagnostic,
        domain,
        {"B.TWO.Q1": post([], 0, dont_know=True), "B.TWO.Q2": post([""], 1)},
        company_a.member,
    )
    assert outcome.saved
    rows = {a.question.code: (a.value, a.dont_know) for a in Answer.objects.all()}
    assert rows == {"B.TWO.Q1": (None, True), "B.TWO.Q2": (None, False)}


@pytest.mark.quality("D6")
def test_invalid_answers_are_refused_and_the_valid_ones_saved(
    company_a, diagnostic, save_path, settings
):
    settings.LANGUAGE_CODE = "en"
    domain = diagnostic.questionnaire.spec.domain("B")
    posted = {
        "B.TWO.Q1": post(["deux cents"], 0),
        "B.TWO.Q2": post(["Valide"], 0),
        "B.TWO.Q3": post(["a", "zz"], 0),
    }
    outcome = save(diagnostic, domain, posted, company_a.member)
    assert set(outcome.errors) == {"B.TWO.Q1", "B.TWO.Q3"}
    assert "number" in outcome.errors["B.TWO.Q1"]
    assert not outcome.conflicts
    assert stored(diagnostic) == {"B.TWO.Q2": "Valide"}


def test_page_post_with_one_invalid_answer_saves_the_others_and_says_why(
    client_for, company_a, diagnostic, settings
):
    response = client_for(company_a.member).post(
        reverse("diagnostics:domain", args=[diagnostic.public_id, "B"]),
        {"q-B.TWO.Q1-v": "0", "q-B.TWO.Q1": "deux cents", "q-B.TWO.Q2-v": "0", "q-B.TWO.Q2": "Ok"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert 'value="deux cents"' in response.text
    assert stored(diagnostic) == {"B.TWO.Q2": "Ok"}


def test_submitted_diagnostic_refuses_the_page(company_a, submitted, save_path):
    domain = submitted.questionnaire.spec.domain("B")
    before = stored(submitted)
    outcome = save(submitted, domain, {"B.TWO.Q1": post(["99"], 1)}, company_a.member)
    assert "submitted" in outcome.errors["B.TWO.Q1"] or "soumis" in outcome.errors["B.TWO.Q1"]
    assert stored(submitted) == before


def test_base_version_of_a_missing_answer_asks_to_reload(company_a, diagnostic, save_path):
    domain = diagnostic.questionnaire.spec.domain("B")
    outcome = save(diagnostic, domain, {"B.TWO.Q1": post(["5"], 3)}, company_a.member)
    assert set(outcome.errors) == {"B.TWO.Q1"}
    assert not Answer.objects.exists()


# --- two colleagues ------------------------------------------------------------------------------


@pytest.mark.quality("D4")
def test_colleagues_saving_pages_loaded_together(company_a, diagnostic, save_path):
    """Both pages were loaded before either was saved (every base version 0)."""
    domain = diagnostic.questionnaire.spec.domain("B")
    alice = {"B.TWO.Q1": post(["10"], 0), "B.TWO.Q2": post(["Sien"], 0)}
    bob = {"B.TWO.Q2": post(["Mien"], 0), "B.TWO.Q3": post(["b"], 0)}
    assert save(diagnostic, domain, alice, company_a.admin).saved
    outcome = save(diagnostic, domain, bob, company_a.member)
    assert set(outcome.conflicts) == {"B.TWO.Q2"}
    theirs = outcome.conflicts["B.TWO.Q2"]
    assert (theirs.value, theirs.answered_by) == ("Sien", company_a.admin)
    assert stored(diagnostic) == {"B.TWO.Q1": 10, "B.TWO.Q2": "Sien", "B.TWO.Q3": ["b"]}
    # Bob saves again on the version he was shown: now his answer replaces hers.
    again = {"B.TWO.Q2": post(["Mien"], theirs.version)}
    assert save(diagnostic, domain, again, company_a.member).saved
    assert stored(diagnostic)["B.TWO.Q2"] == "Mien"


def _save_in_thread(diagnostic, domain, posted, user, result):
    def run():
        try:
            result["outcome"] = save(diagnostic, domain, posted, user)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@on_postgresql
@pytest.mark.quality("D4")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("alice_base", [0, 1], ids=["new answer", "changed answer"])
def test_page_saved_while_a_colleague_saves_the_same_question_reports_the_conflict(
    company_a, start, small_questionnaire, alice_base
):
    """Bob's save runs while Alice's transaction is still open: it waits for her commit,
    then reports her answer as a conflict on that question and saves his other one."""
    diagnostic = start(small_questionnaire)
    domain = small_questionnaire.spec.domain("B")
    if alice_base:
        save(diagnostic, domain, {"B.TWO.Q2": post(["Départ"], 0)}, company_a.admin)
    bob = {"B.TWO.Q2": post(["Mien"], alice_base), "B.TWO.Q1": post(["30"], 0)}
    result = {}
    with transaction.atomic():
        services.save_answer(
            diagnostic=diagnostic,
            question_code="B.TWO.Q2",
            answer=AnswerValue("Sien"),
            user=company_a.admin,
            base_version=alice_base,
        )
        thread = _save_in_thread(diagnostic, domain, bob, company_a.member, result)
        time.sleep(0.5)
        assert thread.is_alive()  # waiting for Alice's transaction
    thread.join(timeout=10)
    outcome = result["outcome"]
    assert set(outcome.conflicts) == {"B.TWO.Q2"}
    assert outcome.conflicts["B.TWO.Q2"].value == "Sien"
    assert not outcome.errors
    assert stored(diagnostic) == {"B.TWO.Q1": 30, "B.TWO.Q2": "Sien"}


@on_postgresql
@pytest.mark.quality("D4")
@pytest.mark.django_db(transaction=True)
def test_pages_saved_at_the_same_time_lose_nothing_and_do_not_deadlock(
    company_a, start, default_questionnaire
):
    """Two colleagues save the same 8-question page at once, many times: every question
    ends with one of the two answers and each save either wrote it or reported it."""
    diagnostic = start(default_questionnaire)
    domain = default_questionnaire.spec.domain("QHSE")
    alice, bob = company_a.admin, company_a.member
    for alice_level, bob_level in (("1", "3"), ("2", "4"), ("0", "0"), ("4", "1")):
        versions = dict(
            Answer.objects.filter(diagnostic=diagnostic).values_list("question__code", "version")
        )
        pages = {
            user: {
                code: post([level], versions.get(code, 0))
                for code in page_answers(domain)
                if code != "QHSE.QUAL.Q2"  # the one choice question
            }
            for user, level in ((alice, alice_level), (bob, bob_level))
        }
        outcomes = {}
        barrier = threading.Barrier(2)

        def run(user, pages=pages, outcomes=outcomes, barrier=barrier):
            try:
                barrier.wait()
                outcomes[user] = save(diagnostic, domain, pages[user], user)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=run, args=(user,)) for user in pages]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=20)
        final = stored(diagnostic)
        assert len(final) == 7
        for user, outcome in outcomes.items():
            assert not outcome.errors
            for code, answer in pages[user].items():
                level = answer.values[0]
                if final[code] != int(level):  # not saved: the person was told
                    assert outcome.conflicts[code].value == final[code]
                else:
                    assert code not in outcome.conflicts
        assert set(outcomes) == {alice, bob}


@on_postgresql
@pytest.mark.quality("D4")
@pytest.mark.django_db(transaction=True)
def test_a_page_save_waiting_for_a_submission_stores_nothing(company_a, diagnostic):
    """A submission under way holds the draft: the page's statement waits for it, then
    finds the diagnostic submitted, writes nothing and says so."""
    domain = diagnostic.questionnaire.spec.domain("B")
    result = {}

    def save_page():
        try:
            result["outcome"] = save(
                diagnostic, domain, {"B.TWO.Q1": post(["10"], 0)}, company_a.member
            )
        finally:
            connections.close_all()

    with transaction.atomic():
        assert services.submit_diagnostic(diagnostic=diagnostic, user=company_a.admin)
        thread = threading.Thread(target=save_page)
        thread.start()
        time.sleep(0.5)
        assert thread.is_alive()  # waiting for the submission's lock
    thread.join(timeout=10)
    errors = result["outcome"].errors
    assert set(errors) == {"B.TWO.Q1"}
    assert "submitted" in errors["B.TWO.Q1"] or "validé" in errors["B.TWO.Q1"]
    assert stored(diagnostic) == {}
