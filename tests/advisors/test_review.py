from __future__ import annotations

from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from diagnostics.models import Diagnostic
from reports import services as report_services
from reports.document import changes_since_validation, plan_rows
from reports.models import ActionPlan, FundingRules, PlanItem, Report, TrainingAction
from reports.tasks import notify_plan_validated
from tests.conftest import ROOT

from .helpers import follow_many


def url(name, d):
    return reverse(f"advisors:{name}", args=[d.public_id])


@pytest.fixture
def en(client):
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def plan(submitted):
    return ActionPlan.objects.get(diagnostic=submitted)


def line_data(plan, **overrides):
    """The lines as the review page posts them: each field with the value the page showed
    (its hidden initial value), then the advisor's `overrides` by action code."""
    data = {}
    for item in PlanItem.objects.filter(plan=plan).select_related("action"):
        values = {"priority": item.priority, "horizon": item.horizon, "drop_reason": ""}
        if item.status == "dropped":
            values.update(drop="on", drop_reason=item.drop_reason)
        data.update({f"initial-line-{item.pk}-{k}": v for k, v in values.items()})
        data[f"initial-line-{item.pk}-drop"] = str(item.status == "dropped")
        values.update(overrides.get(item.action.code, {}))
        data.update({f"line-{item.pk}-{k}": v for k, v in values.items() if v != ""})
    return data


def items_by_code(plan):
    return {i.action.code: i for i in PlanItem.objects.filter(plan=plan).select_related("action")}


# --- Queue -------------------------------------------------------------------------------


def test_queue_lists_unreviewed_diagnostics_oldest_first_with_the_wait(
    client_for, advisor, submitted, plan, small_questionnaire, catalogue
):
    Diagnostic.objects.filter(pk=submitted.pk).update(
        submitted_at=timezone.now() - timedelta(days=9)
    )
    newer = follow_many(
        advisor,
        1,
        questionnaire=small_questionnaire,
        catalogue=catalogue,
        results=submitted.results,
    )[0]
    page = client_for(advisor).get(reverse("advisors:queue")).text
    assert page.index(submitted.company.name) < page.index(newer.name)
    assert "1\xa0semaine, 2\xa0jours" in page  # 9 days
    ActionPlan.objects.filter(pk=plan.pk).update(validated_at=timezone.now())
    page = client_for(advisor).get(reverse("advisors:queue")).text
    assert submitted.company.name not in page
    assert newer.name in page
    # Changed 3 days ago after its validation: back in the queue, waiting since the change,
    # so after a diagnostic submitted 5 days ago although it was submitted 9 days ago.
    ActionPlan.objects.filter(pk=plan.pk).update(
        changed_since_validation_at=timezone.now() - timedelta(days=3)
    )
    Diagnostic.objects.filter(company=newer).update(submitted_at=timezone.now() - timedelta(days=5))
    page = client_for(advisor).get(reverse("advisors:queue")).text
    assert page.index(newer.name) < page.index(submitted.company.name)  # 5 days, then 3
    assert "3 jours" in page
    assert "1 semaine" not in page  # not since the submission, 9 days ago
    Diagnostic.objects.filter(company=newer).update(
        submitted_at=timezone.now() - timedelta(days=365 + 220)
    )
    page = client_for(advisor).get(reverse("advisors:queue")).text
    assert "1\xa0an, 7\xa0mois" in page
    assert "année" not in page  # Django's own French: "1 année"


@pytest.mark.quality("S3")
def test_queue_shows_the_portfolio_only(client_for, advisor, company_b, start, submitted):
    from reports import services

    foreign = start(submitted.questionnaire, party=company_b)
    services.submit(diagnostic=foreign, user=company_b.admin)
    page = client_for(advisor).get(reverse("advisors:queue")).text
    assert company_b.company.name not in page
    assert submitted.company.name in page


# --- Review page -------------------------------------------------------------------------


def test_review_page_shows_results_disagreements_and_the_funded_plan(client_for, advisor, plan, en):
    response = client_for(advisor).get(url("review", plan.diagnostic))
    assert response.status_code == 200
    text = response.text
    assert "Domain A" in text
    assert "Where respondents disagree" in text
    assert "Basics of practice one" in text
    assert "Estimated OPCO funding" in text
    assert "The plan is not validated yet." in text
    assert 'for="id_domain-A"' in text  # a labelled comment per domain


