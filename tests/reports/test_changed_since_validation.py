"""A validated plan that changes afterwards is no longer presented as validated: the company,
the advisor's lists and the PDF say it changed since, and it goes back to the review queue
until an advisor validates it again. Its follow-up (accepted, done, owner, quarter, notes)
and the advisor's comments do not count as a change."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from django.core import mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from audit.models import Action, Entry
from reports import services
from reports.document import report_context
from reports.models import ActionPlan, FundingRules, PlanItem, Report, TrainingAction
from reports.tasks import notify_plan_changed
from tests.reports.test_plan import item_data, plan_url, save_url

FUNDING_V2 = Path(__file__).resolve().parents[2] / "reports" / "funding" / "funding-2026-v2.yaml"


@pytest.fixture
def validated(submitted, advisor):
    plan = ActionPlan.objects.get(diagnostic=submitted)
    services.advisor_review(plan=plan, advisor=advisor, comment="", validate=True)
    plan.refresh_from_db()
    assert plan.is_validated
    assert not plan.changed_since_validation
    return plan


def line(plan: ActionPlan, code: str = "A-ONE-01") -> PlanItem:
    return PlanItem.objects.get(plan=plan, action__code=code)


@pytest.mark.parametrize(
    ("fields", "changes"),
    [
        ({"people": 4}, True),
        ({"priority": 3}, True),
        ({"horizon": "later"}, True),
        ({"status": "dropped", "drop_reason": "Déjà fait"}, True),
        ({"status": "postponed"}, True),
        ({"status": "accepted"}, False),
        ({"status": "done"}, False),
        ({"owner": "Responsable qualité", "target_quarter": "2027-T2"}, False),
        ({"notes": "Voir avec l'organisme"}, False),
    ],
)
def test_what_the_advisor_validated_is_told_apart_from_the_follow_up(validated, fields, changes):
    item, revision = line(validated), validated.revision
    assert services.update_plan_items(plan=validated, changes={item.pk: fields})
    plan = ActionPlan.objects.get(pk=validated.pk)
    assert plan.revision == revision + 1
    assert plan.changed_since_validation is changes
    assert (plan.changed_since_validation_at is not None) is changes


def test_a_line_out_of_the_plan_changes_nothing_validated_until_it_comes_back(validated):
    item = line(validated)
    services.update_plan_items(plan=validated, changes={item.pk: {"status": "dropped"}})
    services.advisor_review(
        plan=validated, advisor=validated.validated_by, comment="", validate=True
    )
    services.update_plan_items(plan=validated, changes={item.pk: {"people": 5}})
    assert not ActionPlan.objects.get(pk=validated.pk).changed_since_validation
    services.update_plan_items(plan=validated, changes={item.pk: {"status": "proposed"}})
    assert ActionPlan.objects.get(pk=validated.pk).changed_since_validation


def test_lines_added_the_salary_cost_and_newer_rules_change_the_plan(
    validated, funding_rules, advisor
):
    def changed_then_validated_again() -> bool:
        plan = ActionPlan.objects.get(pk=validated.pk)
        was_changed = plan.changed_since_validation
        services.advisor_review(plan=plan, advisor=advisor, comment="", validate=True)
        assert not ActionPlan.objects.get(pk=validated.pk).changed_since_validation
        return was_changed

    action = TrainingAction.objects.get(catalogue=validated.catalogue, code="A-ONE-02")
    services.add_plan_line(plan=validated, action=action, priority=2, horizon="later", user=advisor)
    assert changed_then_validated_again()
    services.set_salary_cost(plan=validated, hourly_salary_cost=Decimal("32.50"))
    assert changed_then_validated_again()
    ActionPlan.objects.filter(pk=validated.pk).update(funding_rules=None)
    assert services.use_latest_funding_rules(plan=validated) == funding_rules
    assert changed_then_validated_again()
    FundingRules.publish(text=FUNDING_V2.read_text())
    assert services.use_latest_funding_rules(plan=validated) is not None
    assert changed_then_validated_again()


def test_comments_keep_the_validation_and_a_plan_never_validated_has_nothing_to_flag(
    submitted, validated, advisor
):
    services.advisor_review(
        plan=validated,
        advisor=advisor,
        comment="Un mot de plus",
        validate=False,
        domain_comments={"A": "Bien"},
    )
    plan = ActionPlan.objects.get(pk=validated.pk)
    assert plan.advisor_comment == "Un mot de plus"
    assert plan.is_validated
    assert not plan.changed_since_validation

    ActionPlan.objects.filter(pk=plan.pk).update(validated_at=None, validated_by=None)
    services.update_plan_items(plan=plan, changes={line(plan).pk: {"people": 3}})
    assert ActionPlan.objects.get(pk=plan.pk).changed_since_validation_at is None
    services.advisor_review(plan=plan, advisor=advisor, comment="", validate=True)
    assert not ActionPlan.objects.get(pk=plan.pk).changed_since_validation


def test_the_company_changes_a_validated_plan_and_every_page_says_so(
    client_for, company_a, advisor, validated
):
    diagnostic = validated.diagnostic
    plan_page = plan_url(diagnostic)
    review_page = reverse("advisors:review", args=[diagnostic.public_id])
    history_page = reverse("advisors:company", args=[company_a.company.public_id])
    queue = reverse("advisors:queue")
    portfolio = reverse("advisors:portfolio")

    page = client_for(company_a.admin).get(plan_page).text
    assert "data-changed-since-validation" not in page
    assert company_a.company.name not in client_for(advisor).get(queue).text

    admin = client_for(company_a.admin)
    data = item_data(validated, **{"A-ONE-01": {"people": 6}})
    response = admin.post(save_url(diagnostic), data)
    assert response.status_code == 302
    assert line(validated).people == 6
    # The first change since the validation is in the audit log, by whom it was made.
    entries = Entry.objects.filter(action=Action.PLAN_CHANGED)
    assert [(e.actor, e.company_id, e.target) for e in entries] == [
        (company_a.admin, company_a.company.pk, str(validated.public_id))
    ]
    data = item_data(validated, **{"A-ONE-01": {"people": 7}})
    assert admin.post(save_url(diagnostic), data).status_code == 302
    assert entries.count() == 1  # one entry per validation, not per change

    page = admin.get(plan_page).text
    assert "data-changed-since-validation" in page
    assert "après cette validation : votre conseiller vérifiera les changements" in page
    assert '<p class="alert alert-success">Validé par' not in page
    assert 'data-validation="changed"' in admin.get(reverse("home")).text

    advisor_client = client_for(advisor)
    page = advisor_client.get(queue).text
    assert company_a.company.name in page
    assert "data-changed" in page
    page = advisor_client.get(review_page).text
    assert "data-changed-since-validation" in page
    assert f"puis modifié par {company_a.admin.full_name} le " in page
    assert "vérifiez le plan et validez-le de nouveau" in page
    page = advisor_client.get(portfolio, {"status": "changed"}).text
    assert company_a.company.name in page
    assert "Modifié depuis la validation" in page
    assert company_a.company.name not in advisor_client.get(portfolio, {"status": "validated"}).text
    assert "Modifié depuis la validation" in advisor_client.get(history_page).text

    response = advisor_client.post(
        reverse("advisors:save_review", args=[diagnostic.public_id]),
        {"review": "validate", "comment": "Revu après les changements"},
    )
    assert response.status_code == 302
    assert company_a.company.name not in advisor_client.get(queue).text
    page = advisor_client.get(portfolio, {"status": "validated"}).text
    assert company_a.company.name in page
    page = client_for(company_a.admin).get(plan_page).text
    assert "data-changed-since-validation" not in page
    assert '<p class="alert alert-success">Validé par' in page


def test_the_pdf_of_a_changed_plan_says_it_is_not_validated(company_a, validated):
    diagnostic = validated.diagnostic
    validated_pdf = services.request_report(
        diagnostic=diagnostic, user=company_a.admin, language="en"
    )
    Report.objects.filter(pk=validated_pdf.pk).update(status=Report.Status.READY)
    with translation.override("en"):
        context = report_context(diagnostic, "en", 1)
    assert context["validated_at"] == validated.validated_at
    assert context["changed_since_validation_at"] is None

    item = line(validated)
    services.update_plan_items(
        plan=validated, changes={item.pk: {"priority": item.priority % 3 + 1}}
    )
    assert services.is_outdated(Report.objects.get(pk=validated_pdf.pk))
    # Back to the values that were validated: the PDF made at the validation is no longer
    # the plan's (a PDF made now says that the plan changed since).
    services.update_plan_items(plan=validated, changes={item.pk: {"priority": item.priority}})
    assert services.is_outdated(Report.objects.get(pk=validated_pdf.pk))

    with translation.override("en"):
        context = report_context(diagnostic, "en", 2)
        html = render_to_string("reports/pdf.html", context)
    plan = ActionPlan.objects.get(pk=validated.pk)
    assert context["changed_since_validation_at"] == plan.changed_since_validation_at
    assert "after this validation: this version of the plan is not validated." in html


def test_the_review_lists_what_changed_since_the_validation(
    client_for, advisor, validated, funding_rules
):
    diagnostic = validated.diagnostic
    review_page = reverse("advisors:review", args=[diagnostic.public_id])
    one, two = line(validated, "A-ONE-01"), line(validated, "B-TWO-01")
    services.update_plan_items(
        plan=validated,
        changes={
            one.pk: {"people": one.people + 2, "priority": one.priority % 3 + 1},
            two.pk: {"status": "dropped", "drop_reason": "Déjà fait"},
        },
    )
    added = TrainingAction.objects.get(catalogue=validated.catalogue, code="A-ONE-02")
    services.add_plan_line(plan=validated, action=added, priority=2, horizon="later", user=advisor)
    services.set_salary_cost(plan=validated, hourly_salary_cost=Decimal("32.50"))
    services.use_latest_funding_rules(plan=validated)

    page = client_for(advisor).get(review_page).text
    assert "Ce qui a changé depuis la validation" in page
    section = page[
        page.index("data-changes") : page.index("</section>", page.index("data-changes"))
    ]
    assert f"personnes à former : {one.people} → {one.people + 2}" in section
    assert f"priorité : P{one.priority} → P{one.priority % 3 + 1}" in section
    assert "n’est plus comptée : abandonnée" in section
    assert "ajoutée au plan" in section
    assert "non comptés → 32,50 € de l’heure" in section
    assert f"aucune → version {funding_rules.version}" in section
    # Follow-up is not a change of what was validated.
    assert "Responsable" not in section

    services.advisor_review(plan=validated, advisor=advisor, comment="", validate=True)
    assert "data-changes" not in client_for(advisor).get(review_page).text
    services.update_plan_items(plan=validated, changes={two.pk: {"status": "proposed"}})
    page = client_for(advisor).get(review_page).text
    section = page[
        page.index("data-changes") : page.index("</section>", page.index("data-changes"))
    ]
    assert "de nouveau comptée" in section
    assert "personnes à former" not in section  # the validation took the new figures in


def test_a_plan_validated_before_its_state_was_kept_shows_the_notice_alone(
    client_for, advisor, validated
):
    ActionPlan.objects.filter(pk=validated.pk).update(validated_state={})
    services.update_plan_items(plan=validated, changes={line(validated).pk: {"people": 9}})
    page = (
        client_for(advisor)
        .get(reverse("advisors:review", args=[validated.diagnostic.public_id]))
        .text
    )
    assert "data-changed-since-validation" in page
    assert "data-changes" not in page


def test_the_pdf_cover_says_whether_the_plan_is_validated(submitted, advisor):
    def cover() -> str:
        with translation.override("fr"):
            html = render_to_string("reports/pdf.html", report_context(submitted, "fr", 1))
        start = html.index("<dt>Validation par le conseiller</dt>")
        return html[start : html.index("</dd>", start)]

    assert "Pas encore validé par un conseiller" in cover()
    plan = ActionPlan.objects.get(diagnostic=submitted)
    services.advisor_review(plan=plan, advisor=advisor, comment="", validate=True)
    text = cover()
    assert f"Validé par {advisor.full_name} le " in text
    assert "modifié" not in text
    services.update_plan_items(plan=plan, changes={line(plan).pk: {"people": 7}})
    text = cover()
    assert "\xa0; le plan a été modifié le " in text
    assert "après cette validation : cette version n’est pas validée" in text


def test_an_admin_is_told_before_saving_which_changes_need_a_new_validation(
    client_for, company_a, submitted, advisor
):
    plan = ActionPlan.objects.get(diagnostic=submitted)
    admin = client_for(company_a.admin)
    assert "data-revalidation-note" not in admin.get(plan_url(submitted)).text
    services.advisor_review(plan=plan, advisor=advisor, comment="", validate=True)
    page = admin.get(plan_url(submitted)).text
    assert "le renvoie à votre conseiller pour une nouvelle validation" in page
    assert 'aria-describedby="revalidation-note"' in page
    member_page = client_for(company_a.member).get(plan_url(submitted)).text
    assert "data-revalidation-note" not in member_page  # members cannot save the plan
    services.update_plan_items(plan=plan, changes={line(plan).pk: {"people": 2}})
    page = client_for(company_a.admin).get(plan_url(submitted)).text
    assert "data-revalidation-note" not in page  # the changed notice says it instead
    assert "data-changed-since-validation" in page


def test_the_validating_advisor_is_e_mailed_once_when_the_plan_changes(
    client_for,
    company_a,
    advisor,
    validated,
    django_capture_on_commit_callbacks,
    monkeypatch,
    settings,
):
    settings.SITE_URL = "https://autodiag.example"
    monkeypatch.setattr(
        "reports.tasks.notify_plan_changed.delay", lambda pk: notify_plan_changed(pk)
    )
    admin = client_for(company_a.admin)
    diagnostic = validated.diagnostic
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):  # follow-up: no e-mail
        admin.post(save_url(diagnostic), item_data(validated, **{"A-ONE-01": {"owner": "Léa"}}))
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(save_url(diagnostic), item_data(validated, **{"A-ONE-01": {"people": 5}}))
    assert [m.to for m in mail.outbox] == [[advisor.email]]
    message = mail.outbox[0]
    assert company_a.company.name in message.subject
    assert "après votre validation" in message.subject
    assert f"a été modifié par {company_a.admin.full_name} le " in message.body
    assert f"https://autodiag.example/advisor/reviews/{diagnostic.public_id}/" in message.body
    with django_capture_on_commit_callbacks(execute=True):  # once per validation
        admin.post(save_url(diagnostic), item_data(validated, **{"A-ONE-01": {"people": 6}}))
    assert len(mail.outbox) == 1

    # Validated again, changed again: a new notice; not to an advisor who left the company.
    services.advisor_review(plan=validated, advisor=advisor, comment="", validate=True)
    company_a.company.advisors.remove(advisor)
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(save_url(diagnostic), item_data(validated, **{"A-ONE-01": {"people": 2}}))
    assert len(mail.outbox) == 1
    assert ActionPlan.objects.get(pk=validated.pk).change_notified_at is not None


@pytest.mark.parametrize("task", ["notify_plan_changed", "notify_plan_validated"])
def test_a_notice_lost_to_a_broker_away_costs_only_its_e_mail(monkeypatch, task):
    from reports import tasks

    def away(plan_id):
        raise ConnectionError("broker away")

    monkeypatch.setattr(f"reports.tasks.{task}.delay", away)
    enqueue = {
        "notify_plan_changed": tasks.enqueue_change_notice,
        "notify_plan_validated": tasks.enqueue_validation_notice,
    }[task]
    assert enqueue(1) is False
    monkeypatch.setattr(f"reports.tasks.{task}.delay", lambda plan_id: None)
    assert enqueue(1) is True
