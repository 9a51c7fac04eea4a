from __future__ import annotations

import importlib
import io
import re
from datetime import date
from pathlib import Path

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from accounts.models import Company
from diagnostics import services as diagnostic_services
from diagnostics.scoring import AnswerValue
from reports import services
from reports.document import report_context
from reports.models import ActionPlan, FundingRules, PlanItem, Report, TrainingAction
from tests.factories import save_answers
from tests.markup import header_cells
from tests.samples import SMALL_CATALOGUE, SMALL_CATALOGUE_V2, SMALL_V2

# What the confirmation page posts with the submission.
CONFIRM = {"confirm": "1"}


def plan_url(d):
    return reverse("reports:plan", args=[d.public_id])


def save_url(d):
    return reverse("reports:save_plan", args=[d.public_id])


@pytest.fixture
def en(client):
    client.cookies["django_language"] = "en"
    return client


def item_data(plan, *, shown=False, **overrides):
    """The lines' fields as posted; `shown`: also the value each field showed (its hidden
    initial value), as the page posts them."""
    data = {}
    for item in PlanItem.objects.filter(plan=plan):
        prefix = f"item-{item.pk}-"
        values = {
            "status": item.status,
            "horizon": item.horizon,
            "priority": item.priority,
            "target_quarter": item.target_quarter,
            "owner": item.owner,
            "people": item.people,
            "notes": item.notes,
            "funding_requested_on": item.funding_requested_on or "",
            "funding_reference": item.funding_reference,
            "funding_granted": "" if item.funding_granted is None else item.funding_granted,
        }
        if shown:
            data.update({f"initial-{prefix}{k}": v for k, v in values.items()})
        values.update(overrides.get(item.action.code, {}))
        data.update({prefix + k: v for k, v in values.items()})
    return data


def test_a_page_loaded_before_someone_else_saved_keeps_their_changes(
    client_for, company_a, submitted, advisor
):
    """Only what this person changed is applied: the advisor's priority and a colleague's
    status, saved after this page was loaded, stay."""
    client = client_for(company_a.admin)
    assert 'name="initial-item-' in client.get(plan_url(submitted)).text
    plan = ActionPlan.objects.get()
    one, two = (PlanItem.objects.get(action__code=code) for code in ("A-ONE-01", "B-TWO-01"))
    stale = item_data(plan, shown=True, **{"A-ONE-01": {"status": "accepted"}})
    services.adjust_plan_lines(plan=plan, adjustments={one.pk: {"priority": 3}})
    services.update_plan_items(plan=plan, changes={two.pk: {"status": "postponed"}})
    assert client.post(save_url(submitted), stale).status_code == 302
    one.refresh_from_db()
    two.refresh_from_db()
    assert (one.status, one.priority, two.status) == ("accepted", 3, "postponed")


def test_a_line_added_since_the_company_page_was_loaded_is_left_as_it_is(
    client_for, company_a, submitted, advisor
):
    client = client_for(company_a.admin)
    client.get(plan_url(submitted))
    plan = ActionPlan.objects.get()
    stale = item_data(plan, shown=True, **{"A-ONE-01": {"status": "accepted"}})
    action = TrainingAction.objects.get(catalogue=plan.catalogue, code="A-ONE-02")
    added = services.add_plan_line(
        plan=plan, action=action, priority=1, horizon="year1", user=advisor
    )
    assert client.post(save_url(submitted), stale).status_code == 302
    added.refresh_from_db()
    assert (added.status, added.people) == ("proposed", 1)
    assert PlanItem.objects.get(action__code="A-ONE-01").status == "accepted"


def test_plan_is_made_from_the_gaps_with_reasons(client_for, company_a, submitted, en):
    response = client_for(company_a.member).get(plan_url(submitted))
    assert response.status_code == 200
    plan = ActionPlan.objects.get(diagnostic=submitted)
    items = {i.action.code: i for i in PlanItem.objects.filter(plan=plan)}
    assert set(items) == {"A-ONE-01", "B-TWO-01"}
    assert items["A-ONE-01"].priority == 1
    assert items["B-TWO-01"].priority == 2
    assert {i.horizon for i in items.values()} == {"year1"}
    assert items["A-ONE-01"].reasons["rule"] == "R1"
    assert "(gap 3)" in response.text
    assert "Level of the first practice?" in response.text  # the answer behind the gap
    assert "Basics of practice one" in response.text
    # Totals: 14 h at 600–900 € on the development plan, 7 h at 100–200 € on the CPF.
    assert "21" in response.text
    assert 'name="item-' not in response.text  # members read, admins edit


