"""Exports: formula-safe, numbers numeric, streamed, and only to whoever may see them."""

from __future__ import annotations

import io
import tracemalloc

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse
from openpyxl import load_workbook

from documents.exports import csv_lines, safe_cell, write_xlsx
from observatory.tasks import refresh_observatory
from tests.factories import UserFactory

HOSTILE = ["=1+1", "+33 1 23", "-2+3", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("http://x")']


@pytest.mark.quality("S11")
@pytest.mark.parametrize("text", HOSTILE)
def test_a_formula_is_neutralised(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.quality("S11")
def test_numbers_stay_numbers():
    assert safe_cell(-12) == -12
    assert safe_cell(3.5) == 3.5
    assert safe_cell("Atelier") == "Atelier"
    assert safe_cell(None) == ""


@pytest.mark.quality("S11")
def test_xlsx_cells_are_safe_and_numeric():
    target = io.BytesIO()
    write_xlsx([("Feuille", [["=1+1", -5, 2.5, "@x"]])], target)
    target.seek(0)
    row = next(load_workbook(target).active.iter_rows(values_only=True))
    assert row == ("'=1+1", -5, 2.5, "'@x")


def test_a_100000_row_csv_is_streamed_with_flat_memory():
    rows = ([i, f"Entreprise {i}", "=danger", i * 1.5] for i in range(100_000))
    tracemalloc.start()
    count = 0
    for _line in csv_lines(rows):
        count += 1
        if count == 1000:
            early = tracemalloc.get_traced_memory()[0]
    late, _peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert count == 100_001  # the BOM, then one line per row
    assert late - early < 1_000_000


def test_a_100000_row_xlsx_holds_every_row(tmp_path):
    rows = ([i, f"Entreprise {i}", "=danger"] for i in range(100_000))
    path = tmp_path / "big.xlsx"
    with path.open("wb") as target:
        write_xlsx([("Données", rows)], target)
    rows = list(load_workbook(path, read_only=True).active.iter_rows(values_only=True))
    assert len(rows) == 100_000
    assert rows[-1] == (99_999, "Entreprise 99999", "'=danger")


@pytest.mark.quality("S11")
def test_observatory_table_export_is_formula_safe(submit_companies, settings, client_for):
    settings.BENCHMARK_MIN_COMPANIES = 1
    submit_companies(1)
    refresh_observatory()
    operator = UserFactory(is_staff=True)
    client = client_for(operator)
    csv = client.get(reverse("observatory:export"), {"table": "funding", "format": "csv"})
    assert isinstance(csv, StreamingHttpResponse)
    assert csv["Content-Type"].startswith("text/csv")
    assert "Coût (haut)" in b"".join(csv.streaming_content).decode()
    xlsx = client.get(reverse("observatory:export"), {"table": "needs", "format": "xlsx"})
    book = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)))
    assert "Par domaine" in book.sheetnames
    _header, *rows = book["Par domaine"].iter_rows(values_only=True)
    rows = [r for r in rows if r[1] is not None]  # the figures, without the notes under them
    assert rows
    assert all(isinstance(r[2], int) for r in rows)


def test_unknown_table_gets_400(db, client_for):
    response = client_for(UserFactory(is_staff=True)).get(
        reverse("observatory:export"), {"table": "secret", "format": "csv"}
    )
    assert response.status_code == 400


@pytest.mark.quality("S11", "S9")
def test_company_export_defuses_typed_formulas(submitted, client_for, company_a):
    from diagnostics.models import Answer

    Answer.objects.filter(diagnostic=submitted).update(value="=cmd|' /C calc'!A0")
    advisor = UserFactory(is_advisor=True)
    company_a.company.advisors.add(advisor)
    url = reverse("observatory:company_export", args=[company_a.company.public_id])
    response = client_for(advisor).get(url, {"format": "xlsx"})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    answers = list(book["Réponses"].iter_rows(values_only=True))[1:]
    assert answers
    assert all(row[3] == "'=cmd|' /C calc'!A0" for row in answers)
    header, *plan = book["Plan d’action"].iter_rows(values_only=True)
    assert plan
    # The funding and the remaining cost at both ends of the line's cost range.
    funding = header.index("Financement estimé (bas)")
    assert header[funding : funding + 4] == (
        "Financement estimé (bas)",
        "Financement estimé (haut)",
        "Reste à charge (bas)",
        "Reste à charge (haut)",
    )
    assert all(isinstance(row[header.index("Coût (haut)")], int) for row in plan)
    csv = client_for(advisor).get(url)
    assert csv["Content-Type"].startswith("text/csv")


@pytest.mark.quality("S1", "S3")
def test_company_export_is_404_to_anyone_but_its_advisor(
    submitted, client_for, company_a, outsider
):
    url = reverse("observatory:company_export", args=[company_a.company.public_id])
    for user in (
        UserFactory(is_advisor=True),
        UserFactory(is_staff=True, is_superuser=True),
        outsider,
        company_a.admin,
    ):
        assert client_for(user).get(url).status_code == 404


