"""Funding request reminders: a month before the quarter an accepted line is planned for,
the company's administrators are e-mailed the lines whose request is still to file."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, User
from reports import services
from reports.document import plan_rows
from reports.models import ActionPlan, PlanItem
from reports.quarters import quarter_of
from reports.tasks import (
    due_quarters,
    remind_funding_requests,
    send_funding_request_reminders,
)
from tests.conftest import wait_for
from tests.factories import MembershipFactory

TODAY = timezone.localdate
DUE = lambda: quarter_of(TODAY() + timedelta(days=20))  # noqa: E731 - due now or within a month
LATER = lambda: quarter_of(TODAY() + timedelta(days=200))  # noqa: E731 - starts 109+ days ahead
OVER = lambda: quarter_of(TODAY() - timedelta(days=200))  # noqa: E731 - ended 109+ days ago


@pytest.fixture
def plan(funding_rules, submitted):
    return ActionPlan.objects.get(diagnostic=submitted)


@pytest.fixture
def line(plan):
    """An accepted line of the first 12 months that a route funds, planned for a quarter
    whose request is due."""
    rows, _totals = plan_rows(plan, "fr")
    row = next(r for r in rows if r["best_route"] and r["best_route"]["eligible"])
    PlanItem.objects.filter(pk=row["pk"]).update(
        status="accepted", horizon="year1", target_quarter=DUE()
    )
    services.refresh_year1_summary(plan)
    return PlanItem.objects.select_related("action").get(pk=row["pk"])


@pytest.fixture
def eager(monkeypatch):
    monkeypatch.setattr(
        "reports.tasks.remind_funding_requests.delay",
        lambda plan_id: remind_funding_requests(plan_id),
    )


def test_a_request_is_due_in_its_quarter_and_the_month_before():
    assert due_quarters(date(2027, 2, 14)) == ["2027-T1"]
    assert due_quarters(date(2027, 3, 2)) == ["2027-T1", "2027-T2"]
    assert due_quarters(date(2027, 12, 5)) == ["2027-T4", "2028-T1"]
    assert quarter_of(date(2027, 9, 30)) == "2027-T3"


def test_the_admins_are_reminded_once_of_the_requests_due(
    plan, line, company_a, eager, funding_rules
):
    english = MembershipFactory(company=company_a.company, role=Membership.Role.ADMIN).user
    english.preferred_language = "en"
    english.save()
    assert send_funding_request_reminders() == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted([company_a.admin.email, english.email])
    french = next(m for m in mail.outbox if m.to == [company_a.admin.email])
    assert french.subject == (
        f"{company_a.company.name} : une demande de prise en charge à déposer auprès de votre OPCO"
    )
    title = next(r for r in plan_rows(plan, "fr")[0] if r["pk"] == line.pk)["action_title"]
    assert f"- {title} ({line.target_quarter}) : Plan de développement des compétences" in (
        french.body
    )
    assert "le délai exact est à confirmer auprès de votre OPCO" in french.body
    assert reverse("reports:plan", args=[plan.diagnostic.public_id]) in french.body
    token = re.search(r"/reminders/([^/\s]+)/unsubscribe/", french.body).group(1)
    assert User.from_reminders_token(token) == company_a.admin
    assert french.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert (
        "funding request to file with your OPCO"
        in next(m for m in mail.outbox if m.to == [english.email]).subject
    )
    assert PlanItem.objects.get(pk=line.pk).request_reminded_at is not None
    mail.outbox.clear()
    assert send_funding_request_reminders() == 0  # the next day: already reminded
    assert remind_funding_requests(plan.pk) == 0  # a second delivery: nothing
    assert mail.outbox == []


@pytest.mark.parametrize(
    "change",
    [
        {"target_quarter": ""},  # no quarter: the home page asks, not the mail
        {"status": "proposed"},
        {"horizon": "later"},
        {"funding_requested_on": date(2026, 11, 2)},
    ],
)
def test_only_accepted_first_year_lines_without_a_request_are_due(plan, line, eager, change):
    PlanItem.objects.filter(pk=line.pk).update(**change)
    assert send_funding_request_reminders() == 0
    assert mail.outbox == []


def test_the_quarter_decides_when_the_request_is_due(plan, line, eager):
    PlanItem.objects.filter(pk=line.pk).update(target_quarter=LATER())
    assert send_funding_request_reminders() == 0
    PlanItem.objects.filter(pk=line.pk).update(target_quarter=OVER())
    assert send_funding_request_reminders() == 0
    assert mail.outbox == []


def test_a_closed_company_and_an_unsubscribed_admin_get_nothing(plan, line, company_a, eager):
    company_a.admin.stop_reminders()
    assert send_funding_request_reminders() == 1
    assert mail.outbox == []  # the only admin unsubscribed; the line is marked all the same
    PlanItem.objects.filter(pk=line.pk).update(request_reminded_at=None)
    company_a.company.closed_at = timezone.now()
    company_a.company.save()
    assert send_funding_request_reminders() == 0
    assert remind_funding_requests(plan.pk) == 0  # enqueued before the closure


def test_a_failed_send_is_retried_not_lost(plan, line, monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("SMTP server unreachable")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    with pytest.raises(OSError, match="unreachable"):
        remind_funding_requests(plan.pk)
    assert PlanItem.objects.get(pk=line.pk).request_reminded_at is None  # rolled back
    monkeypatch.undo()
    assert remind_funding_requests(plan.pk) == 1


@pytest.mark.live_worker
def test_the_worker_sends_the_request_reminders(live_worker, plan, line, company_a):
    send_funding_request_reminders.delay()
    wait_for(
        lambda: PlanItem.objects.filter(pk=line.pk, request_reminded_at__isnull=False).exists()
    )
    mails = wait_for(lambda: list((live_worker.var_dir / "mail").glob("*.log")))
    body = "".join(m.read_text() for m in mails)
    assert company_a.admin.email in body
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in body


def assert_reads_no_yaml_source_and_each_language_once(remind, plan, company) -> None:
    """`remind(plan.pk)` e-mails an English and a French admin of `company`, reading no
    document source and no frozen results (the e-mail lists lines, not their reasons), and
    the plan's lines once for both languages."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    MembershipFactory(company=company.company, role=Membership.Role.ADMIN)  # French too
    with CaptureQueriesContext(connection) as queries:
        assert remind(plan.pk) == 2
    assert not [q["sql"] for q in queries.captured_queries if '."source"' in q["sql"]]
    assert not [q["sql"] for q in queries.captured_queries if '."results"' in q["sql"]]
    lines_read = [q for q in queries.captured_queries if 'FROM "reports_planitem"' in q["sql"]]
    assert len(lines_read) == 2  # the due lines locked, then the plan's lines once


def test_the_reminder_reads_no_yaml_source_and_each_language_once(plan, line, company_a):
    assert_reads_no_yaml_source_and_each_language_once(remind_funding_requests, plan, company_a)
    assert len({m.body.split("\n\n")[1] for m in mail.outbox}) == 1  # the same lines listed