def test_every_header_cell_of_the_plan_page_has_text(client_for, company_a, submitted):
    """Screen readers announce a column by its header: none is left empty (the totals'
    first column names what its rows count)."""
    page = client_for(company_a.admin).get(plan_url(submitted)).text
    cells = header_cells(page)
    assert "Actions comptées" in cells
    assert "Financement OPCO estimé" in cells  # the totals table is on the page
    assert [cell for cell in cells if not cell] == []


def test_opening_the_plan_twice_makes_it_once(client_for, company_a, submitted):
    client = client_for(company_a.member)
    client.get(plan_url(submitted))
    client.get(plan_url(submitted))
    assert ActionPlan.objects.count() == 1
    assert PlanItem.objects.count() == 2


def test_admin_edits_the_plan_and_the_revision_grows(client_for, company_a, submitted):
    client = client_for(company_a.admin)
    client.get(plan_url(submitted))
    plan = ActionPlan.objects.get()
    data = item_data(
        plan,
        **{
            "A-ONE-01": {
                "status": "accepted",
                "target_quarter": "2027-T2",
                "owner": "<b>Chef</b>",
                "people": 3,
            }
        },
    )
    response = client.post(save_url(submitted), data)
    assert response.status_code == 302
    item = PlanItem.objects.get(action__code="A-ONE-01")
    assert (item.status, item.target_quarter, item.people) == ("accepted", "2027-T2", 3)
    plan.refresh_from_db()
    assert plan.revision == 2
    page = client.get(plan_url(submitted))
    assert "&lt;b&gt;Chef&lt;/b&gt;" in page.text
    assert client.post(save_url(submitted), data).status_code == 302
    plan.refresh_from_db()
    assert plan.revision == 2  # nothing changed, no new revision


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("target_quarter", "Q3 2027", "2027-T1"),
        ("people", "0", "greater than or equal to 1"),
        ("status", "finished", "valid choice"),
    ],
)
def test_bad_plan_input_is_refused_and_changes_nothing(
    client_for, company_a, submitted, en, field, value, message
):
    client = client_for(company_a.admin)
    client.get(plan_url(submitted))
    plan = ActionPlan.objects.get()
    response = client.post(save_url(submitted), item_data(plan, **{"A-ONE-01": {field: value}}))
    assert response.status_code == 400
    assert message in response.text
    plan.refresh_from_db()
    assert plan.revision == 1


def test_member_cannot_edit_the_plan(client_for, company_a, submitted):
    client = client_for(company_a.member)
    client.get(plan_url(submitted))
    plan = ActionPlan.objects.get()
    response = client.post(
        save_url(submitted), item_data(plan, **{"A-ONE-01": {"status": "dropped"}})
    )
    assert response.status_code == 403
    assert PlanItem.objects.get(action__code="A-ONE-01").status == "proposed"


@pytest.mark.quality("S1", "S3")
def test_outsider_and_foreign_advisor_get_404(client_for, outsider, submitted, django_user_model):
    assert client_for(outsider).get(plan_url(submitted)).status_code == 404
    stranger = django_user_model.objects.create_user(
        email="adv@test.example", full_name="A", is_advisor=True
    )
    assert client_for(stranger).get(plan_url(submitted)).status_code == 404
    assert client_for(stranger).post(save_url(submitted), {}).status_code == 404
    assert ActionPlan.objects.get().revision == 1


def test_submission_makes_the_plan(client_for, company_a, diagnostic, catalogue):
    diagnostic_services.save_answer(
        diagnostic=diagnostic,
        question_code="A.ONE.Q1",
        answer=AnswerValue(0),
        user=company_a.admin,
        base_version=0,
    )
    response = client_for(company_a.admin).post(
        reverse("reports:submit", args=[diagnostic.public_id]), CONFIRM
    )
    assert response.status_code == 302
    plan = ActionPlan.objects.get(diagnostic=diagnostic)
    assert plan.company_id == company_a.company.pk
    assert PlanItem.objects.filter(plan=plan).exists()


