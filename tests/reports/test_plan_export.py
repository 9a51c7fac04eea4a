"""The company's export of its action plan (CSV, XLSX): the page's lines and figures, what the
plan is, and only to whoever may read the plan."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from audit.models import Action, Entry
from reports.document import plan_rows
from reports.models import ActionPlan, PlanItem
from tests.factories import UserFactory


@pytest.fixture
def plan(funding_rules, submitted):
    """The plan of company A's submitted diagnostic, estimated under the default rules."""
    return ActionPlan.objects.select_related("diagnostic__questionnaire", "catalogue").get(
        diagnostic=submitted
    )


def url(plan, **query):
    path = reverse("reports:plan_export", args=[plan.diagnostic.public_id])
    return path + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def workbook(response):
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return {name: list(book[name].iter_rows(values_only=True)) for name in book.sheetnames}


def test_a_member_gets_the_lines_with_their_funding_as_on_the_page(plan, client_for, company_a):
    response = client_for(company_a.member).get(url(plan, format="xlsx"))
    assert "attachment" in response["Content-Disposition"]
    assert 'filename="plan-daction-' in response["Content-Disposition"]
    assert ".xlsx" in response["Content-Disposition"]
    sheets = workbook(response)
    assert list(sheets) == ["Plan d’action", "À propos de ce plan"]
    header, *lines = sheets["Plan d’action"]
    rows, _totals = plan_rows(plan, "fr")
    assert len(lines) == len(rows) == PlanItem.objects.filter(plan=plan).count() > 0
    column = {name: i for i, name in enumerate(header)}
    for line, row in zip(lines, rows, strict=True):  # the page's order
        assert line[column["Action"]] == row["action_code"]
        assert line[column["Personnes"]] == row["people"]
        assert line[column["Heures (toutes personnes)"]] == (
            line[column["Heures par personne"]] * row["people"]
        )
        assert (line[column["Coût (bas)"]], line[column["Coût (haut)"]]) == (
            row["cost_min"],
            row["cost_max"],
        )
        assert (line[column["Reste à charge (bas)"]], line[column["Reste à charge (haut)"]]) == (
            row["remaining_min"],
            row["remaining_max"],
        )
        best = row["best_route"]
        if best and best["eligible"] and best["costed"]:
            assert line[column["Dispositif de financement"]] == best["label"]
            assert line[column["Financement estimé (haut)"]] == row["estimated_funding"]
            assert line[column["Source de la règle de financement"]] == best["source"]
            assert line[column["À confirmer auprès de votre OPCO"]] == (
                "oui" if best["uncertain"] else None
            )
        else:  # not estimated: left empty, not 0 €
            assert line[column["Financement estimé (haut)"]] is None
    # Amounts are numbers a spreadsheet adds up.
    assert all(isinstance(line[column["Coût (haut)"]], int) for line in lines)
    assert any(line[column["Financement estimé (haut)"]] for line in lines)

    about = dict(r for r in sheets["À propos de ce plan"] if r and len(r) == 2)
    assert about["Entreprise"] == company_a.company.name
    assert about["SIRET"] == company_a.company.siret
    assert about["Validation"] == "Pas encore validé par un conseiller"
    assert about["Règles de financement"].startswith("Règles de financement de la formation 2026")
    assert about["Révision du plan"] == plan.revision


def test_the_csv_holds_both_sheets(plan, client_for, company_a):
    response = client_for(company_a.admin).get(url(plan))
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeffPlan d’action")
    assert "\r\nÀ propos de ce plan\r\n" in text
    assert "Dispositif de financement" in text


def test_the_export_says_when_a_validated_plan_changed_since(plan, client_for, company_a):
    advisor = UserFactory(is_advisor=True, full_name="Sophie Conseil")
    now = timezone.now()
    ActionPlan.objects.filter(pk=plan.pk).update(
        validated_by=advisor, validated_at=now, changed_since_validation_at=now
    )
    about = dict(
        r
        for r in workbook(client_for(company_a.member).get(url(plan, format="xlsx")))[
            "À propos de ce plan"
        ]
        if r and len(r) == 2
    )
    assert about["Validation"].startswith("Validé par Sophie Conseil le ")
    assert "après cette validation : cette version n’est pas validée" in about["Validation"]