def test_review_of_a_draft_sends_back_to_the_company(client_for, advisor, diagnostic):
    response = client_for(advisor).get(url("review", diagnostic))
    assert response.status_code == 302
    assert response["Location"] == reverse("advisors:company", args=[diagnostic.company.public_id])


@pytest.mark.quality("S9")
def test_comments_per_domain_are_saved_and_shown_as_text(client_for, advisor, plan, company_a):
    client = client_for(advisor)
    response = client.post(
        url("save_review", plan.diagnostic),
        {
            "review": "comment",
            "comment": "<script>alert(1)</script>",
            "domain-A": "<b>Priorité</b> aux bases",
            "domain-B": "",
        },
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.domain_comments == {"A": "<b>Priorité</b> aux bases"}
    assert plan.validated_at is None
    for page in (
        client.get(url("review", plan.diagnostic)).text,
        client_for(company_a.member)
        .get(reverse("reports:plan", args=[plan.diagnostic.public_id]))
        .text,
    ):
        assert "&lt;b&gt;Priorité&lt;/b&gt; aux bases" in page
        assert "<script>alert(1)</script>" not in page


def test_too_long_comment_is_400_and_changes_nothing(client_for, advisor, plan, en):
    response = client_for(advisor).post(
        url("save_review", plan.diagnostic), {"review": "validate", "domain-A": "x" * 2001}
    )
    assert response.status_code == 400
    assert "at most 2000 characters" in response.text
    plan.refresh_from_db()
    assert (plan.domain_comments, plan.validated_at) == ({}, None)


def test_validation_records_who_and_when_emails_the_admins_and_makes_a_pdf(
    client_for, advisor, plan, company_a, django_capture_on_commit_callbacks, monkeypatch
):
    rendered = []
    monkeypatch.setattr("reports.tasks.render_report.delay", lambda pk: rendered.append(pk))
    monkeypatch.setattr(
        "reports.tasks.notify_plan_validated.delay", lambda pk: notify_plan_validated(pk)
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(advisor).post(
            url("save_review", plan.diagnostic),
            {"review": "validate", "comment": "Très bon plan", "domain-A": "Bien"},
        )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.validated_by == advisor
    assert plan.validated_at is not None
    report = Report.objects.get(diagnostic=plan.diagnostic)
    assert rendered == [report.pk]
    assert [m.to for m in mail.outbox] == [[company_a.admin.email]]
    page = client_for(advisor).get(url("review", plan.diagnostic)).text
    assert advisor.full_name in page


def test_advisor_changes_priority_and_horizon_and_drops_a_line_with_a_reason(
    client_for, advisor, plan
):
    client = client_for(advisor)
    response = client.post(
        url("save_review", plan.diagnostic),
        line_data(
            plan,
            **{
                "A-ONE-01": {"priority": 3, "horizon": "later"},
                "B-TWO-01": {"drop": "on", "drop_reason": "Déjà <i>fait</i>"},
            },
        ),
    )
    assert response.status_code == 302
    items = {i.action.code: i for i in PlanItem.objects.filter(plan=plan).select_related("action")}
    assert (items["A-ONE-01"].priority, items["A-ONE-01"].horizon) == (3, "later")
    assert (items["B-TWO-01"].status, items["B-TWO-01"].drop_reason) == (
        "dropped",
        "Déjà <i>fait</i>",
    )
    plan.refresh_from_db()
    assert plan.year1_cost_max == 0
    page = client.get(reverse("reports:plan", args=[plan.diagnostic.public_id])).text
    assert "Déjà &lt;i&gt;fait&lt;/i&gt;" in page
    # Unticking "drop" brings the line back.
    client.post(url("save_review", plan.diagnostic), line_data(plan, **{"B-TWO-01": {"drop": ""}}))
    item = PlanItem.objects.get(plan=plan, action__code="B-TWO-01")
    assert (item.status, item.drop_reason) == ("proposed", "")


def test_a_line_the_company_dropped_without_a_reason_does_not_block_the_advisor(
    client_for, advisor, plan
):
    """The company drops lines without a reason; the advisor's other changes still save."""
    items = items_by_code(plan)
    report_services.update_plan_items(
        plan=plan, changes={items["B-TWO-01"].pk: {"status": PlanItem.Status.DROPPED}}
    )
    page = client_for(advisor).get(url("review", plan.diagnostic)).text
    assert f'name="initial-line-{items["A-ONE-01"].pk}-priority"' in page  # what it showed
    response = client_for(advisor).post(
        url("save_review", plan.diagnostic), line_data(plan, **{"A-ONE-01": {"priority": 3}})
    )
    assert response.status_code == 302
    items = items_by_code(plan)
    assert items["A-ONE-01"].priority == 3
    assert (items["B-TWO-01"].status, items["B-TWO-01"].drop_reason) == ("dropped", "")


def test_a_page_loaded_before_the_company_changed_the_plan_keeps_its_changes(
    client_for, advisor, plan
):
    """Only what the advisor changed on the page is applied: the company's drop and horizon,
    saved after the advisor's page was loaded, stay."""
    items = items_by_code(plan)
    stale = line_data(plan, **{"A-ONE-01": {"priority": 3}})
    report_services.update_plan_items(
        plan=plan,
        changes={
            items["A-ONE-01"].pk: {"horizon": PlanItem.Horizon.LATER},
            items["B-TWO-01"].pk: {"status": PlanItem.Status.DROPPED, "drop_reason": "Fait"},
        },
    )
    response = client_for(advisor).post(url("save_review", plan.diagnostic), stale)
    assert response.status_code == 302
    items = items_by_code(plan)
    assert (items["A-ONE-01"].priority, items["A-ONE-01"].horizon) == (3, "later")
    assert (items["B-TWO-01"].status, items["B-TWO-01"].drop_reason) == ("dropped", "Fait")


def test_a_line_added_since_the_page_was_loaded_is_left_as_it_is(client_for, advisor, plan):
    stale = line_data(plan, **{"A-ONE-01": {"priority": 3}})
    action = TrainingAction.objects.get(catalogue=plan.catalogue, code="A-ONE-02")
    added = report_services.add_plan_line(
        plan=plan, action=action, priority=1, horizon="year1", user=advisor
    )
    response = client_for(advisor).post(url("save_review", plan.diagnostic), stale)
    assert response.status_code == 302
    added.refresh_from_db()
    assert (added.priority, added.status) == (1, "proposed")
    assert items_by_code(plan)["A-ONE-01"].priority == 3


def test_validating_takes_the_line_changes_sent_with_it(
    client_for, advisor, plan, django_capture_on_commit_callbacks, monkeypatch
):
    """The lines and the validation are one form: a changed priority is saved and covered
    by the validation, instead of being lost."""
    monkeypatch.setattr("reports.tasks.render_report.delay", lambda pk: None)
    data = line_data(plan, **{"A-ONE-01": {"priority": 3}})
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(advisor).post(
            url("save_review", plan.diagnostic), {**data, "review": "validate", "comment": "Bon"}
        )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.validated_at is not None
    assert plan.advisor_comment == "Bon"
    assert items_by_code(plan)["A-ONE-01"].priority == 3
    assert changes_since_validation(plan, plan_rows(plan, "fr")[0]) == []
    page = client_for(advisor).get(url("review", plan.diagnostic)).text
    assert page.count('form="add-line"') == 4  # the add form's fields and button only
    assert page.count('<form id="review-form"') == 1


@pytest.mark.parametrize(
    ("advisor_language", "admin_language"), [("en", "fr"), ("fr", "en"), ("en", "en")]
)
def test_the_validated_pdf_is_in_the_company_language_not_the_advisor_s(
    client_for, advisor, plan, company_a, monkeypatch, advisor_language, admin_language
):
    monkeypatch.setattr("reports.tasks.render_report.delay", lambda pk: None)
    type(company_a.admin).objects.filter(pk=company_a.admin.pk).update(
        preferred_language=admin_language
    )
    client = client_for(advisor)
    client.cookies["django_language"] = advisor_language
    response = client.post(url("save_review", plan.diagnostic), {"review": "validate"})
    assert response.status_code == 302
    assert Report.objects.get(diagnostic=plan.diagnostic).language == admin_language


def test_the_submitter_s_language_comes_before_the_admin_s(company_a, advisor, plan):
    type(company_a.member).objects.filter(pk=company_a.member.pk).update(preferred_language="en")
    Diagnostic.objects.filter(pk=plan.diagnostic_id).update(submitted_by=company_a.member)
    plan.diagnostic.refresh_from_db()
    assert report_services.company_language(plan.diagnostic) == "en"
    type(company_a.member).objects.filter(pk=company_a.member.pk).update(is_active=False)
    assert report_services.company_language(plan.diagnostic) == "fr"  # the admin's


def test_errors_are_listed_at_the_top_with_a_link_to_each_line(client_for, advisor, plan, en):
    item = items_by_code(plan)["A-ONE-01"]
    response = client_for(advisor).post(
        url("save_review", plan.diagnostic),
        {**line_data(plan, **{"A-ONE-01": {"drop": "on"}}), "review": "validate"},
    )
    assert response.status_code == 400
    summary = response.text.split("data-review-errors", 1)[1].split("</div>", 1)[0]
    assert "Nothing is saved" in summary
    assert f'href="#line-{item.public_id}"' in summary
    plan.refresh_from_db()
    assert (plan.validated_at, plan.revision) == (None, 1)


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"drop": "on", "drop_reason": ""}, "Say why the line is dropped."),
        ({"priority": "7"}, "Select a valid choice"),
        ({"horizon": "never"}, "Select a valid choice"),
    ],
)
def test_bad_line_input_is_400_and_changes_nothing(
    client_for, advisor, plan, en, override, message
):
    response = client_for(advisor).post(
        url("save_review", plan.diagnostic), line_data(plan, **{"A-ONE-01": override})
    )
    assert response.status_code == 400
    assert message in response.text
    plan.refresh_from_db()
    assert plan.revision == 1