def test_plan_page_never_writes_and_a_missing_plan_is_made_on_request(
    client_for, company_a, diagnostic, catalogue, en
):
    diagnostic_services.submit_diagnostic(diagnostic=diagnostic, user=company_a.admin)
    page = client_for(company_a.member).get(plan_url(diagnostic))
    assert page.status_code == 200
    assert "not been made yet" in page.text
    assert 'action="' + reverse("reports:make_plan", args=[diagnostic.public_id]) not in page.text
    assert not ActionPlan.objects.exists()
    make = reverse("reports:make_plan", args=[diagnostic.public_id])
    assert client_for(company_a.member).post(make).status_code == 403
    assert not ActionPlan.objects.exists()
    assert client_for(company_a.admin).post(make).status_code == 302
    assert ActionPlan.objects.filter(diagnostic=diagnostic).exists()


def test_draft_diagnostic_has_no_plan_yet(client_for, company_a, diagnostic, catalogue):
    response = client_for(company_a.admin).get(plan_url(diagnostic))
    assert response.status_code == 302
    assert not ActionPlan.objects.exists()


def test_the_advisor_validates_from_the_review_page_only(
    client_for, advisor, company_a, submitted, django_capture_on_commit_callbacks, monkeypatch
):
    """One place to comment on and validate a plan: the plan page sends the following
    advisor to the review page; the company sees the comment there once it is saved."""
    monkeypatch.setattr("reports.tasks.render_report.delay", lambda *a: None)
    client = client_for(advisor)
    page = client.get(plan_url(submitted)).text
    review = reverse("advisors:review", args=[submitted.public_id])
    assert f'href="{review}"' in page.split("data-advisor-review", 1)[1]
    assert 'name="review"' not in page  # no second comment and validation form here
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("advisors:save_review", args=[submitted.public_id]),
            {"review": "validate", "comment": "Prioriser la <i>sécurité</i>."},
        )
    assert response.status_code == 302
    plan = ActionPlan.objects.get()
    assert plan.validated_by == advisor
    page = client_for(company_a.admin).get(plan_url(submitted)).text
    assert "Prioriser la &lt;i&gt;sécurité&lt;/i&gt;." in page
    assert "data-advisor-review" not in page


@pytest.mark.quality("R7")
def test_changed_plan_marks_the_pdf_out_of_date_and_old_versions_stay(
    client_for, company_a, submitted, django_capture_on_commit_callbacks, en
):
    first = services.request_report(diagnostic=submitted, user=company_a.admin, language="en")
    Report.objects.filter(pk=first.pk).update(
        status=Report.Status.READY, file="reports/old.pdf", pages=3
    )
    first.refresh_from_db()
    assert not services.is_outdated(first)
    client = client_for(company_a.admin)
    plan = ActionPlan.objects.get()
    client.post(save_url(submitted), item_data(plan, **{"B-TWO-01": {"status": "dropped"}}))
    assert services.is_outdated(first)
    page = client.get(reverse("reports:report", args=[first.public_id]))
    assert "out of date" in page.text
    second = services.request_report(diagnostic=submitted, user=company_a.admin, language="en")
    assert second.number == 2
    page = client.get(reverse("reports:report", args=[second.public_id]))
    assert reverse("reports:download", args=[first.public_id]) in page.text
    # The version being made shows the plan as it is: no "out of date" beside "being made".
    assert "being made" in page.text
    assert "out of date" not in page.text
    assert "out of date" not in client.get(reverse("reports:report", args=[first.public_id])).text
    # It failed: the latest PDF there is is out of date again.
    Report.objects.filter(pk=second.pk).update(status=Report.Status.FAILED)
    assert "out of date" in client.get(reverse("reports:report", args=[second.public_id])).text


