from __future__ import annotations

import csv
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import Company
from diagnostics.models import Score
from reports import services
from reports.models import ActionPlan
from tests.factories import CompanyFactory

from .helpers import follow_many


def portfolio_url():
    return reverse("advisors:portfolio")


@pytest.mark.quality("S3")
def test_advisor_sees_portfolio_companies_only(client_for, advisor, company_a, company_b):
    response = client_for(advisor).get(portfolio_url())
    assert response.status_code == 200
    assert company_a.company.name in response.text
    assert company_b.company.name not in response.text


@pytest.mark.quality("S3")
def test_advisor_gets_404_outside_the_portfolio(client_for, advisor, company_a, company_b):
    client = client_for(advisor)
    ok = client.get(reverse("advisors:company", args=[company_a.company.public_id]))
    assert ok.status_code == 200
    assert company_a.member.full_name in ok.text
    other = client.get(reverse("advisors:company", args=[company_b.company.public_id]))
    assert other.status_code == 404


def test_closed_companies_leave_the_portfolio(client_for, advisor, company_a):
    Company.objects.filter(pk=company_a.company.pk).update(closed_at=timezone.now())
    response = client_for(advisor).get(portfolio_url())
    assert company_a.company.name not in response.text


def test_advisor_without_company_lands_on_portfolio(client_for, advisor):
    response = client_for(advisor).get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("advisors:portfolio")


def test_unflagged_user_cannot_use_advisor_pages(client_for, company_a):
    client = client_for(company_a.admin)
    company_a.company.advisors.add(company_a.admin)  # an assignment without the flag gives nothing
    assert client.get(portfolio_url()).status_code == 403
    assert client.get(reverse("advisors:queue")).status_code == 403
    # A company's advisor page is an object: 404 to whoever may not see it.
    assert (
        client.get(reverse("advisors:company", args=[company_a.company.public_id])).status_code
        == 404
    )


@pytest.mark.parametrize("name", ["advisors:portfolio", "advisors:queue"])
def test_advisor_lists_refuse_post(client_for, advisor, name):
    assert client_for(advisor).post(reverse(name)).status_code == 405


@pytest.mark.quality("S3")
def test_advisor_reaches_the_results_and_plan_of_a_followed_company(
    client_for, advisor, company_a, diagnostic
):
    from diagnostics import services as diagnostic_services

    diagnostic_services.submit_diagnostic(diagnostic=diagnostic, user=company_a.admin)
    page = client_for(advisor).get(reverse("advisors:company", args=[company_a.company.public_id]))
    assert reverse("diagnostics:results", args=[diagnostic.public_id]) in page.text
    assert reverse("reports:plan", args=[diagnostic.public_id]) in page.text


def test_row_shows_the_index_its_change_the_plan_figures_and_the_review(
    client_for, advisor, company_a, submitted, small_questionnaire
):
    plan = ActionPlan.objects.get(diagnostic=submitted)
    Score.objects.filter(diagnostic=submitted, level="overall").update(score=62.4)
    client = client_for(advisor)
    page = client.get(portfolio_url()).text
    assert "62" in page
    assert "700 – 1 100" in page.replace("\u202f", " ").replace("\xa0", " ")
    assert reverse("advisors:review", args=[submitted.public_id]) in page  # to review
    services.advisor_review(plan=plan, advisor=advisor, comment="", validate=False)
    ActionPlan.objects.filter(pk=plan.pk).update(validated_at=timezone.now())
    page = client.get(portfolio_url(), {"status": "validated"}).text
    assert company_a.company.name in page
    assert "Validé" in page or "Validated" in page
    page = client.get(portfolio_url(), {"status": "to_review"}).text
    assert company_a.company.name not in page


