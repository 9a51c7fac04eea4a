from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from diagnostics import services
from diagnostics.models import Answer, Diagnostic, Score
from diagnostics.scoring import AnswerValue
from tests.conftest import run_together
from tests.factories import MembershipFactory


def answer(diagnostic, user, code, value=None, dont_know=False):
    version = (
        Answer.objects.filter(diagnostic=diagnostic, question__code=code)
        .values_list("version", flat=True)
        .first()
        or 0
    )
    if diagnostic.is_individual:
        version = (
            Answer.objects.filter(diagnostic=diagnostic, question__code=code, respondent=user)
            .values_list("version", flat=True)
            .first()
            or 0
        )
    return services.save_answer(
        diagnostic=diagnostic,
        question_code=code,
        answer=AnswerValue(value, dont_know),
        user=user,
        base_version=version,
    )


def fill(diagnostic, user, q1=3, q3=None, number=80):
    answer(diagnostic, user, "A.ONE.Q1", q1)
    answer(diagnostic, user, "A.ONE.Q2", "yes" if q3 is not None else "no")
    if q3 is not None:
        answer(diagnostic, user, "A.ONE.Q3", q3)
    answer(diagnostic, user, "B.TWO.Q1", number)
    answer(diagnostic, user, "B.TWO.Q3", ["a"])


# What the confirmation page posts with the submission.
CONFIRM = {"confirm": "1"}


def submit_url(d):
    return reverse("reports:submit", args=[d.public_id])


def results_url(d):
    return reverse("diagnostics:results", args=[d.public_id])


def test_submission_freezes_scores(client_for, company_a, diagnostic):
    fill(diagnostic, company_a.member, q1=3, q3=1)
    response = client_for(company_a.admin).post(submit_url(diagnostic), CONFIRM)
    assert response.status_code == 302
    diagnostic.refresh_from_db()
    assert diagnostic.status == Diagnostic.Status.SUBMITTED
    frozen = diagnostic.results["results"]
    competency = next(c for c in frozen["competencies"] if c["code"] == "A.ONE")
    assert competency["level"] == 2.0  # mean of 3 and 1
    assert competency["gap"] == 1.0
    assert Score.objects.filter(diagnostic=diagnostic).count() == 1 + 2 + 2
    # Later answers cannot change a submitted diagnostic.
    with pytest.raises(services.AnswerError):
        answer(diagnostic, company_a.member, "A.ONE.Q1", 0)
    diagnostic.refresh_from_db()
    assert diagnostic.results["results"] == frozen


@pytest.mark.quality("D3")
def test_double_submission_submits_once(client_for, company_a, diagnostic):
    fill(diagnostic, company_a.member)
    client = client_for(company_a.admin)
    first = client.post(submit_url(diagnostic), CONFIRM)
    second = client.post(submit_url(diagnostic), CONFIRM)
    assert first.status_code == second.status_code == 302
    assert Score.objects.filter(diagnostic=diagnostic, level="overall").count() == 1


@pytest.mark.quality("D3")
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite has one writer at a time: the other one fails instead of waiting",
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_submit_once(company_a, start, small_questionnaire):
    diagnostic = start(small_questionnaire)
    fill(diagnostic, company_a.member)
    outcomes = run_together(
        lambda: services.submit_diagnostic(
            diagnostic=Diagnostic.objects.get(pk=diagnostic.pk), user=company_a.admin
        )
    )
    assert sorted(outcomes) == [False, True]
    assert Score.objects.filter(diagnostic=diagnostic, level="overall").count() == 1


def test_member_cannot_submit(client_for, company_a, diagnostic):
    assert client_for(company_a.member).post(submit_url(diagnostic), CONFIRM).status_code == 403
    diagnostic.refresh_from_db()
    assert diagnostic.is_draft


def test_submit_refuses_get(client_for, company_a, diagnostic):
    assert client_for(company_a.admin).get(submit_url(diagnostic)).status_code == 405


def test_a_submission_not_sent_from_its_confirmation_page_leads_there(
    client_for, company_a, diagnostic
):
    """Submitting is final: a post without the confirmation page's `confirm` (a stale
    form, a hand-made request) submits nothing and shows the page instead."""
    fill(diagnostic, company_a.member)
    response = client_for(company_a.admin).post(submit_url(diagnostic))
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "diagnostics:confirm_submit", args=[diagnostic.public_id]
    )
    diagnostic.refresh_from_db()
    assert diagnostic.is_draft


def test_results_page_shows_chart_table_and_gaps(client_for, company_a, diagnostic):
    fill(diagnostic, company_a.member, q1=1, number=80)
    services.submit_diagnostic(diagnostic=diagnostic, user=company_a.admin)
    response = client_for(company_a.member).get(results_url(diagnostic))
    assert response.status_code == 200
    assert "<svg" in response.text
    assert 'role="img"' in response.text
    assert "Domaine A" in response.text
    assert "<caption>" in response.text
    assert "Compétence un" in response.text  # a gap to close
    assert "style=" not in response.text.split("<svg", 1)[1].split("</svg>", 1)[0]