@pytest.mark.quality("S1")
def test_report_pages_and_downloads_are_404_for_outsiders(
    client_for, outsider, company_a, advisor, submitted, tmp_path, settings
):
    from django.core.files.base import ContentFile

    report = services.request_report(diagnostic=submitted, user=company_a.admin, language="fr")
    report.file.save("r.pdf", ContentFile(b"%PDF-1.7 test"), save=False)
    Report.objects.filter(pk=report.pk).update(
        status=Report.Status.READY, file=report.file.name, pages=1
    )
    for url in (
        reverse("reports:report", args=[report.public_id]),
        reverse("reports:download", args=[report.public_id]),
    ):
        assert client_for(outsider).get(url).status_code == 404
    assert (
        client_for(outsider)
        .post(reverse("reports:request", args=[submitted.public_id]))
        .status_code
        == 404
    )
    assert Report.objects.count() == 1
    download = client_for(advisor).get(reverse("reports:download", args=[report.public_id]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.7 test"


@pytest.fixture
def submitted_v2(company_a, start, db):
    """A diagnostic of the version-2 sample with a legal obligation not met."""
    questionnaire, _ = diagnostic_services.import_questionnaire(text=SMALL_V2)
    services.import_catalogue(text=SMALL_CATALOGUE_V2)
    diagnostic = start(questionnaire)
    for code, value in (
        ("A.ONE.Q1", AnswerValue(None, not_concerned=True)),
        ("B.TWO.Q1", AnswerValue(10)),
        ("C.SAFE.DUERP", AnswerValue("no")),
    ):
        diagnostic_services.save_answer(
            diagnostic=diagnostic,
            question_code=code,
            answer=value,
            user=company_a.admin,
            base_version=0,
        )
    services.submit(diagnostic=diagnostic, user=company_a.admin)
    return diagnostic


def test_a_legal_obligation_not_met_comes_first_and_apart(client_for, company_a, submitted_v2, en):
    plan = ActionPlan.objects.get(diagnostic=submitted_v2)
    items = {i.action.code: i for i in PlanItem.objects.filter(plan=plan)}
    duerp = items["C-SAFE-01"]
    assert (duerp.priority, duerp.horizon) == (1, "year1")
    assert duerp.reasons["obligations"][0]["question"] == "C.SAFE.DUERP"
    assert "A-ONE-01" not in items  # "not concerned": never turned into a recommendation
    page = client_for(company_a.member).get(plan_url(submitted_v2))
    text = page.text
    assert "Legal obligations to put right" in text
    assert "Up-to-date risk assessment (DUERP)" in text
    assert text.index("Legal obligations to put right") < text.index("The first 12 months")


def submitted_without_duerp(diagnostic, user):
    """The diagnostic submitted with one answer: the risk assessment is not up to date."""
    diagnostic_services.save_answer(
        diagnostic=diagnostic,
        question_code="C.SAFE.DUERP",
        answer=AnswerValue("no"),
        user=user,
        base_version=0,
    )
    services.submit(diagnostic=diagnostic, user=user)
    return diagnostic


def test_a_gap_with_no_catalogue_action_is_still_in_the_plan(client_for, company_a, start, en):
    questionnaire, _ = diagnostic_services.import_questionnaire(text=SMALL_V2)
    services.import_catalogue(text=SMALL_CATALOGUE)  # covers neither C.SAFE nor more
    diagnostic = submitted_without_duerp(start(questionnaire), company_a.admin)
    plan = ActionPlan.objects.get(diagnostic=diagnostic)
    assert [gap["competency"] for gap in plan.open_gaps] == ["C.SAFE"]
    page = client_for(company_a.member).get(plan_url(diagnostic))
    assert "Gaps with no catalogue action: to discuss with your advisor" in page.text
    assert "Risk prevention" in page.text


def test_intra_company_sessions_are_priced_per_session(client_for, company_a, submitted_v2):
    plan = ActionPlan.objects.get(diagnostic=submitted_v2)
    session_action = plan.catalogue.spec.action("A-ONE-02")
    assert session_action.cost(3) == (3000, 4200)  # one session for 3 people
    assert session_action.cost(10) == (6000, 8400)  # two sessions for 10
    client = client_for(company_a.admin)
    data = item_data(plan, **{"C-SAFE-01": {"people": 3}})
    assert client.post(save_url(submitted_v2), data).status_code == 302
    page = client.get(plan_url(submitted_v2))
    line = re.search(r'id="line-[^"]+".*?</tr>', page.text, re.S).group(0)
    assert "C-SAFE-01" in line
    assert re.search(r"900\xa0– 1\s?350&nbsp;€", line)  # 3 people × 300–450 € per person


def test_a_fixed_unit_price_is_written_once(client_for, company_a, start, en):
    """An action whose price has no range reads "400 € per person", not "400–400 €"."""
    questionnaire, _ = diagnostic_services.import_questionnaire(text=SMALL_V2)
    services.import_catalogue(
        text=SMALL_CATALOGUE_V2.replace(
            "cost_per_person: {min: 300, max: 450}", "cost_per_person: {min: 400, max: 400}"
        )
    )
    diagnostic = submitted_without_duerp(start(questionnaire), company_a.admin)
    page = client_for(company_a.admin).get(plan_url(diagnostic)).text
    line = next(
        row for row in re.findall(r'id="line-[^"]+".*?</tr>', page, re.S) if "C-SAFE-01" in row
    )
    assert "400&nbsp;€ per person" in line
    assert "400–400" not in line
    assert "400 – 400" not in line


def submitted_with_a_cpf_line(start, user):
    """A diagnostic submitted with its one plan line funded by the personal training account
    alone: eligible (a certifying action), with no amount in the rules."""
    questionnaire, _ = diagnostic_services.import_questionnaire(text=SMALL_V2)
    services.import_catalogue(
        text=SMALL_CATALOGUE_V2.replace(
            "funding: [plan_developpement]\n    obligation: true",
            "funding: [cpf]\n    certifying: true\n    obligation: true",
        )
    )
    return submitted_without_duerp(start(questionnaire), user)


def test_a_route_without_an_amount_is_not_shown_as_zero(
    client_for, company_a, start, en, funding_rules
):
    """The personal training account is eligible for a certifying action, but its rule
    gives no amount: the plan says "not estimated", not "0 €"."""
    diagnostic = submitted_with_a_cpf_line(start, company_a.admin)
    page = client_for(company_a.admin).get(plan_url(diagnostic)).text
    line = next(
        row for row in re.findall(r'id="line-[^"]+".*?</tr>', page, re.S) if "C-SAFE-01" in row
    )
    assert "<strong>Personal training account (co-funding)</strong> : Eligible; the rules" in line
    cells = re.findall(r'<td class="text-end">(.*?)</td>', line, re.S)
    assert any(cell.startswith("not estimated") for cell in cells)
    assert not any(cell.startswith("0&nbsp;€") for cell in cells)
    # The costs by route, on the page and in the PDF, say the same of that route's lines.
    route = "Personal training account (co-funding)"
    (total,) = re.findall(rf'<th scope="row">{re.escape(route)}</th>(.*?)</tr>', page, re.S)
    funding = re.findall(r"<td[^>]*>(.*?)</td>", total, re.S)[2]
    assert funding.startswith("not estimated<abbr")
    context = report_context(diagnostic, "en", 1)
    html = render_to_string("reports/pdf.html", context)
    (total,) = re.findall(rf'<th scope="row">{re.escape(route)}</th>(.*?)</tr>', html, re.S)
    assert re.findall(r"<td[^>]*>(.*?)</td>", total, re.S)[2] == "not estimated*"
    by_route = {t["label"]: t for t in context["totals"]["by_route"]}
    assert by_route[route]["not_estimated"]


def test_the_funding_says_which_eligible_lines_it_leaves_out(
    client_for, company_a, start, en, funding_rules
):
    """A line the personal training account may fund counts 0 € in the funding: the plan's
    costs, the PDF's costs and summary, and the company's home say that the estimated
    funding leaves it out, and why, rather than showing 0 € alone."""
    diagnostic = submitted_with_a_cpf_line(start, company_a.admin)
    client = client_for(company_a.admin)
    sentence = (
        "The estimated funding leaves out 1 eligible line whose funding route gives no "
        "amount: to be confirmed with your OPCO. Routes: Personal training account "
        "(co-funding)."
    )
    page = client.get(plan_url(diagnostic)).text
    assert re.findall(r"<p[^>]*data-uncosted>(.*?)</p>", page, re.S) == [sentence]
    html = render_to_string("reports/pdf.html", report_context(diagnostic, "en", 1))
    assert re.findall(r"<p[^>]*data-uncosted>(.*?)</p>", html, re.S) == [sentence, sentence]
    # The first-year figures kept on the plan count it, for the home page.
    plan = ActionPlan.objects.get(diagnostic=diagnostic)
    assert plan.year1_uncosted_lines == 1
    home = client.get(reverse("home")).text
    (note,) = re.findall(r"<p[^>]*data-uncosted>(.*?)</p>", home, re.S)
    assert note == sentence.removesuffix(" Routes: Personal training account (co-funding).")
    # A plan whose lines all have an amount says nothing of the kind.
    ActionPlan.objects.filter(pk=plan.pk).update(year1_uncosted_lines=0)
    assert "data-uncosted" not in client.get(reverse("home")).text


def test_amounts_under_last_year_s_funding_rules_are_to_be_confirmed(
    client_for, company_a, funding_rules, submitted, en, monkeypatch
):
    """The default rules were checked in 2026: from 1 January 2027 the plan page and the
    PDF say that the year's amounts may differ and that every amount is to be confirmed."""
    assert ActionPlan.objects.get(diagnostic=submitted).funding_rules == funding_rules
    client = client_for(company_a.admin)
    # The rules' own year (checked on 24/11/2026): the test does not depend on today's date.
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: date(2026, 11, 24))
    page = client.get(plan_url(submitted)).text
    assert "data-rules-out-of-date" not in page
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: date(2027, 1, 4))
    page = client.get(plan_url(submitted)).text
    assert (
        "These funding rules were checked against their sources in 2026: the rates and "
        "amounts of 2027 may differ, so every amount is to be confirmed with your OPCO."
    ) in page
    assert "* to be confirmed with your OPCO." in page
    with translation.override("fr"):
        html = render_to_string("reports/pdf.html", report_context(submitted, "fr", 1))
    assert (
        "Ces règles de financement ont été vérifiées auprès de leurs sources en 2026 : "
        "les taux et montants de 2027 peuvent différer ; chaque montant est donc à "
        "confirmer auprès de votre OPCO."
    ) in html


