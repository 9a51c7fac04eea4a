"""Accepted lines whose target quarter is over: the plan, the review, the PDF, the home and
the portfolio say so, and the plan and the home ask for each line to be marked done or
planned again."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from config import next_steps as steps
from diagnostics.models import Diagnostic
from reports import services
from reports.document import report_context
from reports.models import ActionPlan, PlanItem
from reports.quarters import is_past, quarter_of
from tests.reports.test_plan import plan_url
from tests.test_home import situation

BADGE = "échéance dépassée"


def _over() -> str:
    """A quarter that ended before today: last year's fourth one, or earlier."""
    return quarter_of(timezone.localdate() - timedelta(days=120))


@pytest.fixture
def plan(funding_rules, submitted):
    return ActionPlan.objects.get(diagnostic=submitted)


@pytest.fixture
def lines(plan):
    """The plan's two lines, accepted: the first for a quarter over, the second for this
    quarter. Only the first is overdue."""
    items = list(PlanItem.objects.filter(plan=plan).select_related("action").order_by("pk"))
    assert len(items) == 2
    for item, quarter in zip(items, [_over(), quarter_of(timezone.localdate())], strict=True):
        PlanItem.objects.filter(pk=item.pk).update(status="accepted", target_quarter=quarter)
    return items


def _text(response) -> str:
    return response.content.decode().replace("\xa0", " ").replace("\u202f", " ")


@pytest.mark.parametrize(
    ("quarter", "today", "over"),
    [
        ("2026-T4", date(2027, 1, 1), True),
        ("2026-T4", date(2026, 12, 31), False),
        ("2026-T3", date(2026, 10, 1), True),
        ("2027-T1", date(2026, 12, 31), False),
        ("", date(2027, 1, 1), False),
        ("year1", date(2027, 1, 1), False),
    ],
)
def test_a_quarter_is_over_from_the_first_day_of_the_next(quarter, today, over):
    assert is_past(quarter, today) is over


def test_the_plan_lists_the_accepted_lines_whose_quarter_is_over(
    plan, lines, client_for, company_a
):
    response = client_for(company_a.admin).get(plan_url(plan.diagnostic))
    page = _text(response)
    assert [row["pk"] for row in response.context["overdue"]] == [lines[0].pk]
    note = re.search(r'<div class="alert alert-warning" id="overdue-lines".*?</div>', page, re.S)
    assert note, "no note of the lines whose quarter is over"
    assert "1 ligne acceptée était prévue pour un trimestre passé" in note[0]
    assert "« Pourquoi, et modifier »" in note[0]
    assert f'href="#line-{lines[0].public_id}"' in note[0]
    assert f"#line-{lines[1].public_id}" not in note[0]
    # The badge on the line itself, and on no other.
    rows = {m[1]: m[2] for m in re.finditer(r'<tr id="line-([0-9a-f-]+)">(.*?)</tr>', page, re.S)}
    assert BADGE in rows[str(lines[0].public_id)]
    assert [pk for pk, html in rows.items() if BADGE in html] == [str(lines[0].public_id)]
    # A member, who cannot edit the plan, is told without being asked to.
    member_page = _text(client_for(company_a.member).get(plan_url(plan.diagnostic)))
    assert "1 ligne acceptée était prévue pour un trimestre passé." in member_page
    assert "donnez-lui un nouveau trimestre" not in member_page


def test_no_note_once_the_line_is_done_or_planned_again(plan, lines, client_for, company_a):
    client = client_for(company_a.admin)
    PlanItem.objects.filter(pk=lines[0].pk).update(
        target_quarter=quarter_of(timezone.localdate() + timedelta(days=100))
    )
    page = _text(client.get(plan_url(plan.diagnostic)))
    assert 'id="overdue-lines"' not in page
    assert BADGE not in page
    # Done, proposed or dropped, a line of a quarter over asks for nothing.
    for status in ("done", "proposed", "dropped", "postponed"):
        PlanItem.objects.filter(pk=lines[0].pk).update(target_quarter=_over(), status=status)
        page = _text(client.get(plan_url(plan.diagnostic)))
        assert 'id="overdue-lines"' not in page, status
        assert BADGE not in page, status


def test_the_advisor_s_review_shows_each_line_s_quarter_and_whether_it_is_over(
    plan, lines, client_for, advisor
):
    page = _text(
        client_for(advisor).get(reverse("advisors:review", args=[plan.diagnostic.public_id]))
    )
    rows = {
        m[1]: m[2] for m in re.finditer(r'<tr id="line-([0-9a-f-]+)"[^>]*>(.*?)</tr>', page, re.S)
    }
    assert _over() in rows[str(lines[0].public_id)]
    assert quarter_of(timezone.localdate()) in rows[str(lines[1].public_id)]
    assert [pk for pk, html in rows.items() if BADGE in html] == [str(lines[0].public_id)]