def test_unreliable_results_say_so_instead_of_scores(client_for, company_a, diagnostic):
    answer(diagnostic, company_a.member, "A.ONE.Q1", dont_know=True)
    answer(diagnostic, company_a.member, "B.TWO.Q1", 50)
    services.submit_diagnostic(diagnostic=diagnostic, user=company_a.admin)
    client = client_for(company_a.member)
    client.cookies["django_language"] = "en"
    response = client.get(results_url(diagnostic))
    assert "Not enough known answers" in response.text
    assert "Overall index" not in response.text


@pytest.mark.quality("S3")
def test_advisor_sees_portfolio_results_only(
    client_for, advisor, company_a, company_b, start, small_questionnaire
):
    mine = start(small_questionnaire)
    theirs = start(small_questionnaire, party=company_b)
    for d, party in ((mine, company_a), (theirs, company_b)):
        fill(d, party.member)
        services.submit_diagnostic(diagnostic=d, user=party.admin)
    client = client_for(advisor)
    assert client.get(results_url(mine)).status_code == 200
    assert client.get(results_url(theirs)).status_code == 404


def test_draft_results_are_not_shown(client_for, company_a, diagnostic):
    response = client_for(company_a.member).get(results_url(diagnostic))
    assert response.status_code == 200
    assert "<svg" not in response.text


def test_respondents_disagreement_is_shown(client_for, company_a, start, small_questionnaire):
    diagnostic = start(small_questionnaire, mode="individual")
    fill(diagnostic, company_a.admin, q1=0)
    fill(diagnostic, company_a.member, q1=4)
    services.submit_diagnostic(diagnostic=diagnostic, user=company_a.admin)
    client = client_for(company_a.admin)
    client.cookies["django_language"] = "en"
    response = client.get(results_url(diagnostic))
    assert "Where respondents disagree" in response.text
    assert company_a.member.full_name in response.text
    assert "disagreement" in response.text
    assert f"<li>{company_a.member.full_name}: 4.0</li>" in response.text
    # In French, a space before the colon, as French writes it.
    client.cookies["django_language"] = "fr"
    page = client.get(results_url(diagnostic)).text
    assert f"<li>{company_a.member.full_name}\u00a0: 4,0</li>" in page


def test_comparison_with_the_previous_diagnostic(client_for, company_a, start, small_questionnaire):
    first = start(small_questionnaire)
    fill(first, company_a.member, q1=1)
    services.submit_diagnostic(diagnostic=first, user=company_a.admin)
    second = start(small_questionnaire)
    fill(second, company_a.member, q1=3)
    services.submit_diagnostic(diagnostic=second, user=company_a.admin)
    client = client_for(company_a.admin)
    client.cookies["django_language"] = "en"
    response = client.get(results_url(second))
    assert "Progress since the previous diagnostic" in response.text
    evolution = response.text.split('id="evo-h"', 1)[1].split("</section>", 1)[0]
    assert "<td>+50</td>" in evolution
    details = response.text.split('id="details-h"', 1)[1].split("</section>", 1)[0]
    assert '<tr><th scope="row">Competency two</th><td>75</td><td>3.0</td><td>2</td>' in details


def test_the_comparison_leaves_out_a_previous_diagnostic_with_too_few_known_answers(
    client_for, company_a, start, small_questionnaire
):
    first = start(small_questionnaire)
    fill(first, company_a.member, q1=1)
    services.submit_diagnostic(diagnostic=first, user=company_a.admin)
    sloppy = start(small_questionnaire)
    answer(sloppy, company_a.member, "A.ONE.Q1", 4)  # 1 of the 3 scored questions known
    services.submit_diagnostic(diagnostic=sloppy, user=company_a.admin)
    assert sloppy.results["results"]["reliable"] is False
    second = start(small_questionnaire)
    fill(second, company_a.member, q1=3)
    services.submit_diagnostic(diagnostic=second, user=company_a.admin)
    client = client_for(company_a.admin)
    client.cookies["django_language"] = "en"
    response = client.get(results_url(second))
    assert response.context["previous"] == first
    evolution = response.text.split('id="evo-h"', 1)[1].split("</section>", 1)[0]
    assert "<td>+50</td>" in evolution  # from 25 to 75, not from the 100 of the sloppy one
    # The sloppy one has no reliable scores to compare: no change shown on its page.
    response = client.get(results_url(sloppy))
    assert "Not enough known answers" in response.text
    assert response.context["evolution"] == []
    assert 'id="evo-h"' not in response.text


@pytest.mark.quality("D5")
def test_new_version_does_not_change_diagnostics_started_on_the_old_one(
    company_a, diagnostic, start
):
    from tests.samples import SMALL

    fill(diagnostic, company_a.member)
    v2 = SMALL.replace("version: 1", "version: 2").replace(
        "Niveau de la première pratique ?", "Nouvelle formulation ?"
    )
    new, created = services.import_questionnaire(text=v2)
    assert created
    diagnostic.refresh_from_db()
    assert diagnostic.questionnaire.version == 1
    assert (
        diagnostic.questionnaire.spec.question("A.ONE.Q1").text["fr"]
        == "Niveau de la première pratique ?"
    )
    assert start(new).questionnaire.version == 2
    from diagnostics.forms import latest_questionnaires

    assert list(latest_questionnaires()) == [new]