FUNDING_V2 = Path(__file__).resolve().parents[2] / "reports" / "funding" / "funding-2026-v2.yaml"


@pytest.mark.quality("R7")
def test_a_plan_is_estimated_under_newer_funding_rules_on_request(
    client_for, company_a, funding_rules, submitted, en
):
    """A plan keeps the rules it was made with; once newer ones are published, the page
    says so, and an admin's request moves the plan to them: a new revision, new first-year
    figures and an out-of-date PDF. A member sees the notice without the button and may
    not post it."""
    plan = ActionPlan.objects.get(diagnostic=submitted)
    assert plan.funding_rules == funding_rules
    report = services.request_report(diagnostic=submitted, user=company_a.admin, language="en")
    Report.objects.filter(pk=report.pk).update(status=Report.Status.READY, file="r.pdf", pages=3)
    admin = client_for(company_a.admin)
    rules_url = reverse("reports:plan_funding_rules", args=[submitted.public_id])
    assert "data-newer-rules" not in admin.get(plan_url(submitted)).text
    assert admin.post(rules_url).status_code == 302  # nothing newer: nothing changes
    assert ActionPlan.objects.get(pk=plan.pk).revision == plan.revision

    newer, _ = FundingRules.publish(text=FUNDING_V2.read_text())
    page = admin.get(plan_url(submitted)).text
    assert "Newer funding rules have been published: version 2, checked against" in page
    assert f'action="{rules_url}"' in page
    member = client_for(company_a.member)  # the same test client, logged in again
    member_page = member.get(plan_url(submitted)).text
    assert "data-newer-rules" in member_page
    assert f'action="{rules_url}"' not in member_page
    assert member.post(rules_url).status_code == 403
    assert ActionPlan.objects.get(pk=plan.pk).funding_rules == funding_rules

    admin = client_for(company_a.admin)

    ActionPlan.objects.filter(pk=plan.pk).update(year1_funding=None)
    response = admin.post(rules_url, follow=True)
    assert "The plan is now estimated under the funding rules version 2" in response.text
    assert "data-newer-rules" not in response.text
    moved = ActionPlan.objects.get(pk=plan.pk)
    assert moved.funding_rules == newer
    assert moved.revision == plan.revision + 1
    assert moved.year1_funding is not None
    assert services.is_outdated(Report.objects.get(pk=report.pk))