def test_row_says_which_first_year_lines_its_funding_leaves_out(
    client_for, advisor, company_a, submitted
):
    """A company whose first-year lines include eligible ones with no amount (kept with
    the plan's figures) reads "excluding 3 lines not estimated" under its funding, and its
    export counts them in a last column; a company without any says nothing."""
    client = client_for(advisor)
    client.cookies["django_language"] = "en"
    assert "data-uncosted" not in client.get(portfolio_url()).text
    ActionPlan.objects.filter(diagnostic=submitted).update(year1_uncosted_lines=3)
    page = client.get(portfolio_url()).text
    row = next(r for r in re.findall(r"<tr>.*?</tr>", page, re.S) if company_a.company.name in r)
    cost, funding, _remaining = re.findall(r'<td class="text-end">(.*?)</td>', row, re.S)[1:]
    assert cost.startswith("700")
    assert funding.endswith(
        '<br><span class="small" data-uncosted>excluding 3 lines not estimated</span>'
    )
    header, *rows = exported(client, reverse("advisors:portfolio_export"))
    assert header[-1] == "Year-one lines whose funding is not estimated"
    row = next(r for r in rows if r[0] == company_a.company.name)
    assert row[-1] == "3"


def test_change_since_the_previous_diagnostic(client_for, advisor, company_a, submitted, start):
    from diagnostics.models import Diagnostic

    newer = start(submitted.questionnaire)
    Diagnostic.objects.filter(pk=newer.pk).update(
        status="submitted", submitted_at=timezone.now(), results=submitted.results
    )
    Score.objects.filter(diagnostic=submitted, level="overall").update(score=40)
    Score.objects.create(
        company=company_a.company, diagnostic=newer, level="overall", code="overall", score=55
    )
    page = client_for(advisor).get(portfolio_url(), {"sort": "-change"}).text
    assert "+15" in page


def _unreliable(results):
    """Frozen results like `results`, but resting on too few known answers."""
    return {**results, "results": {**results["results"], "reliable": False}}


def _submit_copy(start, submitted, *, score, results, days_ago=0):
    """Another submitted diagnostic of the company, with its overall score."""
    from datetime import timedelta

    from diagnostics.models import Diagnostic

    other = start(submitted.questionnaire)
    Diagnostic.objects.filter(pk=other.pk).update(
        status="submitted",
        submitted_at=timezone.now() - timedelta(days=days_ago),
        results=results,
    )
    Score.objects.create(
        company=submitted.company, diagnostic=other, level="overall", code="overall", score=score
    )
    return other


def test_a_latest_diagnostic_with_too_few_known_answers_shows_no_index(
    client_for, advisor, company_a, submitted, start
):
    Score.objects.filter(diagnostic=submitted, level="overall").update(score=40)
    _submit_copy(start, submitted, score=77, results=_unreliable(submitted.results))
    client = client_for(advisor)
    client.cookies["django_language"] = "en"
    response = client.get(portfolio_url())
    row = next(c for c in response.context["page"] if c.pk == company_a.company.pk)
    assert (row.index, row.index_unreliable, row.change) == (None, True, None)
    assert '—<br><span class="small" data-unreliable>too few known answers</span>' in response.text
    assert ">77<" not in response.text
    header, *rows = exported(client, reverse("advisors:portfolio_export"))
    figures = dict(zip(header, rows[0], strict=True))
    assert (figures["Index /100"], figures["Change since the previous diagnostic"]) == ("", "")


def test_the_change_leaves_out_a_diagnostic_with_too_few_known_answers(
    client_for, advisor, company_a, submitted, start
):
    Score.objects.filter(diagnostic=submitted, level="overall").update(score=40)
    _submit_copy(start, submitted, score=90, results=_unreliable(submitted.results), days_ago=-1)
    latest = _submit_copy(start, submitted, score=55, results=submitted.results, days_ago=-2)
    response = client_for(advisor).get(portfolio_url())
    row = next(c for c in response.context["page"] if c.pk == company_a.company.pk)
    assert row.submitted_id == latest.pk
    assert (row.index, row.index_unreliable, row.change) == (55, False, 15)  # since the 40
    assert "data-unreliable" not in response.text


