"""Exports: formula-safe, numbers numeric, streamed, and only to whoever may see them."""

from __future__ import annotations

import csv
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
    assert list(funding)[:2] == ["Sélection", "Toutes les lignes, par statut"]
    totals = funding["Toutes les lignes, par statut"]
    assert totals[0][:4] == ("Code", "Libellé", "Statut", "Entreprises")
    statuses = [row for row in totals[1:] if row[2]]  # then the amount to secure
    assert {row[3] for row in statuses} == {3}  # every status counts the three companies
    assert totals[-1][1].startswith("Financement OPCO estimé à réserver")
    assert funding["Par région"][-1][0] == "1 groupe masqué : moins de 2 entreprises."


def test_table_exports_with_too_few_companies_say_why_they_are_empty(db, client_for):
    """Below the threshold the page says there are not enough companies yet; each sheet of
    the exports says the same instead of ending at its header."""
    refresh_observatory()
    client = client_for(UserFactory(is_staff=True))
    url = reverse("observatory:export")
    why = "Pas encore assez d’entreprises pour afficher des chiffres sur cette sélection."
    for table in ("needs", "funding"):
        sheets = sheet_rows(client.get(url, {"table": table, "format": "xlsx"}))
        assert sheets
        assert next(iter(sheets)) == "Sélection"
        for title, rows in list(sheets.items())[1:]:
            assert rows[-1][0] == why, (table, title)


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


# --- What the company export and the portfolio export say, in the export's language ------


def company_export(client, company, fmt, language="fr"):
    client.cookies["django_language"] = language
    url = reverse("observatory:company_export", args=[company.public_id])
    response = client.get(url, {"format": fmt})
    assert response.status_code == 200
    if fmt == "xlsx":
        return sheet_rows(response)
    text = b"".join(response.streaming_content).decode().removeprefix("\ufeff")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def by_question(rows):
    return {row[0]: row for row in rows[1:] if row}


def test_company_export_heads_the_answer_column_with_a_noun(submitted, advisor, client_for):
    """ "Answer" the verb is a link of the diagnostics list ("Répondre"); the column is the
    noun, a string of its own."""
    from django.utils import translation

    sheets = company_export(client_for(advisor), submitted.company, "xlsx")
    header = sheets["Réponses"][0]
    assert header[3] != "Répondre"
    with translation.override("fr"):
        assert header[3] == translation.pgettext("export column", "Answer")
    sheets = company_export(client_for(advisor), submitted.company, "xlsx", "en")
    assert sheets["Answers"][0][3] == "Answer"


def test_company_export_words_the_answers_in_its_language(
    company_a, diagnostic, advisor, client_for
):
    """Options, yes/no and "don't know" as the respondent read them; numbers stay numbers,
    free text as typed."""
    from diagnostics.models import Answer
    from reports import services as report_services
    from tests.factories import GAP_ANSWERS, save_answers

    save_answers(diagnostic, company_a.member, (*GAP_ANSWERS, ("B.TWO.Q2", "Soudeurs, 2 postes")))
    report_services.submit(diagnostic=diagnostic, user=company_a.admin)
    answers = Answer.objects.filter(diagnostic=diagnostic)
    answers.filter(question__code="B.TWO.Q3").update(value=["a", "b"])
    answers.filter(question__code="B.TWO.Q1").update(value=12.5)
    answers.filter(question__code="A.ONE.Q1").update(value=None, dont_know=True)
    client = client_for(advisor)

    french = by_question(company_export(client, company_a.company, "xlsx")["Réponses"])
    assert french["A.ONE.Q1"][3:5] == ("Je ne sais pas", "oui")
    assert french["A.ONE.Q2"][3] == "Non"
    assert french["B.TWO.Q1"][3] == 12.5  # a numeric cell
    assert french["B.TWO.Q2"][3] == "Soudeurs, 2 postes"
    assert french["B.TWO.Q3"][3] == "Entretien annuel, Plan de formation"

    english = by_question(company_export(client, company_a.company, "xlsx", "en")["Answers"])
    assert english["A.ONE.Q1"][3] == "Don't know"
    assert english["A.ONE.Q2"][3] == "No"
    assert english["B.TWO.Q3"][3] == "Annual review, Training plan"

    csv_rows = by_question(company_export(client, company_a.company, "csv"))
    assert csv_rows["B.TWO.Q1"][3] == "12,5"
    assert csv_rows["A.ONE.Q2"][3] == "Non"