def test_results_query_count_does_not_grow_with_questions(
    client_for, company_a, start, small_questionnaire, default_questionnaire
):
    from django.test.utils import CaptureQueriesContext

    counts = []
    client = client_for(company_a.admin)
    client.get(reverse("home"))
    for q in (small_questionnaire, default_questionnaire):
        d = start(q)
        services.submit_diagnostic(diagnostic=d, user=company_a.admin)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(results_url(d)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert counts[1] <= 10


def test_member_of_two_companies_sees_results_of_both(
    client_for, company_a, company_b, start, small_questionnaire
):
    MembershipFactory(user=company_a.member, company=company_b.company)
    d = start(small_questionnaire, party=company_b)
    services.submit_diagnostic(diagnostic=d, user=company_b.admin)
    assert client_for(company_a.member).get(results_url(d)).status_code == 200


def test_results_for_anonymous_redirect_to_login(diagnostic):
    response = Client().get(results_url(diagnostic))
    assert response.status_code == 302


@pytest.mark.quality("D5")
def test_admin_cannot_edit_a_published_version(client, small_questionnaire, django_user_model):
    operator = django_user_model.objects.create_superuser(
        email="op@test.example", password="x-long-password"
    )
    client.force_login(operator)
    url = reverse("admin:diagnostics_questionnaire_change", args=[small_questionnaire.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'type="submit"' not in page.text.split('id="questionnaire_form"')[-1]
    client.post(url, {"key": "hacked", "version": 9})
    small_questionnaire.refresh_from_db()
    assert (small_questionnaire.key, small_questionnaire.version) == ("test-small", 1)
    delete = reverse("admin:diagnostics_questionnaire_delete", args=[small_questionnaire.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403


@pytest.mark.quality("S9")
def test_needs_in_own_words_show_each_respondent_s_text_as_typed(
    client_for, company_a, start, small_questionnaire
):
    diagnostic = start(small_questionnaire, mode="individual")
    company_a.admin.full_name, company_a.member.full_name = "Zoé Admin", "Anne Membre"
    company_a.admin.save()
    company_a.member.save()
    fill(diagnostic, company_a.admin)
    fill(diagnostic, company_a.member)
    answer(diagnostic, company_a.admin, "B.TWO.Q2", "<b>Soudure</b> & tri")
    answer(diagnostic, company_a.member, "B.TWO.Q2", "Lean\nmanagement")
    services.submit_diagnostic(diagnostic=diagnostic, user=company_a.admin)
    text = client_for(company_a.admin).get(results_url(diagnostic)).text
    needs = text.split('id="needs-h"', 1)[1].split("</section>", 1)[0]
    assert needs.index("Anne Membre") < needs.index("Zoé Admin")  # by respondent
    assert "<dt>Vos besoins ? — Anne Membre</dt><dd>Lean<br>management</dd>" in needs
    assert "&lt;b&gt;Soudure&lt;/b&gt; &amp; tri" in needs


@pytest.mark.parametrize(
    ("before", "now", "places", "change"),
    [
        (3.34, 2.16, 1, -1.1),  # shown 3,3 -> 2,2: -1,1 (not -1,2 from the exact figures)
        (15.6, 25.4, 0, 9.0),  # shown 16 -> 25: +9 (not +10)
        (2.0, 2.25, 1, 0.3),  # 2,25 shows as 2,3 (half up)
        (None, 20.0, 0, None),
        (20.0, None, 0, None),
    ],
)
def test_a_change_is_the_difference_of_the_figures_shown(before, now, places, change):
    from diagnostics.results import change_as_shown

    assert change_as_shown(before, now, places=places) == change


def test_the_database_keeps_whether_the_scores_are_reliable(company_a, diagnostic, catalogue):
    """`scores_reliable` follows the frozen results, whoever writes them (a submission, a
    bulk insert, an update): lists filter on it without reading each row's JSON."""
    assert Diagnostic.objects.get(pk=diagnostic.pk).scores_reliable is None  # a draft
    fill(diagnostic, company_a.member)
    services.submit_diagnostic(diagnostic=diagnostic, user=company_a.admin)
    diagnostic.refresh_from_db()
    assert diagnostic.scores_reliable is diagnostic.results["results"]["reliable"] is True
    frozen = diagnostic.results
    unreliable = {**frozen, "results": {**frozen["results"], "reliable": False}}
    Diagnostic.objects.filter(pk=diagnostic.pk).update(results=unreliable)
    assert Diagnostic.objects.get(pk=diagnostic.pk).scores_reliable is False
    assert not Diagnostic.objects.filter(pk=diagnostic.pk).reliable().exists()