def test_advisor_adds_an_action_from_the_catalogue(client_for, advisor, plan, en):
    action = TrainingAction.objects.get(catalogue=plan.catalogue, code="A-ONE-02")
    client = client_for(advisor)
    page = client.get(url("review", plan.diagnostic)).text
    assert f'value="{action.pk}"' in page
    assert ".0 h)" not in page  # "7 h", "7,5 h": a duration as its reader writes it
    response = client.post(
        url("add_line", plan.diagnostic), {"action": action.pk, "priority": 2, "horizon": "later"}
    )
    assert response.status_code == 302
    item = PlanItem.objects.get(plan=plan, action=action)
    assert item.added_by == advisor
    again = client.post(
        url("add_line", plan.diagnostic), {"action": action.pk, "priority": 2, "horizon": "later"}
    )
    assert again.status_code == 400
    assert "Select a valid choice" in again.text
    assert PlanItem.objects.filter(plan=plan).count() == 3


@pytest.mark.quality("S3")
@pytest.mark.parametrize("name", ["review", "save_review", "add_line"])
def test_outsiders_get_404_and_nothing_changes(
    client_for, plan, outsider, company_a, django_user_model, name
):
    stranger = django_user_model.objects.create_user(
        email="adv2@test.example", full_name="Autre", is_advisor=True
    )
    for user in (stranger, outsider, company_a.admin):
        client = client_for(user)
        method = client.get if name == "review" else client.post
        response = method(url(name, plan.diagnostic), {"review": "validate", "comment": "x"})
        assert response.status_code == 404, user
    plan.refresh_from_db()
    assert (plan.revision, plan.validated_at, plan.advisor_comment) == (1, None, "")


