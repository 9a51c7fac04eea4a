"""Lines that no funding route covers: why is said once, in numbered notes above the plan
(PDF, plan page, advisor's review), and each such line links to its note."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from reports.document import report_context
from reports.models import ActionPlan, FundingRules
from reports.pdf import render_pdf
from tests.reports.test_pdf import pdf_text, squeeze
from tests.reports.test_plan import plan_url

ROOT = Path(__file__).resolve().parents[2]
SIZE = "Pas de financement pour une entreprise de 250 à 499 salariés"


def _by_size(rows):
    return [r for r in rows if r["best_route"] and r["best_route"]["reason"].startswith(SIZE)]


def test_why_a_line_gets_no_funding_is_said_once_above_the_plan(large):
    """A company of 250 to 499 employees gets nothing from the skills development plan's
    funds: every line funded only that way would repeat the same sentence in its narrow
    cell. Each reason is said once, in a numbered note above the plan; each such line names
    its route, links to its note and still gives its remaining cost."""
    with translation.override("fr"):
        context = report_context(large, "fr", 1)
        html = render_to_string("reports/pdf.html", context)
    by_size = _by_size(context["plan_now"])
    assert len(by_size) == 2
    notes = context["funding_notes"]
    assert notes[0]["number"] == 1
    assert notes[0]["reason"].startswith(SIZE)
    assert [n["number"] for n in notes] == list(range(1, len(notes) + 1))
    assert len({(n["route"], n["reason"]) for n in notes}) == len(notes)
    assert all(row["funding_note"] == 1 for row in by_size)
    assert html.count(SIZE) == 1
    assert html.count('href="#funding-note-1"') == 2
    assert html.count('id="funding-note-1"') == 1
    text = squeeze(pdf_text(render_pdf(html)))
    assert text.count(squeeze(SIZE)) == 1
    assert squeeze("Plan de développement des compétences : non éligible. " + SIZE) in text
    assert text.count(squeeze("Plan de développement des compétences : non éligible1")) == 2
    for row in by_size:
        assert (row["remaining_min"], row["remaining_max"]) == (row["cost_min"], row["cost_max"])
        assert squeeze(f"Reste à charge : {row['cost_min']} – {row['cost_max']}") in text


@pytest.mark.parametrize("where", ["plan", "review"])
def test_the_plan_page_and_the_review_say_why_once_and_link_each_line(
    large, company_a, advisor, client_for, where
):
    """The plan page and the advisor's review show "0 €" for such a line: a number beside
    it links to the note that says why, above the tables."""
    if where == "plan":
        url, user = plan_url(large), company_a.admin
    else:
        url, user = reverse("advisors:review", args=[large.public_id]), advisor
    html = client_for(user).get(url).content.decode()
    assert html.count("non éligible. " + SIZE) == 1
    if where == "review":  # the plan page's line details list every route with its reason
        assert html.count(SIZE) == 1
    notes = html.split("data-funding-notes", 1)[1].split("</div>", 1)[0]
    assert SIZE in notes
    assert 'id="funding-note-1"' in notes
    assert html.count('href="#funding-note-1"') == 2
    assert 'aria-label="pourquoi : note 1"' in html


def test_lines_that_a_route_funds_have_no_funding_note(funding_rules, submitted):
    """A line funded by its best route has no note; without funding rules there is no note
    at all (nothing is estimated)."""
    with translation.override("fr"):
        context = report_context(submitted, "fr", 1)
    funded = [r for r in context["plan_now"] if r["best_route"]["eligible"]]
    assert funded
    assert all("funding_note" not in r for r in funded)
    ActionPlan.objects.filter(diagnostic=submitted).update(funding_rules=None)
    with translation.override("fr"):
        context = report_context(submitted, "fr", 1)
        html = render_to_string("reports/pdf.html", context)
    assert context["funding_notes"] == []
    assert "funding-note" not in html


OTHERWISE = "l’OPCO ne peut financer ces formations au titre du plan que sur les contributions"
LEGAL_SOURCE = "article-l6332-1-2"


def test_the_pdf_says_once_what_a_larger_company_may_use_instead(large_v3):
    """The reason a route gives nothing comes with what the company may still do: its
    branch's conventional contributions or its voluntary contributions, to be confirmed
    with its OPCO. On paper the text cites its article; the link stays on the web pages."""
    for language, expected, confirm in (
        ("fr", OTHERWISE, "(à confirmer auprès de votre OPCO)"),
        ("en", "the OPCO can fund this training under the plan only from", "(to be confirmed"),
    ):
        with translation.override(language):
            context = report_context(large_v3, language, 1)
            html = render_to_string("reports/pdf.html", context)
        assert context["funding_notes"][0]["otherwise"]["uncertain"] is True
        assert html.count(expected) == 1
        assert LEGAL_SOURCE not in html
        notes = html.split("data-funding-notes", 1)[1].split("</div>", 1)[0]
        assert expected in notes
        assert confirm in notes
    text = squeeze(pdf_text(render_pdf(html)))
    assert squeeze("(French Labour Code, art. L. 6332-1-2)") in text


@pytest.mark.parametrize("where", ["plan", "review"])
def test_the_pages_say_what_a_larger_company_may_use_instead_with_its_source(
    large_v3, company_a, advisor, client_for, where
):
    if where == "plan":
        url, user = plan_url(large_v3), company_a.admin
    else:
        url, user = reverse("advisors:review", args=[large_v3.public_id]), advisor
    html = client_for(user).get(url).content.decode()
    notes = html.split("data-funding-notes", 1)[1].split("</div>", 1)[0]
    assert OTHERWISE in notes
    assert "(à confirmer auprès de votre OPCO)" in notes
    assert LEGAL_SOURCE in notes
    if where == "plan":  # and in the details of each line the plan's funds refuse
        assert html.count(OTHERWISE) == 3
        # after the route's reason and its source, each statement with its own source
        assert html.count('financer-projets/" rel="noopener noreferrer">source</a>. À partir') == 2


def test_a_route_that_funds_the_line_says_nothing_of_what_else_to_use(funding_rules, submitted):
    """A company of 10 to 49 employees is funded by the plan: no "otherwise" text."""
    rules, _ = FundingRules.publish(
        text=(ROOT / "reports/funding/funding-2026-v3.yaml").read_text()
    )
    ActionPlan.objects.filter(diagnostic=submitted).update(funding_rules=rules)
    with translation.override("fr"):
        context = report_context(submitted, "fr", 1)
        html = render_to_string("reports/pdf.html", context)
    assert all(r["best_route"]["otherwise"] is None for r in context["plan_now"])
    assert OTHERWISE not in html