def test_a_following_advisor_moves_the_plan_to_newer_rules_from_the_review(
    client_for, advisor, outsider, funding_rules, submitted, en
):
    newer, _ = FundingRules.publish(text=FUNDING_V2.read_text())
    review = reverse("advisors:review", args=[submitted.public_id])
    rules_url = reverse("advisors:funding_rules", args=[submitted.public_id])
    assert f'action="{rules_url}"' in client_for(advisor).get(review).text
    assert client_for(outsider).post(rules_url).status_code == 404
    assert ActionPlan.objects.get(diagnostic=submitted).funding_rules == funding_rules
    response = client_for(advisor).post(rules_url)
    assert response["Location"] == review
    assert ActionPlan.objects.get(diagnostic=submitted).funding_rules == newer


def test_the_migration_keeps_up_to_date_pdfs_up_to_date(company_a, funding_rules, submitted):
    """The PDF's fingerprint now covers the funding rules: a PDF that was up to date under
    the old fingerprint gets the new one of the same state; an out-of-date one stays so."""
    from django.apps import apps

    migration = importlib.import_module(
        "reports.migrations.0009_pdf_fingerprint_with_funding_rules"
    )
    before, after = migration._fingerprints(apps, submitted, "fr")
    assert after == services.fingerprint(submitted, "fr") != before
    current = services.request_report(diagnostic=submitted, user=company_a.admin, language="fr")
    Report.objects.filter(pk=current.pk).update(status=Report.Status.READY)  # then a new one
    stale = services.request_report(diagnostic=submitted, user=company_a.admin, language="fr")
    Report.objects.filter(pk=current.pk).update(source_fingerprint=before)
    Report.objects.filter(pk=stale.pk).update(source_fingerprint="0" * 64)
    migration.keep_current_pdfs_current(apps, None)
    assert not services.is_outdated(Report.objects.get(pk=current.pk))
    assert services.is_outdated(Report.objects.get(pk=stale.pk))
    migration.back_to_the_old_fingerprint(apps, None)
    assert Report.objects.get(pk=current.pk).source_fingerprint == before