def test_the_pdf_says_which_target_quarter_is_over(plan, lines):
    with translation.override("fr"):
        html = render_to_string("reports/pdf.html", report_context(plan.diagnostic, "fr", 1))
    html = html.replace("\xa0", " ")
    assert html.count(f"Échéance : {_over()} (dépassée)") == 1
    assert f"Échéance : {quarter_of(timezone.localdate())}</span>" in html


# --- The home ------------------------------------------------------------------------------


def test_the_lines_whose_quarter_is_over_come_after_the_requests_and_before_the_others():
    base = {"members": 2, "last_submitted_on": date(2026, 10, 1), "has_plan": True}
    s = situation(**base, accepted_lines=3, overdue_lines=1, requests_to_file=1)
    assert steps.next_steps(s) == [
        steps.FILE_REQUESTS,
        steps.OVERDUE,
        steps.MARK_DONE,
        steps.REQUEST_PDF,
    ]
    # Every accepted line is over: nothing else to mark done once its training is over.
    s = situation(**base, accepted_lines=2, overdue_lines=2)
    assert steps.next_steps(s) == [steps.OVERDUE, steps.REQUEST_PDF]
    member = situation(**base, is_admin=False, accepted_lines=2, overdue_lines=2)
    assert steps.OVERDUE not in steps.next_steps(member)


def test_the_home_asks_for_the_lines_whose_quarter_is_over(plan, lines, client_for, company_a):
    PlanItem.objects.filter(pk=lines[1].pk).update(target_quarter=_over())  # two over now
    response = client_for(company_a.admin).get(reverse("home"))
    by_code = {step["code"]: step for step in response.context["steps"]}
    overdue = by_code[steps.OVERDUE]
    assert overdue["label"] == (
        "Marquer comme réalisées, ou replanifier, les 2 lignes acceptées dont le trimestre "
        "prévu est passé"
    )
    assert overdue["url"] == plan_url(plan.diagnostic) + "#overdue-lines"
    assert steps.MARK_DONE not in by_code  # both accepted lines are over
    PlanItem.objects.filter(pk=lines[1].pk).update(target_quarter=quarter_of(timezone.localdate()))
    by_code = {
        s["code"]: s for s in client_for(company_a.admin).get(reverse("home")).context["steps"]
    }
    assert "la ligne acceptée dont le trimestre prévu est passé" in by_code[steps.OVERDUE]["label"]
    assert by_code[steps.MARK_DONE]["label"] == (
        "Marquer la ligne acceptée comme réalisée une fois la formation terminée"
    )


def test_the_home_flags_an_earlier_plan_s_line_whose_quarter_is_over(
    plan, lines, client_for, company_a, submitted
):
    later = Diagnostic.objects.create(
        company=submitted.company,
        questionnaire=submitted.questionnaire,
        status=Diagnostic.Status.SUBMITTED,
        sector=submitted.sector,
        headcount_band=submitted.headcount_band,
        submitted_at=submitted.submitted_at + timedelta(days=1),
        results=submitted.results,
    )
    services.plan_for(later)  # the new diagnostic's plan, made from its answers
    response = client_for(company_a.admin).get(reverse("home"))
    earlier = {line["title"]: line for line in response.context["earlier_lines"]}
    assert len(earlier) == 2  # the two accepted lines, planned in the earlier plan
    assert sorted(line["overdue"] for line in earlier.values()) == [False, True]
    page = _text(response)
    listed = re.search(r"<ul [^>]*data-earlier-lines>.*?</ul>", page, re.S)[0]
    assert listed.count(BADGE) == 1


# --- The advisor's portfolio ---------------------------------------------------------------


def test_the_portfolio_counts_shows_sorts_and_exports_the_lines_past_their_quarter(
    plan, lines, client_for, advisor, company_a
):
    from tests.advisors.test_portfolio import exported
    from tests.factories import MembershipFactory

    other = MembershipFactory(role="admin", company__name="AAA Première").company
    other.advisors.add(advisor)
    client = client_for(advisor)
    rows = list(client.get(reverse("advisors:portfolio")).context["page"])
    assert [(c.pk, c.overdue_lines) for c in rows] == [
        (other.pk, 0),
        (company_a.company.pk, 1),
    ]
    page = _text(client.get(reverse("advisors:portfolio")))
    assert "1 ligne acceptée à échéance dépassée" in page
    by_overdue = client.get(reverse("advisors:portfolio"), {"sort": "-overdue"})
    assert [c.pk for c in by_overdue.context["page"]] == [company_a.company.pk, other.pk]
    header, *cells = exported(client, reverse("advisors:portfolio_export") + "?sort=-overdue")
    figures = dict(zip(header, cells[0], strict=True))
    assert figures["Lignes acceptées à échéance dépassée"] == "1"
    # Done, the line no longer counts; an earlier plan's accepted line would.
    PlanItem.objects.filter(pk=lines[0].pk).update(status="done")
    rows = client.get(reverse("advisors:portfolio")).context["page"]
    assert {c.pk: c.overdue_lines for c in rows}[company_a.company.pk] == 0