@pytest.mark.parametrize(
    ("name", "method"),
    [("review", "post"), ("save_review", "get"), ("add_line", "get")],
)
def test_wrong_method_is_405(client_for, advisor, plan, name, method):
    assert getattr(client_for(advisor), method)(url(name, plan.diagnostic)).status_code == 405


# --- Query counts --------------------------------------------------------------------------


@pytest.mark.quality("P2")
def test_queue_and_review_run_the_same_queries_for_10_and_1000_companies(
    client_for, advisor, plan, small_questionnaire, catalogue
):
    kwargs = {
        "questionnaire": small_questionnaire,
        "catalogue": catalogue,
        "results": plan.diagnostic.results,
    }
    follow_many(advisor, 9, **kwargs)
    client = client_for(advisor)
    pages = [reverse("advisors:queue"), url("review", plan.diagnostic)]
    for page in pages:
        client.get(page)
    few = []
    for page in pages:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(page).status_code == 200
        few.append(len(queries))
    follow_many(advisor, 990, start=9, **kwargs)
    many = []
    for page in pages:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(page).status_code == 200
        many.append(len(queries))
    assert many == few


@pytest.fixture
def wide_cost_catalogue(catalogue):
    """The sample catalogue again, with A-ONE-01 at 300 to 900 €: the skills development
    plan's 420 € (30 €/h × 14 h) is more than its low cost."""
    from reports.services import import_catalogue
    from tests.samples import SMALL_CATALOGUE

    text = SMALL_CATALOGUE.replace("version: 1", "version: 2", 1).replace(
        "cost_per_person: {min: 600, max: 900}", "cost_per_person: {min: 300, max: 900}", 1
    )
    return import_catalogue(text=text)[0]