def test_target_quarters_read_q_in_english_and_t_in_french(client_for, company_a, submitted):
    """Stored and typed as "2027-T2" (trimestre), shown as "2027-Q2" to English readers:
    on the plan page, in its export and in the PDF's lines."""
    from reports.document import plan_rows

    client = client_for(company_a.admin)
    client.get(plan_url(submitted))
    plan = ActionPlan.objects.get()
    item = PlanItem.objects.get(action__code="A-ONE-01")
    services.update_plan_items(plan=plan, changes={item.pk: {"target_quarter": "2027-T2"}})
    rows = {r["pk"]: r for r in plan_rows(plan, "en")[0]}
    assert rows[item.pk]["target_quarter"] == "2027-Q2"
    assert {r["pk"]: r for r in plan_rows(plan, "fr")[0]}[item.pk]["target_quarter"] == "2027-T2"
    client.cookies["django_language"] = "en"
    page = client.get(plan_url(submitted)).text
    assert '<span class="small">2027-Q2</span>' in page
    assert 'value="2027-T2"' in page  # the form keeps the stored value


def test_the_salary_setting_says_where_the_salaries_are_shown(client_for, company_a, submitted, en):
    """The salaries of training time are shown on top of the remaining cost, not added to
    the cost: the setting's help says so."""
    page = client_for(company_a.admin).get(plan_url(submitted)).text
    assert "to show the salaries of training time on top of the remaining cost" in page
    assert "to count training time in the cost" not in page


def test_no_more_people_to_train_than_the_company_has_employees(
    client_for, company_a, submitted, en
):
    """A company of 10 to 49 employees trains at most 49 people on a line: 5,000 is refused
    with its message, and nothing is saved."""
    client = client_for(company_a.admin)
    client.get(plan_url(submitted))
    plan = ActionPlan.objects.get()
    response = client.post(
        save_url(submitted), item_data(plan, shown=True, **{"A-ONE-01": {"people": 5000}})
    )
    assert response.status_code == 400
    assert "The company has at most 49 employees (10 to 49 employees in its profile)" in (
        response.text
    )
    assert PlanItem.objects.get(action__code="A-ONE-01").people != 5000
    ok = client.post(
        save_url(submitted), item_data(plan, shown=True, **{"A-ONE-01": {"people": 49}})
    )
    assert ok.status_code == 302
    assert PlanItem.objects.get(action__code="A-ONE-01").people == 49
    # The company's profile now says fewer employees: its other lines can still be saved.
    Company.objects.filter(pk=company_a.company.pk).update(headcount_band="1_9")
    again = client.post(
        save_url(submitted), item_data(plan, shown=True, **{"B-TWO-01": {"status": "accepted"}})
    )
    assert again.status_code == 302