def test_the_review_queue_shows_no_index_without_enough_known_answers(
    client_for, advisor, company_a, submitted
):
    from diagnostics.models import Diagnostic

    Diagnostic.objects.filter(pk=submitted.pk).update(results=_unreliable(submitted.results))
    Score.objects.filter(diagnostic=submitted, level="overall").update(score=62.4)
    client = client_for(advisor)
    client.cookies["django_language"] = "en"
    response = client.get(reverse("advisors:queue"))
    (row,) = response.context["page"]
    assert (row.index, row.scores_reliable) == (None, False)
    assert '—<br><span class="small" data-unreliable>too few known answers</span>' in response.text
    assert ">62<" not in response.text


def test_filters_search_and_sort(client_for, advisor, company_a):
    other = CompanyFactory(name="Fonderie du Nord", naf_code="24.51Z", region="32")
    food = CompanyFactory(name="Biscuiterie", naf_code="10.72Z", headcount_band="1_9")
    shop = CompanyFactory(name="Boutique", naf_code="47.11A")
    for c in (other, food, shop):
        c.advisors.add(advisor)
    client = client_for(advisor)

    def names(**params):
        text = client.get(portfolio_url(), params).text
        return {c.name for c in (company_a.company, other, food, shop) if c.name in text}

    assert names(sector="C") == {company_a.company.name, other.name, food.name}
    assert names(sector="10") == {food.name}
    assert names(region="32") == {other.name}
    assert names(band="1_9") == {food.name}
    assert names(q="fonderie") == {other.name}
    assert names(q=f"{other.siret[:9]} {other.siret[9:]}") == {other.name}
    assert names(status="none") == {company_a.company.name, other.name, food.name, shop.name}
    page = client.get(portfolio_url(), {"sort": "name"}).text
    assert page.index("Biscuiterie") < page.index("Boutique") < page.index("Fonderie")


def test_the_in_progress_filter_finds_a_new_diagnostic_after_a_reviewed_one(
    client_for, advisor, company_a, submitted, start, en
):
    """The list shows the latest diagnostic: one in progress after a submitted one is found
    by "Diagnostic in progress", whatever the review of the one before."""
    client = client_for(advisor)
    assert company_a.company.name not in client.get(portfolio_url(), {"status": "draft"}).text
    start(submitted.questionnaire)
    page = client.get(portfolio_url(), {"status": "draft"}).text
    assert company_a.company.name in page
    assert company_a.company.name in client.get(portfolio_url(), {"status": "to_review"}).text


def test_a_filter_that_matches_nothing_says_so(client_for, advisor, company_a, en):
    page = client_for(advisor).get(portfolio_url(), {"q": "no such company"}).text
    assert "data-no-match" in page
    assert "No company matches." in page


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"sector": "ZZ"}, "NAF section"),
        ({"region": "99"}, "99"),
        ({"sort": "siret; drop"}, "siret"),
        ({"since": "yesterday"}, "date"),
        ({"since": "2026-05-01", "until": "2026-01-01"}, "period"),
        ({"page": "x"}, "number"),
    ],
)
def test_bad_filter_input_is_400_with_a_message(client_for, advisor, en, params, message):
    response = client_for(advisor).get(portfolio_url(), params)
    assert response.status_code == 400
    assert message in response.text
    assert "data-no-match" not in response.text  # the form says what to correct, not this
    # The sector's suggestions stay as on the page: a code and its label.
    assert '<option value="C">C — Manufacturing</option>' in response.text


@pytest.fixture
def en(client):
    client.cookies["django_language"] = "en"
    return client


def test_pages_of_fifty(client_for, advisor, small_questionnaire, catalogue, submitted):
    follow_many(
        advisor,
        60,
        questionnaire=small_questionnaire,
        catalogue=catalogue,
        results=submitted.results,
    )
    client = client_for(advisor)
    first = client.get(portfolio_url(), {"sort": "name"}).text
    assert "Bulk 00049" in first
    assert "Bulk 00050" not in first
    second = client.get(portfolio_url(), {"sort": "name", "page": 2}).text
    assert "Bulk 00050" in second