@pytest.mark.quality("S11")
def test_what_the_company_typed_is_defused(plan, client_for, company_a):
    PlanItem.objects.filter(plan=plan).update(owner='=HYPERLINK("http://x")', notes="@SUM(A1)")
    header, *lines = workbook(client_for(company_a.admin).get(url(plan, format="xlsx")))[
        "Plan d’action"
    ]
    owner, notes = header.index("Responsable"), header.index("Notes")
    assert {(line[owner], line[notes]) for line in lines} == {
        ('\'=HYPERLINK("http://x")', "'@SUM(A1)")
    }


@pytest.mark.quality("S3")
def test_only_who_may_read_the_plan_gets_it(plan, client_for, client, company_a, outsider):
    assert client.get(url(plan)).status_code == 302  # to the login page
    for user in (outsider, UserFactory(is_advisor=True)):
        assert client_for(user).get(url(plan)).status_code == 404
    following = UserFactory(is_advisor=True)
    company_a.company.advisors.add(following)
    assert client_for(following).get(url(plan, format="xlsx")).status_code == 200
    assert client_for(following).post(url(plan)).status_code == 405


@pytest.mark.quality("G3")
def test_the_export_is_in_the_audit_log_and_a_bad_format_changes_nothing(
    plan, client_for, company_a
):
    client = client_for(company_a.member)
    bad = client.get(url(plan, format="pdf"))
    assert bad.status_code == 400
    assert "Format de fichier inconnu : choisissez CSV ou XLSX." in bad.text
    assert not Entry.objects.filter(action=Action.TABLE_EXPORTED).exists()
    b"".join(client.get(url(plan)).streaming_content)
    entry = Entry.objects.get(action=Action.TABLE_EXPORTED)
    assert (entry.actor, entry.company) == (company_a.member, company_a.company)


def test_the_plan_page_links_to_both_formats(plan, client_for, company_a):
    page = client_for(company_a.member).get(
        reverse("reports:plan", args=[plan.diagnostic.public_id])
    )
    assert page.status_code == 200
    assert f'href="{url(plan)}?format=xlsx"' in page.text
    assert f'href="{url(plan)}?format=csv"' in page.text
    assert "Exporter le plan (XLSX)" in page.text
    assert "Exporter le plan (CSV)" in page.text


def test_the_export_reads_no_yaml_source(plan, client_for, company_a):
    """The questionnaire, catalogue and rules are read without their YAML sources."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(company_a.member)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url(plan, format="xlsx")).status_code == 200
    assert not [q["sql"] for q in queries.captured_queries if '."source"' in q["sql"]]


def test_a_line_no_route_funds_says_why_and_what_else_the_company_may_use(
    large_v3, client_for, company_a
):
    """A file read on its own says, for each line its routes refuse, what the plan page's
    note says: why, and what a company of this size may use instead, with its source."""
    plan = ActionPlan.objects.get(diagnostic=large_v3)
    header, *lines = workbook(client_for(company_a.admin).get(url(plan, format="xlsx")))[
        "Plan d’action"
    ]
    assert header[-1] == "Pourquoi aucun financement"
    why = {line[0]: line[-1] for line in lines}
    for code in ("A-ONE-01", "A-ONE-02"):
        assert why[code].startswith(
            "Plan de développement des compétences : non éligible. Pas de financement pour "
            "une entreprise de 250 à 499 salariés (réservé aux entreprises de 1 à 49 salariés). "
            "À partir de 50 salariés, l’OPCO ne peut financer ces formations"
        )
        assert why[code].endswith(
            "(à confirmer auprès de votre OPCO) Source : https://juriblio.fr/codes/code-du-travail"
            "/partie-legislative/sixieme-partie/livre-iii/titre-iii/chapitre-ii/section-1"
            "/sous-section-1/article-l6332-1-2"
        )
    assert why["B-TWO-01"].startswith(
        "Compte personnel de formation (co-financement) : non éligible. Réservé aux formations "
        "certifiantes."
    )


def test_a_funded_line_has_no_reason_to_give(plan, client_for, company_a):
    _header, *lines = workbook(client_for(company_a.admin).get(url(plan, format="xlsx")))[
        "Plan d’action"
    ]
    rows, _totals = plan_rows(plan, "fr")
    funded = [r["action_code"] for r in rows if r["best_route"]["eligible"]]
    assert funded
    assert all(line[-1] is None for line in lines if line[0] in funded)