@pytest.mark.quality("S3")
def test_portfolio_export_lists_the_portfolio_only(submitted, client_for, company_a, company_b):
    advisor = UserFactory(is_advisor=True)
    company_a.company.advisors.add(advisor)
    company_a.company.name = "=Atelier"
    company_a.company.save()
    response = client_for(advisor).get(reverse("advisors:portfolio_export"))
    text = b"".join(response.streaming_content).decode()
    assert "'=Atelier" in text
    assert company_b.company.name not in text
    assert client_for(company_a.admin).get(reverse("advisors:portfolio_export")).status_code == 403


@pytest.mark.parametrize("name", ["advisors:portfolio_export"])
def test_export_refuses_post(db, name, client_for):
    assert client_for(UserFactory(is_advisor=True)).post(reverse(name)).status_code == 405


@pytest.mark.quality("G3")
def test_exports_are_in_the_audit_log(submitted, client_for, company_a):
    from audit.models import Action, Entry

    advisor = UserFactory(is_advisor=True)
    company_a.company.advisors.add(advisor)
    client = client_for(advisor)
    b"".join(client.get(reverse("advisors:portfolio_export")).streaming_content)
    url = reverse("observatory:company_export", args=[company_a.company.public_id])
    b"".join(client.get(url).streaming_content)
    entries = Entry.objects.filter(action=Action.TABLE_EXPORTED, actor=advisor)
    assert entries.count() == 2
    assert entries.filter(company=company_a.company).count() == 1


def sheet_rows(response) -> dict[str, list[tuple]]:
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return {name: list(book[name].iter_rows(values_only=True)) for name in book.sheetnames}


def test_table_exports_say_what_they_leave_out(submit_companies, settings, client_for):
    """As the page does: a priority counted for fewer than K companies is "—", and each
    sheet ends with what that means and how many groups are hidden."""
    from reports.models import PlanItem

    settings.BENCHMARK_MIN_COMPANIES = 2
    companies = submit_companies(2, region="84")
    submit_companies(1, region="11")  # alone in its region: a hidden group
    PlanItem.objects.filter(plan__diagnostic__company=companies[0]).update(priority=3)
    refresh_observatory()
    client = client_for(UserFactory(is_staff=True))
    url = reverse("observatory:export")
    needs = sheet_rows(client.get(url, {"table": "needs", "format": "xlsx"}))
    domains = needs["Par domaine"]
    assert any("—" in row[3:6] for row in domains[1:] if row[2])
    assert domains[-1][0] == "— : moins de 2 entreprises, non affiché."
    assert needs["Par région"][-1][0] == "1 groupe masqué : moins de 2 entreprises."
    funding = sheet_rows(client.get(url, {"table": "funding", "format": "xlsx"}))
    assert next(iter(funding)) == "Toutes les lignes, par statut"
    totals = funding["Toutes les lignes, par statut"]
    assert totals[0][:4] == ("Code", "Libellé", "Statut", "Entreprises")
    assert {row[3] for row in totals[1:]} == {3}  # every status counts the three companies
    assert funding["Par région"][-1][0] == "1 groupe masqué : moins de 2 entreprises."


def test_table_export_file_is_named_in_the_page_language(submit_companies, client_for):
    client = client_for(UserFactory(is_staff=True))
    url = reverse("observatory:export")
    french = client.get(url, {"table": "needs", "format": "csv"})["Content-Disposition"]
    assert (
        french == 'attachment; filename="observatoire-besoins-de-formation-toutes-les-periodes.csv"'
    )
    client.cookies["django_language"] = "en"
    english = client.get(url, {"table": "funding", "format": "csv"})["Content-Disposition"]
    assert english == 'attachment; filename="observatory-funding-forecast-all-periods.csv"'


def test_company_export_leaves_a_route_without_amount_empty(
    client_for, company_a, start, funding_rules
):
    """Where the rules give a route no amount, the funding cells are empty, not 0 €."""
    from diagnostics import services as diagnostic_services
    from diagnostics.scoring import AnswerValue
    from reports import services
    from tests.samples import SMALL_CATALOGUE_V2, SMALL_V2

    questionnaire, _ = diagnostic_services.import_questionnaire(text=SMALL_V2)
    services.import_catalogue(
        text=SMALL_CATALOGUE_V2.replace(
            "funding: [plan_developpement]\n    obligation: true",
            "funding: [cpf]\n    certifying: true\n    obligation: true",
        )
    )
    diagnostic = start(questionnaire)
    diagnostic_services.save_answer(
        diagnostic=diagnostic,
        question_code="C.SAFE.DUERP",
        answer=AnswerValue("no"),
        user=company_a.admin,
        base_version=0,
    )
    services.submit(diagnostic=diagnostic, user=company_a.admin)
    advisor = UserFactory(is_advisor=True)
    company_a.company.advisors.add(advisor)
    url = reverse("observatory:company_export", args=[company_a.company.public_id])
    response = client_for(advisor).get(url, {"format": "xlsx"})
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    header, *plan = book["Plan d’action"].iter_rows(values_only=True)
    row = next(r for r in plan if r[0] == "C-SAFE-01")
    funding = header.index("Financement estimé (bas)")
    assert row[funding : funding + 2] == (None, None)
    assert isinstance(row[header.index("Reste à charge (haut)")], int)
