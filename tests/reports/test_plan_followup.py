"""The company follows its plan (lines done), the advisor reviews it (comments per domain,
validation e-mailed to the admins), and the plan keeps its first-year figures."""

from __future__ import annotations

import pytest
from django.core import mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from reports import services
from reports.document import YEAR1_FIELDS, report_context
from reports.models import ActionPlan, PlanItem, TrainingAction
from reports.tasks import notify_plan_validated
from tests.reports.test_plan import item_data, plan_url, save_url


@pytest.fixture
def plan(submitted):
    return ActionPlan.objects.get(diagnostic=submitted)


def test_plan_keeps_its_first_year_figures(plan):
    rows = {i.action.code: i for i in PlanItem.objects.filter(plan=plan)}
    assert (plan.year1_cost_min, plan.year1_cost_max) == (700, 1100)
    services.update_plan_items(plan=plan, changes={rows["B-TWO-01"].pk: {"horizon": "later"}})
    plan.refresh_from_db()
    assert (plan.year1_cost_min, plan.year1_cost_max) == (600, 900)
    assert plan.year1_remaining_max == 900 - plan.year1_funding


def test_a_new_plans_first_year_figures_are_those_its_stored_lines_give(plan):
    """Made at submission from the lines just created (not read back), the figures are
    the ones a refresh from the stored lines computes."""
    made = ActionPlan.objects.filter(pk=plan.pk).values(*YEAR1_FIELDS).get()
    ActionPlan.objects.filter(pk=plan.pk).update(**dict.fromkeys(YEAR1_FIELDS, 0))
    services.refresh_year1_summary(ActionPlan.objects.get(pk=plan.pk))
    assert ActionPlan.objects.filter(pk=plan.pk).values(*YEAR1_FIELDS).get() == made
    assert made["year1_cost_max"] > 0


def test_company_admin_marks_a_line_done_and_the_date_is_kept(client_for, company_a, submitted):
    client = client_for(company_a.admin)
    client.get(plan_url(submitted))
    plan = ActionPlan.objects.get()
    response = client.post(save_url(submitted), item_data(plan, **{"A-ONE-01": {"status": "done"}}))
    assert response.status_code == 302
    item = PlanItem.objects.get(action__code="A-ONE-01")
    assert item.status == "done"
    assert item.done_at is not None
    page = client.get(plan_url(submitted))
    assert "Réalisée" in page.text or "Done" in page.text
    client.post(save_url(submitted), item_data(plan, **{"A-ONE-01": {"status": "accepted"}}))
    assert PlanItem.objects.get(action__code="A-ONE-01").done_at is None


def test_a_line_no_longer_dropped_loses_its_reason(plan):
    item = PlanItem.objects.filter(plan=plan).first()
    services.update_plan_items(
        plan=plan, changes={item.pk: {"status": "dropped", "drop_reason": "Déjà formé"}}
    )
    item.refresh_from_db()
    assert item.drop_reason == "Déjà formé"
    services.update_plan_items(plan=plan, changes={item.pk: {"status": "proposed"}})
    item.refresh_from_db()
    assert (item.status, item.drop_reason) == ("proposed", "")


def test_advisor_adds_an_action_of_the_catalogue_once(plan, advisor):
    action = TrainingAction.objects.get(catalogue=plan.catalogue, code="A-ONE-02")
    item = services.add_plan_line(
        plan=plan, action=action, priority=2, horizon="later", user=advisor
    )
    assert (item.company_id, item.added_by, item.horizon) == (plan.company_id, advisor, "later")
    plan.refresh_from_db()
    assert plan.revision == 2
    with pytest.raises(services.PlanError):
        services.add_plan_line(plan=plan, action=action, priority=2, horizon="later", user=advisor)