def test_the_funding_rules_are_dated_by_the_day_their_facts_were_checked(
    funding_rules, client_for, advisor, plan, en
):
    """Not by the day this installation loaded them, which says nothing of their facts."""
    checked_on = plan.funding_rules.checked_on
    assert checked_on == plan.funding_rules.rules.checked_on  # from the rules file
    assert checked_on != plan.funding_rules.published_at.date()
    text = client_for(advisor).get(url("review", plan.diagnostic)).text
    assert f"checked against their sources on {checked_on:%d/%m/%Y}." in text
    assert f"funding rules version {plan.funding_rules.version} of" not in text


def test_review_shows_the_funding_at_both_ends_of_a_cost_range(
    funding_rules, wide_cost_catalogue, client_for, advisor, plan
):
    """A line whose cost is a range may be funded less at its low end: the advisor sees
    both figures, as on the company's plan page and in the PDF."""
    response = client_for(advisor).get(url("review", plan.diagnostic))
    ranged = [
        row
        for row in response.context["rows"]
        if row["estimated_funding"] and row["funding_min"] != row["estimated_funding"]
    ]
    assert ranged, "the sample plan has a line funded less at its low cost"
    text = response.text.replace("\u202f", " ").replace("\xa0", " ")
    for row in ranged:
        low = f"{row['funding_min']:,}".replace(",", " ")
        high = f"{row['estimated_funding']:,}".replace(",", " ")
        assert f"{low} – {high}</td>" in text


def test_the_kept_first_year_funding_has_both_ends_too(
    funding_rules, wide_cost_catalogue, client_for, advisor, company_a, plan
):
    """The portfolio and the company's home read the figures the plan keeps: they show
    the same range of funding as the plan itself, not its upper end alone."""
    from reports.document import COUNTED_STATUSES

    rows = client_for(advisor).get(url("review", plan.diagnostic)).context["rows"]
    year1 = [r for r in rows if r["horizon"] == "year1" and r["status_code"] in COUNTED_STATUSES]
    plan.refresh_from_db()
    assert plan.year1_funding_min == sum(r["funding_min"] or 0 for r in year1)
    assert plan.year1_funding == sum(r["estimated_funding"] or 0 for r in year1)
    assert plan.year1_funding_min < plan.year1_funding
    assert plan.year1_remaining_min == plan.year1_cost_min - plan.year1_funding_min
    assert plan.year1_remaining_max == plan.year1_cost_max - plan.year1_funding

    def figures(page: str) -> str:
        return page.replace("\u202f", " ").replace("\xa0", " ")

    low, high = (f"{n:,}".replace(",", " ") for n in (plan.year1_funding_min, plan.year1_funding))
    portfolio = figures(client_for(advisor).get(reverse("advisors:portfolio")).text)
    assert f">{low} – {high}</td>" in portfolio
    home = figures(client_for(company_a.admin).get(reverse("home")).text)
    assert f">{low} – {high} €</dd>" in home


class FormNesting(HTMLParser):
    """The deepest nesting of <form> elements in a page (a browser drops an inner one)."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = self.deepest = 0

    def handle_starttag(self, tag, attrs):
        if tag == "form":
            self.depth += 1
            self.deepest = max(self.deepest, self.depth)

    def handle_endtag(self, tag):
        if tag == "form":
            self.depth -= 1


def test_no_form_is_inside_another_on_the_review_page(client_for, advisor, funding_rules, plan):
    """The review's one form holds the lines and comments; the forms to add a line and to
    move to newer funding rules are outside it, and their fields and buttons name them."""
    FundingRules.publish(text=(ROOT / "reports/funding/funding-2026-v2.yaml").read_text())
    page = client_for(advisor).get(url("review", plan.diagnostic)).text
    assert 'form="newer-rules"' in page
    nesting = FormNesting()
    nesting.feed(page)
    assert (nesting.deepest, nesting.depth) == (1, 0)
