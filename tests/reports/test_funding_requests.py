"""The funding request of each line: filed with the OPCO, its file number and the amount
agreed, recorded as follow-up, counted on the plan page and asked for on the home page."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from config import next_steps as steps
from reports import services
from reports.document import plan_rows
from reports.models import ActionPlan, PlanItem
from tests.reports.test_plan import item_data, plan_url


@pytest.fixture
def plan(funding_rules, submitted):
    return ActionPlan.objects.get(diagnostic=submitted)


@pytest.fixture
def fundable(plan):
    """An accepted line of the first 12 months that a route funds for this company."""
    rows, _totals = plan_rows(plan, "fr")
    row = next(r for r in rows if r["best_route"] and r["best_route"]["eligible"])
    PlanItem.objects.filter(pk=row["pk"]).update(status="accepted", horizon="year1")
    services.refresh_year1_summary(plan)
    return PlanItem.objects.select_related("action").get(pk=row["pk"])


def save(client, plan, code, **fields):
    url = reverse("reports:save_plan", args=[plan.diagnostic.public_id])
    return client.post(url, item_data(plan, **{code: fields}))


def home_steps(client):
    return [s["code"] for s in client.get(reverse("home")).context["steps"]]


def test_a_request_is_recorded_and_counted_without_touching_the_validation(
    plan, fundable, client_for, company_a, advisor
):
    services.advisor_review(plan=plan, advisor=advisor, comment="", validate=True)
    fingerprint = services.fingerprint(plan.diagnostic, "fr")
    client = client_for(company_a.admin)
    assert steps.FILE_REQUESTS in home_steps(client)
    filed = timezone.localdate() - timedelta(days=3)
    response = save(
        client,
        plan,
        fundable.action.code,
        funding_requested_on=filed.isoformat(),
        funding_reference="2I-2026-0042",
        funding_granted="1200",
    )
    assert response.status_code == 302
    fundable.refresh_from_db()
    assert (
        fundable.funding_requested_on,
        fundable.funding_reference,
        fundable.funding_granted,
    ) == (
        filed,
        "2I-2026-0042",
        1200,
    )
    plan.refresh_from_db()
    assert plan.changed_since_validation_at is None  # follow-up, not the plan's substance
    assert services.fingerprint(plan.diagnostic, "fr") == fingerprint  # the PDF is current
    page = client.get(plan_url(plan.diagnostic)).text.replace("\u202f", " ").replace("\xa0", " ")
    assert (
        f"Prise en charge demandée le {filed:%d/%m/%Y} (2I-2026-0042), accordée : 1 200 €" in page
    )
    assert "Prise en charge accordée : 1 200 € pour 1 ligne." in page
    assert "attend encore sa demande" not in page
    assert steps.FILE_REQUESTS not in home_steps(client)
    # The advisor's review shows the same, line by line and in all.
    review = client_for(advisor).get(reverse("advisors:review", args=[plan.diagnostic.public_id]))
    review = review.text.replace("\u202f", " ").replace("\xa0", " ")
    assert (
        f"Prise en charge demandée le {filed:%d/%m/%Y} (2I-2026-0042), accordée : 1 200 €" in review
    )
    assert "Prise en charge accordée : 1 200 € pour 1 ligne." in review


def test_the_home_asks_the_admin_to_file_the_requests(plan, fundable, client_for, company_a):
    client = client_for(company_a.admin)
    home = client.get(reverse("home"))
    step = next(s for s in home.context["steps"] if s["code"] == steps.FILE_REQUESTS)
    assert step["label"] == (
        "Déposer auprès de votre OPCO la demande de prise en charge de la ligne acceptée, "
        "avant le début de la formation"
    )
    assert step["url"] == plan_url(plan.diagnostic)
    assert "1 ligne acceptée des 12 premiers mois attend encore sa demande de prise en charge." in (
        client.get(plan_url(plan.diagnostic)).text
    )
    # A line for later asks for nothing; nor does a plan without funding rules.
    PlanItem.objects.filter(pk=fundable.pk).update(horizon="later")
    services.refresh_year1_summary(plan)
    assert steps.FILE_REQUESTS not in home_steps(client)
    PlanItem.objects.filter(pk=fundable.pk).update(horizon="year1")
    services.refresh_year1_summary(plan)
    assert steps.FILE_REQUESTS in home_steps(client)
    assert steps.FILE_REQUESTS not in home_steps(client_for(company_a.member))  # admin's step
    ActionPlan.objects.filter(pk=plan.pk).update(funding_rules=None)
    services.refresh_year1_summary(ActionPlan.objects.get(pk=plan.pk))
    assert steps.FILE_REQUESTS not in home_steps(client_for(company_a.admin))


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"funding_requested_on": "in two days"},
            "La demande ne peut pas être déposée après aujourd’hui.",
        ),
        (
            {"funding_granted": "900"},
            "Indiquez le jour de dépôt de la demande avant son numéro de dossier ou son accord.",
        ),
        (
            {"funding_requested_on": "le 15 janvier"},
            "Écrivez la date sous la forme 2027-01-15 (année, mois, jour).",
        ),
        (
            {"funding_requested_on": "2026-11-02", "funding_granted": "-5"},
            "supérieure ou égale à 0",
        ),
    ],
)
def test_a_wrong_request_is_refused_with_its_message_and_nothing_changes(
    plan, fundable, client_for, company_a, fields, message
):
    if fields.get("funding_requested_on") == "in two days":
        fields = {"funding_requested_on": timezone.localdate() + timedelta(days=2)}
    revision = plan.revision
    response = save(client_for(company_a.admin), plan, fundable.action.code, **fields)
    assert response.status_code == 400
    assert message in response.text
    # Said at the top of the form, with a link to the line, whose details are open.
    assert "Le plan n’est pas enregistré : 1 ligne est à corriger." in response.text
    assert f'<a href="#line-{fundable.public_id}">' in response.text
    assert response.text.count('<details class="small mt-1" open>') == 1
    fundable.refresh_from_db()
    assert fundable.funding_requested_on is None
    assert fundable.funding_granted is None
    assert ActionPlan.objects.get(pk=plan.pk).revision == revision


def test_the_database_refuses_an_agreement_without_a_request(fundable):
    with pytest.raises(IntegrityError), transaction.atomic():
        PlanItem.objects.filter(pk=fundable.pk).update(funding_granted=500)
    with pytest.raises(IntegrityError), transaction.atomic():
        PlanItem.objects.filter(pk=fundable.pk).update(funding_reference="X-1")


def test_the_export_carries_the_request(plan, fundable, client_for, company_a):
    PlanItem.objects.filter(pk=fundable.pk).update(
        funding_requested_on=date(2026, 11, 2), funding_reference="2I-7", funding_granted=800
    )
    url = reverse("reports:plan_export", args=[plan.diagnostic.public_id]) + "?format=xlsx"
    response = client_for(company_a.member).get(url)
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    header, *lines = book["Plan d’action"].iter_rows(values_only=True)
    line = next(row for row in lines if row[0] == fundable.action.code)
    filed = line[header.index("Demande de prise en charge déposée le")]
    assert filed.date() == date(2026, 11, 2)  # a date cell, not text
    assert line[header.index("Numéro de dossier OPCO")] == "2I-7"
    assert line[header.index("Prise en charge accordée par l’OPCO (€)")] == 800
    csv = client_for(company_a.member).get(url.replace("xlsx", "csv"))
    assert "2026-11-02;2I-7;800" in b"".join(csv.streaming_content).decode()


def test_filing_comes_after_the_decisions_and_before_what_was_done():
    from tests.test_home import situation

    s = situation(
        members=2,
        last_submitted_on=date(2026, 10, 1),
        has_plan=True,
        proposed_lines=1,
        accepted_lines=2,
        requests_to_file=2,
    )
    assert steps.next_steps(s) == [
        steps.REVIEW_LINES,
        steps.FILE_REQUESTS,
        steps.MARK_DONE,
        steps.REQUEST_PDF,
    ]
    assert steps.FILE_REQUESTS not in steps.next_steps(
        situation(is_admin=False, has_plan=True, requests_to_file=2, members=2)
    )


def test_the_portfolio_shows_and_sorts_the_requests_to_file(
    plan, fundable, client_for, company_a, advisor
):
    from tests.factories import MembershipFactory

    other = MembershipFactory(role="admin", company__name="AAA Première").company
    other.advisors.add(advisor)
    client = client_for(advisor)
    by_name = list(client.get(reverse("advisors:portfolio")).context["page"])
    assert by_name[0].pk == other.pk
    page = client.get(reverse("advisors:portfolio"), {"sort": "-requests"})
    assert page.status_code == 200
    rows = list(page.context["page"])
    assert (rows[0].pk, rows[0].year1_requests_to_file) == (company_a.company.pk, 1)
    assert "1 demande de prise en charge à déposer" in page.text
    export = client.get(
        reverse("advisors:portfolio_export"), {"format": "csv", "sort": "-requests"}
    )
    text = b"".join(export.streaming_content).decode()
    header, first = text.lstrip("\ufeff").splitlines()[:2]
    column = header.split(";").index("Demandes de prise en charge à déposer")
    assert first.split(";")[column] == "1"
    # Once filed, the count goes.
    save(
        client_for(company_a.admin),
        plan,
        fundable.action.code,
        funding_requested_on=timezone.localdate().isoformat(),
    )
    assert ActionPlan.objects.get(pk=plan.pk).year1_requests_to_file == 0
    assert (
        "demande de prise en charge à déposer"
        not in client_for(advisor).get(reverse("advisors:portfolio")).text
    )
