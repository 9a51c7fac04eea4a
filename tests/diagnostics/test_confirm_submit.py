"""The confirmation before a diagnostic is submitted: what submitting does, who has answered
what, what is still unanswered; its form posts to the submission (reports:submit)."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Membership
from diagnostics import services
from diagnostics.models import Diagnostic
from reports import services as report_services
from tests.factories import MembershipFactory, save_answers


def confirm_url(diagnostic):
    return reverse("diagnostics:confirm_submit", args=[diagnostic.public_id])


@pytest.fixture
def en(client):
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def named(company_a):
    """Company A's admin and member, with names the page can be checked against."""
    for user, name in ((company_a.admin, "Zoé Admin"), (company_a.member, "Anne Membre")):
        user.full_name = name
        user.save()
    return company_a


def _form(page: str) -> tuple[str, dict[str, str]]:
    """The action and the fields of the main content's POST form."""
    main = page.split('<main id="main"', 1)[1]
    form = re.search(r'<form method="post" action="([^"]+)"(.*?)</form>', main, re.S)
    assert form is not None
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form[2]))
    return form[1], fields


def test_the_admin_sees_what_submitting_does_who_answered_and_what_is_missing(
    client_for, named, diagnostic, en
):
    save_answers(diagnostic, named.member, (("A.ONE.Q1", 2), ("A.ONE.Q2", "no")))
    save_answers(diagnostic, named.admin, (("B.TWO.Q1", 50),))
    response = client_for(named.admin).get(confirm_url(diagnostic))
    assert response.status_code == 200
    page = response.text
    assert "closes the diagnostic for good" in page
    assert "its scores are frozen" in page
    # Who has answered, out of the 5 questions shown (A.ONE.Q3 is hidden by the "no").
    assert [(r["name"], r["answered"], r["visible"]) for r in response.context["respondents"]] == [
        ("Anne Membre", 2, 5),
        ("Zoé Admin", 1, 5),
    ]
    assert '<th scope="row">Anne Membre</th><td class="text-end">2/5</td>' in page
    assert '<th scope="row">Zoé Admin</th><td class="text-end">1/5</td>' in page
    # What no one has answered yet, under its domain.
    missing = page.split('id="missing-h"', 1)[1].split("</section>", 1)[0]
    assert "2 questions to answer" in missing
    assert "<li>Your needs?</li>" in missing
    assert "<li>Practices in place?</li>" in missing
    assert "Level of the first practice?" not in missing
    assert "data-unreliable" not in page  # 2 of the 3 scored questions are known
    action, fields = _form(page)
    assert action == reverse("reports:submit", args=[diagnostic.public_id])
    assert fields["confirm"] == "1"
    assert 'name="csrfmiddlewaretoken"' in page
    diagnostic.refresh_from_db()
    assert diagnostic.is_draft  # the page itself changes nothing


def test_each_respondent_of_an_individual_diagnostic_is_named_with_their_progress(
    client_for, named, start, small_questionnaire, en
):
    diagnostic = start(small_questionnaire, mode="individual")
    late = MembershipFactory(company=named.company).user
    late.full_name = "Paul Retard"
    late.save()
    save_answers(diagnostic, named.admin)  # 4 of the 5 questions shown to them
    save_answers(diagnostic, named.member, (("A.ONE.Q1", 4),))
    response = client_for(named.admin).get(confirm_url(diagnostic))
    assert [(r["name"], r["answered"], r["visible"]) for r in response.context["respondents"]] == [
        ("Anne Membre", 1, 5),
        ("Zoé Admin", 4, 5),
    ]
    assert "Not started yet: Paul Retard." in response.text
    # Only the text question is left by everyone (A.ONE.Q3 is shown to no one).
    assert response.context["missing_count"] == 1
    assert "<li>Your needs?</li>" in response.text