def test_validation_emails_the_company_admins_once(
    plan, advisor, company_a, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr("reports.tasks.render_report.delay", lambda *a: None)
    monkeypatch.setattr(
        "reports.tasks.notify_plan_validated.delay", lambda pk: notify_plan_validated(pk)
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.advisor_review(
            plan=plan,
            advisor=advisor,
            comment="<script>x</script>",
            domain_comments={"A": "Bien", "B": ""},
            validate=True,
        )
    assert [m.to for m in mail.outbox] == [[company_a.admin.email]]
    assert advisor.full_name in mail.outbox[0].body
    assert reverse("reports:plan", args=[plan.diagnostic.public_id]) in mail.outbox[0].body
    assert notify_plan_validated(plan.pk) == 0  # a second delivery sends nothing
    assert len(mail.outbox) == 1
    plan.refresh_from_db()
    assert plan.domain_comments == {"A": "Bien"}


def test_domain_comments_show_on_the_plan_page_and_in_the_pdf(client_for, company_a, plan, advisor):
    services.advisor_review(
        plan=plan,
        advisor=advisor,
        comment="",
        domain_comments={"A": "Commencez par <b>les bases</b>."},
        validate=False,
    )
    page = client_for(company_a.member).get(plan_url(plan.diagnostic))
    assert "Commencez par &lt;b&gt;les bases&lt;/b&gt;." in page.text
    with translation.override("fr"):
        html = render_to_string("reports/pdf.html", report_context(plan.diagnostic, "fr", 1))
    assert "Commencez par &lt;b&gt;les bases&lt;/b&gt;." in html


def test_refresh_command_fills_the_figures_of_older_plans(plan):
    import io

    from django.core.management import call_command

    def refreshed_without(*fields: str) -> ActionPlan:
        """The plan after `refresh_plan_figures --missing`, those figures being missing."""
        ActionPlan.objects.filter(pk=plan.pk).update(**dict.fromkeys(fields))
        out = io.StringIO()
        call_command("refresh_plan_figures", "--missing", stdout=out)
        assert "1 plan" in out.getvalue()
        return ActionPlan.objects.get(pk=plan.pk)

    refreshed = refreshed_without("year1_cost_min", "year1_cost_max")
    assert (refreshed.year1_cost_min, refreshed.year1_cost_max) == (700, 1100)
    # Plans kept before the low end of the funding was: their other figures are there.
    refreshed = refreshed_without("year1_funding_min")
    assert refreshed.year1_funding_min is not None
    assert refreshed.year1_remaining_min == refreshed.year1_cost_min - refreshed.year1_funding_min
    # Plans kept before the funding requests, then the lines whose funding is not
    # estimated, were counted.
    assert refreshed_without("year1_requests_to_file").year1_requests_to_file == 0
    assert refreshed_without("year1_uncosted_lines").year1_uncosted_lines == 0


def test_a_plan_that_cannot_be_computed_does_not_stop_the_refresh(
    plan, start, company_b, monkeypatch, caplog
):
    """The web tier runs the command at start-up: one plan's bad data is logged, the other
    plans get their figures, and the command ends normally."""
    import io

    from django.core.management import call_command

    from reports.management.commands import refresh_plan_figures

    other = start(plan.diagnostic.questionnaire, party=company_b)
    services.submit(diagnostic=other, user=company_b.admin)
    ActionPlan.objects.update(year1_funding_min=None)
    failing = []

    def refresh(target):
        if not failing:
            failing.append(target.pk)
            raise KeyError("an action missing from its catalogue")
        services.refresh_year1_summary(target)

    monkeypatch.setattr(refresh_plan_figures, "refresh_year1_summary", refresh)
    out, err = io.StringIO(), io.StringIO()
    call_command("refresh_plan_figures", "--missing", stdout=out, stderr=err)
    assert "1 plan(s) could not be computed" in err.getvalue()
    assert f"plan {failing[0]} could not be computed" in caplog.text
    assert "stored for 1 plan(s)" in out.getvalue()
    kept = dict(ActionPlan.objects.values_list("pk", "year1_funding_min"))
    assert len(kept) == 2
    assert kept.pop(failing[0]) is None  # left as it was
    assert next(iter(kept.values())) is not None
