"""The company's home: where it stands, what to do next, its progress over time."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership
from config import next_steps as steps
from config.next_steps import Situation, next_steps
from diagnostics import services as diagnostic_services
from diagnostics.models import Diagnostic, Score
from diagnostics.scoring import AnswerValue
from reports import services as report_services
from reports.models import ActionPlan, PlanItem, Report
from tests.factories import MembershipFactory, UserFactory, save_answers

TODAY = date(2026, 11, 24)


def situation(**kwargs):
    return Situation(**{"is_admin": True, "today": TODAY, "reassess_after_days": 365, **kwargs})


# --- The next steps, a pure function ------------------------------------------------------


def test_a_company_without_diagnostic_starts_one_and_invites_colleagues():
    assert next_steps(situation()) == [steps.START, steps.INVITE]
    assert next_steps(situation(members=3)) == [steps.START]


def test_a_diagnostic_in_progress_is_continued_then_submitted():
    s = situation(members=2, draft=True, answered=3, visible=10)
    assert next_steps(s) == [steps.CONTINUE, steps.SUBMIT]


def test_a_complete_diagnostic_is_submitted_first():
    s = situation(members=2, draft=True, answered=10, visible=10)
    assert next_steps(s) == [steps.SUBMIT, steps.CONTINUE]


def test_the_plan_asks_for_decisions_then_for_what_was_done_then_for_the_pdf():
    s = situation(
        members=2,
        last_submitted_on=TODAY - timedelta(days=30),
        has_plan=True,
        proposed_lines=2,
        accepted_lines=1,
    )
    assert next_steps(s) == [steps.REVIEW_LINES, steps.MARK_DONE, steps.REQUEST_PDF]


@pytest.mark.parametrize(
    ("pdf", "asked"), [("none", True), ("outdated", True), ("current", False), ("pending", False)]
)
def test_the_pdf_is_requested_when_missing_or_out_of_date(pdf, asked):
    s = situation(members=2, last_submitted_on=TODAY, has_plan=True, pdf=pdf)
    assert (steps.REQUEST_PDF in next_steps(s)) is asked


def test_a_re_assessment_is_offered_a_year_after_the_last_submission():
    last = TODAY - timedelta(days=365)
    assert next_steps(situation(members=2, last_submitted_on=last))[0] == steps.REASSESS
    earlier = situation(members=2, last_submitted_on=last + timedelta(days=1))
    assert steps.REASSESS not in next_steps(earlier)
    in_progress = situation(members=2, last_submitted_on=last, draft=True, visible=4)
    assert steps.REASSESS not in next_steps(in_progress)


def test_a_member_sees_no_administrator_step():
    s = situation(
        is_admin=False,
        members=1,
        draft=True,
        answered=10,
        visible=10,
        last_submitted_on=TODAY - timedelta(days=400),
        has_plan=True,
        proposed_lines=1,
        accepted_lines=1,
    )
    assert next_steps(s) == [steps.CONTINUE, steps.REQUEST_PDF]
    assert next_steps(situation(is_admin=False, members=1)) == []


# --- The page -----------------------------------------------------------------------------


def _steps(response):
    return [step["code"] for step in response.context["steps"]]


def test_a_company_without_diagnostic(client_for, company_a):
    response = client_for(company_a.admin).get(reverse("home"))
    assert response.status_code == 200
    assert _steps(response) == [steps.START]
    page = response.text
    assert 'aria-labelledby="next-steps-title"' in page
    assert f'href="{reverse("diagnostics:list")}"' in page
    assert "<svg" not in page


def test_an_admin_alone_is_asked_to_invite_colleagues(client_for, company_a):
    Membership.objects.filter(user=company_a.member).delete()
    response = client_for(company_a.admin).get(reverse("home"))
    assert _steps(response) == [steps.START, steps.INVITE]
    assert f'href="{reverse("accounts:members")}"' in response.text


def test_a_draft_shows_its_progress(client_for, company_a, diagnostic):
    diagnostic_services.save_answer(
        diagnostic=diagnostic,
        question_code="A.ONE.Q1",
        answer=AnswerValue(2),
        user=company_a.admin,
        base_version=0,
    )
    response = client_for(company_a.admin).get(reverse("home"))
    draft = response.context["draft"]
    assert draft["visible"] > 1
    assert draft["answered"] == 1
    page = response.text
    assert f'<progress class="w-100" max="{draft["visible"]}" value="1"' in page
    assert _steps(response) == [steps.CONTINUE, steps.SUBMIT]
    assert reverse("diagnostics:overview", args=[diagnostic.public_id]) in page


def test_a_member_sees_the_draft_without_the_submit_step(client_for, company_a, diagnostic):
    response = client_for(company_a.member).get(reverse("home"))
    assert _steps(response) == [steps.CONTINUE]
    assert reverse("accounts:company_profile") not in response.text


def test_submitted_diagnostics_and_their_plan(client_for, company_a, advisor, submitted):
    plan = ActionPlan.objects.get(diagnostic=submitted)
    items = list(PlanItem.objects.filter(plan=plan).order_by("pk"))
    assert len(items) >= 2
    report_services.update_plan_items(
        plan=plan, changes={items[0].pk: {"status": "done"}, items[1].pk: {"status": "dropped"}}
    )
    ActionPlan.objects.filter(pk=plan.pk).update(
        validated_by=advisor,
        validated_at=timezone.now(),
        year1_cost_min=1000,
        year1_cost_max=2000,
        year1_funding_min=400,
        year1_funding=700,
        year1_remaining_min=600,
        year1_remaining_max=1300,
    )
    response = client_for(company_a.admin).get(reverse("home"))
    context = response.context
    assert context["latest"]["diagnostic"] == submitted
    assert context["latest"]["gaps"]
    assert len(context["latest"]["gaps"]) <= 3
    assert (context["plan"]["done"], context["plan"]["dropped"]) == (1, 1)
    page = response.text
    assert reverse("diagnostics:results", args=[submitted.public_id]) in page
    assert reverse("reports:plan", args=[submitted.public_id]) in page
    assert f'href="mailto:{advisor.email}"' in page
    assert 'data-validation="validated"' in page
    assert 'data-pdf="none"' in page
    assert re.search(r"1\D?000\xa0– 2\D?000 €", page)  # first-year cost
    assert ">400\xa0– 700 €<" in page  # estimated funding, at both ends of the cost range
    assert re.search(r"600\xa0– 1\D?300 €", page)  # remaining cost
    assert steps.REQUEST_PDF in _steps(response)
    assert "<polyline" not in page  # one point in time: markers, no line
    assert "<svg" in page
    assert "<caption>" in page


def test_the_latest_pdf_and_whether_it_is_out_of_date(client_for, company_a, submitted):
    Report.objects.create(
        company=company_a.company,
        diagnostic=submitted,
        number=1,
        language="fr",
        status=Report.Status.READY,
        source_fingerprint=report_services.fingerprint(submitted, "fr"),
    )
    response = client_for(company_a.admin).get(reverse("home"))
    assert response.context["pdf"]["state"] == "current"
    assert steps.REQUEST_PDF not in _steps(response)
    plan = ActionPlan.objects.get(diagnostic=submitted)
    item = PlanItem.objects.filter(plan=plan).first()
    report_services.update_plan_items(plan=plan, changes={item.pk: {"status": "accepted"}})
    response = client_for(company_a.admin).get(reverse("home"))
    assert response.context["pdf"]["state"] == "outdated"
    assert 'data-pdf="outdated"' in response.text
    assert steps.REQUEST_PDF in _steps(response)
    assert steps.MARK_DONE in _steps(response)


def _past(company, submitted, n):
    """n diagnostics submitted before `submitted`, a month apart, with their scores."""
    past = Diagnostic.objects.bulk_create(
        Diagnostic(
            company=company,
            questionnaire=submitted.questionnaire,
            status=Diagnostic.Status.SUBMITTED,
            sector=submitted.sector,
            headcount_band=submitted.headcount_band,
            submitted_at=submitted.submitted_at - timedelta(days=30 * (i + 1)),
            results=submitted.results,
        )
        for i in range(n)
    )
    Score.objects.bulk_create(
        Score(company=company, diagnostic=d, level=level, code=code, score=20 + i)
        for i, d in enumerate(past)
        for level, code in (("overall", "overall"), ("domain", "A"), ("domain", "B"))
    )
    return past


def test_progress_over_time_and_each_competency_then_and_now(client_for, company_a, submitted):
    _past(company_a.company, submitted, 1)
    response = client_for(company_a.member).get(reverse("home"))
    page = response.text
    assert "<polyline" in page
    assert len(response.context["history"]["submitted"]) == 2
    assert response.context["competencies"]
    assert "data-competencies" in page
    assert "Compétence un" in page or "Competency one" in page


def _count(client):
    client.get(reverse("home"))  # per-process caches (questionnaire, question ids) warm
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("home")).status_code == 200
    return len(queries)


def test_the_query_count_does_not_grow_with_the_past_diagnostics(client_for, company_a, submitted):
    client = client_for(company_a.admin)
    _past(company_a.company, submitted, 1)
    with_two = _count(client)
    _past(company_a.company, submitted, 19)
    assert len(client.get(reverse("home")).context["history"]["submitted"]) == 21
    assert _count(client) == with_two


# --- Scores with too few known answers: as on the results page, no index ------------------


def _unreliable(results):
    """Frozen results like `results`, but resting on too few known answers."""
    return {**results, "results": {**results["results"], "reliable": False, "known_share": 0.3}}


def test_a_last_diagnostic_with_too_few_known_answers_shows_no_index_but_why(
    client_for, company_a, submitted, small_questionnaire
):
    last = diagnostic_services.start_diagnostic(
        membership=Membership.objects.get(user=company_a.admin),
        questionnaire=small_questionnaire,
        mode="collective",
    )
    save_answers(last, company_a.member, (("A.ONE.Q1", 4),))  # 1 of the 3 scored questions
    report_services.submit(diagnostic=last, user=company_a.admin)
    client = client_for(company_a.admin)
    client.cookies["django_language"] = "en"
    response = client.get(reverse("home"))
    latest = response.context["latest"]
    assert latest["diagnostic"] == last
    assert (latest["reliable"], latest["overall"], latest["gaps"]) == (False, None, [])
    page = response.text
    now = page.split('id="now-title"', 1)[1].split("</section>", 1)[0]
    assert "<span data-unreliable>Not enough known answers for reliable scores.</span>" in now
    assert "Overall index:" not in now
    assert "data-gaps" not in now
    # Its scores are left out of the progress over time, which says so.
    history = response.context["history"]
    assert len(history["submitted"]) == 2
    assert len(history["dates"]) == len(history["overall"]) == 1
    assert len(history["left_out"]) == 1
    assert "data-left-out" in page
    assert "is left out of the chart and its table" in page
    assert "<polyline" not in page  # one point left: no line
    assert latest["competencies"] == []
    assert "data-competencies" not in page


def test_a_diagnostic_with_too_few_known_answers_is_left_out_of_the_trend(
    client_for, company_a, submitted
):
    middle, first = _past(company_a.company, submitted, 2)  # 20 and 21
    Diagnostic.objects.filter(pk=middle.pk).update(results=_unreliable(submitted.results))
    response = client_for(company_a.admin).get(reverse("home"))
    history = response.context["history"]
    now = Score.objects.get(diagnostic=submitted, level="overall").score
    assert history["overall"] == [21, now]
    assert [row["values"][0] for row in history["domains"]] == [21, 21]
    assert history["left_out"] == [timezone.localtime(middle.submitted_at).strftime("%d/%m/%Y")]
    page = response.text
    assert "<polyline" in page  # the two reliable points, joined
    # Each competency is compared with the last diagnostic with reliable scores.
    assert response.context["latest"]["previous"] == first
    assert response.context["competencies"]
    left_out = page.split("data-left-out>", 1)[1].split("</p>", 1)[0]
    assert timezone.localtime(middle.submitted_at).strftime("%d/%m/%Y") in left_out


def test_a_re_assessment_is_offered_after_a_year(client_for, company_a, submitted, settings):
    Diagnostic.objects.filter(pk=submitted.pk).update(
        submitted_at=timezone.now() - timedelta(days=settings.REASSESSMENT_AFTER_DAYS + 1)
    )
    assert _steps(client_for(company_a.admin).get(reverse("home")))[0] == steps.REASSESS
    assert steps.REASSESS not in _steps(client_for(company_a.member).get(reverse("home")))


def test_another_company_s_data_never_appears(client_for, company_a, company_b, submitted):
    other = MembershipFactory(company=company_b.company, role=Membership.Role.ADMIN).user
    response = client_for(other).get(reverse("home"))
    page = response.text
    assert response.context["company"] == company_b.company
    assert response.context["latest"] is None
    assert response.context["plan"] is None
    assert str(submitted.public_id) not in page
    assert company_a.company.name not in page
    assert "<svg" not in page


# --- Who has answered what, copied answers, what was done between two diagnostics ---------


def test_an_individual_draft_shows_each_respondent_s_progress(
    client_for, company_a, start, small_questionnaire
):
    draft = start(small_questionnaire, mode="individual")
    save_answers(draft, company_a.member, (("A.ONE.Q1", 2), ("A.ONE.Q2", "no")))
    response = client_for(company_a.admin).get(reverse("home"))
    rows = {
        r["name"]: (r["answered"], r["visible"]) for r in response.context["draft"]["respondents"]
    }
    assert rows[company_a.member.full_name][0] == 2
    assert rows[company_a.admin.full_name][0] == 0  # has not started: listed all the same
    assert response.context["draft"]["answered"] == 0  # the admin's own progress
    assert "data-respondents" in response.text


def test_a_shared_draft_shows_who_gave_the_answers(client_for, company_a, diagnostic):
    save_answers(diagnostic, company_a.member, (("A.ONE.Q1", 2), ("A.ONE.Q2", "no")))
    save_answers(diagnostic, company_a.admin, (("B.TWO.Q1", 40),))
    response = client_for(company_a.member).get(reverse("home"))
    given = {r["name"]: r["given"] for r in response.context["draft"]["respondents"]}
    assert given == {company_a.member.full_name: 2, company_a.admin.full_name: 1}
    assert response.context["draft"]["answered"] == 3


def test_a_re_assessment_shows_the_answers_still_to_confirm(
    client_for, company_a, submitted, small_questionnaire
):
    diagnostic_services.start_diagnostic(
        membership=Membership.objects.get(user=company_a.admin),
        questionnaire=small_questionnaire,
        mode="collective",
        copy_from=submitted,
    )
    response = client_for(company_a.admin).get(reverse("home"))
    assert response.context["draft"]["to_confirm"] == 4
    assert "data-to-confirm" in response.text
    assert _steps(response)[0] == steps.CONFIRM
    assert steps.SUBMIT not in _steps(response)  # it would be refused
    assert response.context["draft"]["respondents"] == []  # nobody has answered again yet


def test_lines_done_between_the_two_diagnostics_stand_beside_their_domains(
    client_for, company_a, submitted, small_questionnaire
):
    plan = ActionPlan.objects.get(diagnostic=submitted)
    items = list(PlanItem.objects.filter(plan=plan).select_related("action").order_by("pk"))
    done, late = items[0], items[1]
    report_services.update_plan_items(
        plan=plan, changes={done.pk: {"status": "done"}, late.pk: {"status": "done"}}
    )
    second = diagnostic_services.start_diagnostic(
        membership=Membership.objects.get(user=company_a.admin),
        questionnaire=small_questionnaire,
        mode="collective",
    )
    # Enough known answers for reliable scores: the comparison leaves out any other.
    save_answers(second, company_a.admin, (("A.ONE.Q1", 3), ("B.TWO.Q1", 50)))
    report_services.submit(diagnostic=second, user=company_a.admin)
    PlanItem.objects.filter(pk=late.pk).update(done_at=timezone.now() + timedelta(days=1))
    response = client_for(company_a.admin).get(reverse("home"))
    rows = {row["code"]: row["done"] for row in response.context["domain_rows"]}
    title = done.action.title["fr"]
    domains = {c.split(".")[0] for c in done.competencies}
    assert all(title in rows[code] for code in domains)
    assert all(late.action.title["fr"] not in titles for titles in rows.values())  # after
    assert f'data-done="{sorted(domains)[0]}"' in response.text


def test_copied_answers_are_confirmed_before_the_diagnostic_is_submitted():
    s = situation(members=2, draft=True, answered=10, visible=10, to_confirm=3)
    assert next_steps(s) == [steps.CONFIRM]
    partial = situation(members=2, draft=True, answered=4, visible=10, to_confirm=3)
    assert next_steps(partial) == [steps.CONFIRM, steps.CONTINUE]
    member = situation(is_admin=False, draft=True, answered=10, visible=10, to_confirm=3)
    assert next_steps(member) == [steps.CONFIRM]  # everyone confirms their answers


def test_first_year_figures_under_last_year_s_rules_are_to_be_confirmed(
    client_for, company_a, funding_rules, submitted, monkeypatch
):
    client = client_for(company_a.admin)
    client.cookies["django_language"] = "en"
    assert ActionPlan.objects.get(diagnostic=submitted).year1_cost_min is not None
    # The rules' own year (checked on 24/11/2026): the test does not depend on today's date.
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: date(2026, 11, 24))
    assert "data-rules-out-of-date" not in client.get(reverse("home")).text
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: date(2027, 1, 4))
    page = client.get(reverse("home")).text
    assert (
        "Amounts to be confirmed with your OPCO: they follow funding rules checked in 2026."
    ) in page


def _advisors_cell(response) -> str:
    page = response.content.decode()
    start = page.index("data-advisors>")
    return page[start : page.index("</dd>", start)]


def test_the_company_sees_whom_to_write_to_at_the_skills_operator(
    client_for, company_a, company_b, advisor
):
    advisor.full_name = "Sophie Conseil & Fils"
    advisor.save()
    former = UserFactory(is_advisor=True, is_active=False, full_name="Ancien Conseiller")
    no_longer = UserFactory(is_advisor=False, full_name="Plus Conseiller")
    company_a.company.advisors.add(former, no_longer)
    company_b.company.advisors.add(UserFactory(is_advisor=True, full_name="Autre Conseiller"))
    cell = _advisors_cell(client_for(company_a.member).get(reverse("home")))
    assert "Sophie Conseil &amp; Fils" in cell
    assert f'href="mailto:{advisor.email}"' in cell
    for name in ("Ancien Conseiller", "Plus Conseiller", "Autre Conseiller"):
        assert name not in cell


def test_a_company_without_an_advisor_is_told_so(client_for, company_a):
    cell = _advisors_cell(client_for(company_a.admin).get(reverse("home")))
    assert "Votre opérateur de compétences n’a pas encore attribué de conseiller" in cell
    assert "mailto:" not in cell


def test_the_advisors_cost_one_query_however_many(client_for, company_a, advisor):
    client = client_for(company_a.admin)
    one = _count(client)
    company_a.company.advisors.add(*UserFactory.create_batch(4, is_advisor=True))
    assert _count(client) == one
    assert _advisors_cell(client.get(reverse("home"))).count("mailto:") == 5


def test_the_operator_s_staff_land_on_the_administration_and_find_it_in_the_menu(
    client_for, django_user_model
):
    """Staff of the skills operator belong to no company: they are not told to register
    one, and the menu leads them to the administration (questionnaires, catalogue,
    funding rules, advisors' companies)."""
    staff = django_user_model.objects.create_user(
        email="operateur@test.example", full_name="Opérateur", is_staff=True
    )
    client = client_for(staff)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")
    page = client.get(reverse("observatory:needs")).text
    assert f'href="{reverse("admin:index")}">Administration</a>' in page
    member_page = client_for(UserFactory()).get(reverse("home")).text
    assert reverse("admin:index") not in member_page
    assert reverse("accounts:signup") in member_page  # a person without a company may register one


def test_trainings_accepted_in_an_earlier_plan_stay_on_the_home_until_done(
    client_for, company_a, submitted, small_questionnaire
):
    """A new diagnostic makes a new plan; the trainings accepted in the one before, and
    the funding requests filed for them, are still listed until they are done."""
    from datetime import date as day

    first_plan = report_services.plan_for(submitted)
    kept, finished = PlanItem.objects.filter(plan=first_plan).order_by("position")[:2]
    report_services.update_plan_items(
        plan=first_plan,
        changes={
            kept.pk: {
                "status": "accepted",
                "target_quarter": "2027-T2",
                "funding_requested_on": day(2026, 11, 25),
                "funding_reference": "OPCO-42",
            },
            finished.pk: {"status": "done"},
        },
    )
    later = diagnostic_services.start_diagnostic(
        membership=Membership.objects.get(user=company_a.admin),
        questionnaire=small_questionnaire,
        mode="collective",
    )
    save_answers(later, company_a.member)
    report_services.submit(diagnostic=later, user=company_a.admin)
    client = client_for(company_a.member)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("home")).text
    assert "data-earlier-lines" in page
    earlier = page.split("data-earlier-lines", 1)[1].split("</ul>", 1)[0]
    assert kept.action.title["en"] in earlier
    assert "2027-Q2" in earlier
    assert "funding requested on 25/11/2026 — OPCO-42" in earlier
    assert reverse("reports:plan", args=[submitted.public_id]) in earlier
    assert finished.action.title["en"] not in earlier
    report_services.update_plan_items(plan=first_plan, changes={kept.pk: {"status": "done"}})
    assert "data-earlier-lines" not in client.get(reverse("home")).text