def test_a_need_resting_on_few_known_answers_is_to_confirm(
    client_for, company_a, start, catalogue, advisor
):
    """A gap found from a competency whose questions have too few known answers (the rule
    of a domain's score) is proposed as any other, and said to be confirmed with the
    company: under the gaps of the results page, on the plan page, the advisor's review and
    the PDF, in the reader's language."""
    from diagnostics.scoring import few_known_competencies
    from reports.document import plan_rows
    from tests.samples import SMALL

    questionnaire, _ = diagnostic_services.import_questionnaire(
        text=SMALL.replace("min_known_share: 0.5", "min_known_share: 0.6")
    )
    diagnostic = start(questionnaire)
    answers = [
        ("A.ONE.Q1", 1),
        ("A.ONE.Q2", "yes"),  # shows A.ONE.Q3
        ("A.ONE.Q3", AnswerValue(dont_know=True)),  # A.ONE: 1 known answer of 2
        ("B.TWO.Q1", 10),
        ("B.TWO.Q3", ["none"]),  # B.TWO: 2 of 2
    ]
    save_answers(diagnostic, company_a.admin, answers)
    services.submit(diagnostic=diagnostic, user=company_a.admin)
    diagnostic.refresh_from_db()
    few = few_known_competencies(diagnostic.results["results"])
    assert set(few) == {"A.ONE"}
    assert (few["A.ONE"].known, few["A.ONE"].concerned, few["A.ONE"].dont_know) == (1, 2, 1)

    said = (
        "«\u00a0Compétence un\u00a0» repose sur 1 réponse connue sur 2 : "
        "un besoin à confirmer avec l’entreprise."
    )
    page = client_for(company_a.admin).get(plan_url(diagnostic)).content.decode()
    assert page.count(said) == 2  # both steps of competency one: A-ONE-01, then A-ONE-02
    assert "Compétence deux\u00a0» repose sur" not in page
    results = reverse("diagnostics:results", args=[diagnostic.public_id])
    assert (
        "À confirmer, car ils reposent sur trop peu de réponses connues : "
        "Compétence un (1 réponse connue sur 2).</p>"
    ) in client_for(company_a.member).get(results).content.decode()
    review = reverse("advisors:review", args=[diagnostic.public_id])
    assert client_for(advisor).get(review).content.decode().count(said) == 2
    plan = ActionPlan.objects.get(diagnostic=diagnostic)
    with translation.override("en"):  # as the pages and the PDF task activate it
        rows = {r["action_code"]: r for r in plan_rows(plan, "en")[0]}
    assert (
        "“Competency one” rests on 1 known answer out of 2: a need to confirm with the company."
        in rows["A-ONE-01"]["reasons"]
    )
    assert not any("rests on" in reason for reason in rows["B-TWO-01"]["reasons"])
    with translation.override("fr"):
        pdf = render_to_string("reports/pdf.html", report_context(diagnostic, "fr", 1))
    pdf = pdf.replace("&#x27;", "'")
    assert pdf.count(said) == 1  # the first year's line, with its reasons
    # The later step, in the compact table without reasons, says it in short.
    assert pdf.count("· besoin à confirmer : trop peu de réponses connues") == 1
    # The export (the advisor's company export shares the sheet) says it in its own column.
    export = client_for(company_a.admin).get(
        reverse("reports:plan_export", args=[diagnostic.public_id]) + "?format=xlsx"
    )
    book = load_workbook(io.BytesIO(b"".join(export.streaming_content)))
    header, *lines = book["Plan d’action"].iter_rows(values_only=True)
    column = header.index("Besoin à confirmer avec l’entreprise")
    assert column == len(header) - 2  # after the columns of before, then why no funding
    confirm = {line[0]: line[column] for line in lines}
    assert confirm["A-ONE-01"] == confirm["A-ONE-02"] == said
    assert confirm["B-TWO-01"] is None


def test_few_known_answers_are_read_from_results_frozen_without_counts():
    from diagnostics.scoring import few_known_competencies

    assert few_known_competencies({"reliable": True}) == {}