def test_company_export_says_which_diagnostic_it_gives(
    submitted, company_a, start, advisor, client_for
):
    """The company has two submitted diagnostics: the first sheet names the one exported
    (the latest), by its questionnaire, version and day of submission (in France)."""
    from datetime import UTC, date, datetime

    from diagnostics import services as diagnostic_services
    from diagnostics.models import Diagnostic
    from diagnostics.scoring import AnswerValue
    from reports import services as report_services
    from tests.samples import SMALL_V2

    v2, _ = diagnostic_services.import_questionnaire(text=SMALL_V2)
    latest = start(v2)
    diagnostic_services.save_answer(
        diagnostic=latest,
        question_code="C.SAFE.DUERP",
        answer=AnswerValue("yes"),
        user=company_a.admin,
        base_version=0,
    )
    report_services.submit(diagnostic=latest, user=company_a.admin)
    Diagnostic.objects.filter(pk=submitted.pk).update(
        submitted_at=datetime(2024, 11, 5, 9, tzinfo=UTC)
    )
    Diagnostic.objects.filter(pk=latest.pk).update(
        submitted_at=datetime(2025, 3, 1, 23, 30, tzinfo=UTC)  # 2 March in Paris
    )
    client = client_for(advisor)

    sheets = company_export(client, company_a.company, "xlsx")
    assert next(iter(sheets)) == "Diagnostic"
    about = {row[0]: row[1] for row in sheets["Diagnostic"]}
    assert about["Questionnaire"] == "Petit questionnaire"
    assert about["Version"] == 2
    assert about["Diagnostic validé le"].date() == date(2025, 3, 2)  # a date cell
    assert about["SIRET"] == company_a.company.siret
    assert "C.SAFE.DUERP" in by_question(sheets["Réponses"])

    rows = company_export(client, company_a.company, "csv", "en")
    assert rows[0] == ["Diagnostic"]
    assert ["Diagnostic submitted on", date(2025, 3, 2).isoformat()] in rows
    assert ["Version", "2"] in rows


def test_company_export_without_a_submitted_diagnostic_says_so(
    diagnostic, company_a, advisor, client_for
):
    sheets = company_export(client_for(advisor), company_a.company, "xlsx")
    assert ("Diagnostic", "Aucun diagnostic validé pour l’instant.") in sheets["Diagnostic"]
    assert len(sheets["Réponses"]) == 1  # the header only


def test_french_csv_writes_decimal_commas_and_whole_numbers(db):
    from decimal import Decimal

    row = [14.0, 12.5, 3, Decimal("2.50"), "1.5", None]
    assert list(csv_lines([row], "fr"))[1] == "14;12,5;3;2,50;1.5;\r\n"
    assert list(csv_lines([row], "en"))[1] == "14;12.5;3;2.50;1.5;\r\n"


def test_company_export_csv_numbers_follow_its_language(submitted, advisor, client_for):
    """French spreadsheets read 14 and 1,5; English ones 1.5. The XLSX has numeric cells."""
    from reports.models import PlanItem

    client = client_for(advisor)
    french = company_export(client, submitted.company, "csv")
    header = next(row for row in french if "Heures par personne" in row)
    lines = french[french.index(header) + 1 :]
    hours = header.index("Heures par personne")
    assert lines
    assert all("." not in line[hours] for line in lines)
    assert {line[hours] for line in lines} >= {"14"}
    PlanItem.objects.filter(plan__diagnostic=submitted).update(people=3)
    english = company_export(client, submitted.company, "csv", "en")
    header = next(row for row in english if "Hours per person" in row)
    lines = english[english.index(header) + 1 :]
    assert "42" in {line[header.index("Hours (all people)")] for line in lines}
    sheets = company_export(client, submitted.company, "xlsx")
    plan_header, *plan = sheets["Plan d’action"]
    assert all(
        isinstance(row[plan_header.index("Heures par personne")], int | float) for row in plan
    )


def test_portfolio_csv_numbers_follow_its_language(submitted, advisor, client_for):
    from diagnostics.models import Score

    Score.objects.filter(diagnostic=submitted, level="overall").update(score=62.4)
    client = client_for(advisor)
    url = reverse("advisors:portfolio_export")

    def index(language):
        client.cookies["django_language"] = language
        text = b"".join(client.get(url).streaming_content).decode().removeprefix("\ufeff")
        header, row = list(csv.reader(io.StringIO(text), delimiter=";"))
        return row[header.index("Indice /100" if language == "fr" else "Index /100")]

    assert index("fr") == "62,4"
    assert index("en") == "62.4"


def test_portfolio_xlsx_gives_the_latest_diagnostic_as_a_date(submitted, advisor, client_for):
    """A date cell, on the day of the submission in France."""
    from datetime import UTC, date, datetime

    from diagnostics.models import Diagnostic

    Diagnostic.objects.filter(pk=submitted.pk).update(
        submitted_at=datetime(2025, 3, 1, 23, 30, tzinfo=UTC)
    )
    response = client_for(advisor).get(reverse("advisors:portfolio_export"), {"format": "xlsx"})
    header, row = next(iter(sheet_rows(response).values()))
    assert row[header.index("Dernier diagnostic")].date() == date(2025, 3, 2)