def test_posting_the_confirmation_submits_and_freezes_the_scores(
    client_for, company_a, diagnostic, catalogue
):
    save_answers(diagnostic, company_a.member)
    client = client_for(company_a.admin)
    action, fields = _form(client.get(confirm_url(diagnostic)).text)
    response = client.post(action, fields)
    assert response.status_code == 302
    assert response["Location"] == reverse("diagnostics:results", args=[diagnostic.public_id])
    diagnostic.refresh_from_db()
    assert diagnostic.status == Diagnostic.Status.SUBMITTED
    assert diagnostic.submitted_by == company_a.admin
    assert diagnostic.scores.filter(level="overall").count() == 1
    assert diagnostic.plan is not None  # the submission's guarantees: the plan is made


def test_too_few_known_answers_are_announced_before_submitting(
    client_for, company_a, diagnostic, en
):
    save_answers(diagnostic, company_a.member, (("A.ONE.Q1", 2),))
    page = client_for(company_a.admin).get(confirm_url(diagnostic)).text
    assert "data-unreliable" in page
    assert "Only 33 % of the questions have a known answer, and 50 % are needed" in page
    assert "no overall index" in page


def test_nobody_has_answered_yet(client_for, company_a, diagnostic, en):
    response = client_for(company_a.admin).get(confirm_url(diagnostic))
    assert response.status_code == 200
    assert "Nobody has answered yet." in response.text
    assert response.context["missing_count"] == 5


def test_copied_answers_still_to_confirm_hold_the_submission_back(
    client_for, company_a, submitted, small_questionnaire, en
):
    draft = services.start_diagnostic(
        membership=Membership.objects.get(user=company_a.admin),
        questionnaire=small_questionnaire,
        mode="collective",
        copy_from=submitted,
    )
    response = client_for(company_a.admin).get(confirm_url(draft))
    assert response.status_code == 200
    assert "data-blocker" in response.text
    assert "4 answers copied from the previous diagnostic are still to confirm" in response.text
    assert reverse("reports:submit", args=[draft.public_id]) not in response.text
    assert reverse("diagnostics:overview", args=[draft.public_id]) in response.text


def test_a_submitted_diagnostic_leads_to_its_results_saying_who_submitted_it_and_when(
    client_for, named, diagnostic, en
):
    report_services.submit(diagnostic=diagnostic, user=named.admin)
    response = client_for(named.admin).get(confirm_url(diagnostic), follow=True)
    assert response.redirect_chain == [
        (reverse("diagnostics:results", args=[diagnostic.public_id]), 302)
    ]
    assert "This diagnostic was submitted by Zoé Admin on " in response.text


def test_a_member_gets_403(client_for, company_a, diagnostic):
    assert client_for(company_a.member).get(confirm_url(diagnostic)).status_code == 403


def test_an_outsider_gets_404(client_for, outsider, diagnostic):
    assert client_for(outsider).get(confirm_url(diagnostic)).status_code == 404


def test_post_is_refused(client_for, company_a, diagnostic):
    assert client_for(company_a.admin).post(confirm_url(diagnostic)).status_code == 405
    diagnostic.refresh_from_db()
    assert diagnostic.is_draft


def test_anonymous_is_sent_to_login(client, diagnostic):
    response = client.get(confirm_url(diagnostic))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_the_overview_leads_to_the_confirmation_instead_of_submitting(
    client_for, company_a, diagnostic
):
    overview = reverse("diagnostics:overview", args=[diagnostic.public_id])
    page = client_for(company_a.admin).get(overview).text
    assert f'href="{confirm_url(diagnostic)}"' in page
    assert reverse("reports:submit", args=[diagnostic.public_id]) not in page
    assert confirm_url(diagnostic) not in client_for(company_a.member).get(overview).text


def test_the_query_count_does_not_grow_with_the_respondents(
    client_for, company_a, start, small_questionnaire
):
    diagnostic = start(small_questionnaire, mode="individual")
    client = client_for(company_a.admin)
    save_answers(diagnostic, company_a.admin)
    client.get(confirm_url(diagnostic))  # per-process caches warm
    with CaptureQueriesContext(connection) as one:
        client.get(confirm_url(diagnostic))
    for _ in range(3):
        save_answers(diagnostic, MembershipFactory(company=company_a.company).user)
    with CaptureQueriesContext(connection) as four:
        response = client.get(confirm_url(diagnostic))
    assert len(response.context["respondents"]) == 4
    assert len(four) == len(one)