@pytest.mark.quality("P2")
def test_portfolio_runs_the_same_queries_for_10_and_1000_companies(
    client_for, advisor, small_questionnaire, catalogue, submitted
):
    kwargs = {"questionnaire": small_questionnaire, "catalogue": catalogue}
    follow_many(advisor, 10, results=submitted.results, **kwargs)
    client = client_for(advisor)
    params = {"sort": "-remaining", "status": "to_review", "sector": "C"}
    client.get(portfolio_url(), params)
    with CaptureQueriesContext(connection) as few:
        assert client.get(portfolio_url(), params).status_code == 200
    follow_many(advisor, 990, results=submitted.results, start=10, **kwargs)
    with CaptureQueriesContext(connection) as many:
        response = client.get(portfolio_url(), params)
    assert len(many) == len(few)
    assert "1 001" in response.text.replace("\u202f", " ").replace("\xa0", " ") or (
        "1001" in response.text
    )


def exported(client, href: str) -> list[list[str]]:
    response = client.get(href)
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode().removeprefix("\ufeff")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def test_the_page_exports_what_it_lists_with_every_page(
    client_for, advisor, company_a, submitted, small_questionnaire, catalogue
):
    """The links carry the page's filters and order; the file holds every page of the list
    and the page's figures, each end of a range in its own column."""
    follow_many(
        advisor,
        60,
        questionnaire=small_questionnaire,
        catalogue=catalogue,
        results=submitted.results,
    )
    Score.objects.filter(diagnostic=submitted, level="overall").update(score=62.4)
    Company.objects.filter(pk=company_a.company.pk).update(idcc="3248")
    client = client_for(advisor)
    page = client.get(portfolio_url(), {"q": "Bulk", "sort": "name"}).text
    links = [
        href.replace("&amp;", "&")
        for href in re.findall(r'href="([^"]*)"', page)
        if href.startswith(reverse("advisors:portfolio_export"))
    ]
    assert len(links) == 2
    assert all("q=Bulk" in href and "sort=name" in href for href in links)
    header, *rows = exported(client, next(h for h in links if h.endswith("format=csv")))
    assert len(rows) == 60  # the 60 companies found, not the first page of 50
    assert [r[0] for r in rows] == sorted(r[0] for r in rows)
    assert company_a.company.name not in {r[0] for r in rows}  # filtered out
    header, *rows = exported(client, reverse("advisors:portfolio_export"))
    row = next(r for r in rows if r[0] == company_a.company.name)
    figures = dict(zip(header, row, strict=True))
    assert figures["Indice /100"] == "62,4"  # a French CSV: a decimal comma
    assert figures["IDCC"] == "3248"  # the branch, which the page leaves out
    assert (
        figures["Coût année 1 (bas)"],
        figures["Coût année 1 (haut)"],
    ) == (
        "700",
        "1100",
    )
    assert figures["Relecture"] == "À relire"
    xlsx = client.get(reverse("advisors:portfolio_export"), {"format": "xlsx"})
    book = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)))
    header, *cells = book.active.iter_rows(values_only=True)
    assert len(cells) == 61
    row = next(r for r in cells if r[0] == company_a.company.name)
    assert isinstance(row[header.index("Coût année 1 (haut)")], int)


def test_a_bad_export_format_is_400_with_a_message(client_for, advisor, en):
    response = client_for(advisor).get(reverse("advisors:portfolio_export"), {"format": "pdf"})
    assert response.status_code == 400
    assert "File format" in response.text


def test_the_company_page_links_its_export(client_for, advisor, company_a, submitted):
    client = client_for(advisor)
    page = client.get(reverse("advisors:company", args=[company_a.company.public_id])).text
    export = reverse("observatory:company_export", args=[company_a.company.public_id])
    assert f'href="{export}?format=csv"' in page
    assert f'href="{export}?format=xlsx"' in page
    assert client.get(f"{export}?format=csv").status_code == 200