def test_display_quarter_reads_q_in_english_and_t_in_french():
    from accounts.i18n import display_quarter

    assert display_quarter("2026-T4", "en") == "2026-Q4"
    assert display_quarter("2026-T4", "fr") == "2026-T4"
    assert display_quarter("", "en") == ""
    assert display_quarter("year1", "en") == "year1"


def test_company_export_writes_the_quarter_in_its_language(submitted, advisor, client_for):
    from reports.models import PlanItem

    lines = PlanItem.objects.filter(plan__diagnostic=submitted)
    lines.update(target_quarter="2026-T4")
    client = client_for(advisor)
    english = company_export(client, submitted.company, "xlsx", "en")
    header, *plan = english["Action plan"]
    assert plan
    assert {row[header.index("Target quarter")] for row in plan} == {"2026-Q4"}
    french = company_export(client, submitted.company, "xlsx")
    header, *plan = french["Plan d’action"]
    assert {row[header.index("Trimestre visé")] for row in plan} == {"2026-T4"}
    assert set(lines.values_list("target_quarter", flat=True)) == {"2026-T4"}  # as stored


def test_observatory_funding_by_quarter_reads_q_in_english(submit_companies, settings, client_for):
    from reports.models import PlanItem

    settings.BENCHMARK_MIN_COMPANIES = 1
    submit_companies(1)
    PlanItem.objects.update(target_quarter="2026-T4")
    refresh_observatory()
    client = client_for(UserFactory(is_staff=True))
    client.cookies["django_language"] = "en"
    sheets = sheet_rows(
        client.get(reverse("observatory:export"), {"table": "funding", "format": "xlsx"})
    )
    rows = [row for row in sheets["By quarter"][1:] if row[0] == "2026-T4"]
    assert rows  # the key as stored
    assert {row[1] for row in rows} == {"2026-Q4"}


def test_table_exports_say_what_they_count_and_as_of_when(
    submit_companies, settings, client_for, advisor
):
    """A file forwarded on its own keeps its meaning: its first sheet (its first lines in
    CSV) gives the selection, whose companies, the threshold, the refresh the figures come
    from and, for the funding forecast, that the amounts are estimates to confirm."""
    from django.utils import timezone

    from accounts.branches import branch_label
    from observatory.models import Aggregate

    settings.BENCHMARK_MIN_COMPANIES = 2
    followed = submit_companies(2, region="84", idcc="3248")
    submit_companies(2, region="11", idcc="0292")
    refresh_observatory()
    refreshed = Aggregate.objects.values_list("refreshed_at", flat=True).first()
    local = timezone.localtime(refreshed)
    url = reverse("observatory:export")
    chosen = {"table": "funding", "format": "xlsx", "region": "84", "branch": "3248"}

    operator = client_for(UserFactory(is_staff=True))
    sheets = sheet_rows(operator.get(url, chosen))
    assert next(iter(sheets)) == "Sélection"
    about = dict(sheets["Sélection"])
    assert about["Tableau"] == "Prévision de financement"
    assert about["Questionnaire"] == "Petit questionnaire"
    assert about["Période (année de validation)"] == "Toutes les périodes"
    assert about["Région"] == "Auvergne-Rhône-Alpes"
    assert about["Branche (convention collective)"] == branch_label("3248")
    assert about["Entreprises comptées"] == (
        f"Toutes les entreprises du secteur de la branche {branch_label('3248')} "
        "et de la région Auvergne-Rhône-Alpes."
    )
    assert about["Seuil"] == "Aucun chiffre n’est affiché pour moins de 2 entreprises."
    # A spreadsheet's date cell has no time zone: the time in France, to the minute.
    assert about["Dernière actualisation"] == local.replace(second=0, microsecond=0, tzinfo=None)
    assert about["Estimations"].startswith("Estimations indicatives")
    assert about["Exporté le"].date() == timezone.localdate()

    needs = sheet_rows(operator.get(url, {"table": "needs", "format": "xlsx"}))
    about = dict(needs["Sélection"])
    assert about["Tableau"] == "Besoins de formation"
    assert about["Région"] == "Toutes les régions"
    assert about["Branche (convention collective)"] == "Toutes les branches"
    assert about["Entreprises comptées"] == "Toutes les entreprises du secteur."
    assert "Estimations" not in about

    # An advisor's file says it counts the portfolio only; the CSV opens with the same lines.
    for company in followed:
        company.advisors.add(advisor)
    response = client_for(advisor).get(url, {"table": "needs", "format": "csv"})
    lines = b"".join(response.streaming_content).decode().lstrip("\ufeff").splitlines()
    assert lines[:2] == ["Sélection", "Tableau;Besoins de formation"]
    assert "Entreprises comptées;Uniquement les entreprises de votre portefeuille." in lines
    assert f"Dernière actualisation;{local:%Y-%m-%d %H:%M}:00" in lines
