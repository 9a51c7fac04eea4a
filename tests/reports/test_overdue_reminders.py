"""Reminders of accepted lines whose target quarter is over: two weeks after the quarter's
end, the company's administrators are e-mailed the lines still accepted, to mark each done
or give it a new quarter; once a line and quarter."""

from __future__ import annotations

import re
from datetime import date, timedelta
from unittest import mock

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, User
from reports.document import plan_rows
from reports.models import ActionPlan, PlanItem
from reports.quarters import quarter_of
from reports.tasks import (
    OVERDUE_GRACE_DAYS,
    remind_overdue_lines,
    send_overdue_line_reminders,
)
from tests.conftest import wait_for
from tests.factories import MembershipFactory
from tests.reports.test_request_reminders import (
    assert_reads_no_yaml_source_and_each_language_once,
)

TODAY = timezone.localdate


def _over(days: int = 120) -> str:
    """The quarter of `days` ago: over, and over for more than two weeks, at 120."""
    return quarter_of(TODAY() - timedelta(days=days))


@pytest.fixture
def plan(funding_rules, submitted):
    return ActionPlan.objects.get(diagnostic=submitted)


@pytest.fixture
def line(plan):
    """An accepted line planned for a quarter over for more than two weeks."""
    item = PlanItem.objects.filter(plan=plan).order_by("position").first()
    PlanItem.objects.filter(pk=item.pk).update(status="accepted", target_quarter=_over())
    return PlanItem.objects.select_related("action").get(pk=item.pk)


@pytest.fixture
def eager(monkeypatch):
    monkeypatch.setattr(
        "reports.tasks.remind_overdue_lines.delay",
        lambda plan_id: remind_overdue_lines(plan_id),
    )


def test_the_admins_are_reminded_once_of_the_lines_past_their_quarter(plan, line, company_a, eager):
    english = MembershipFactory(company=company_a.company, role=Membership.Role.ADMIN).user
    english.preferred_language = "en"
    english.save()
    assert send_overdue_line_reminders() == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted([company_a.admin.email, english.email])
    french = next(m for m in mail.outbox if m.to == [company_a.admin.email])
    assert french.subject == (
        f"{company_a.company.name} : une formation prévue pour un trimestre passé, à mettre à jour"
    )
    title = next(r for r in plan_rows(plan, "fr")[0] if r["pk"] == line.pk)["action_title"]
    assert f"- {title} ({line.target_quarter})" in french.body
    assert "marquez comme réalisée chaque formation qui a eu lieu" in french.body
    url = reverse("reports:plan", args=[plan.diagnostic.public_id]) + "#overdue-lines"
    assert url in french.body
    token = re.search(r"/reminders/([^/\s]+)/unsubscribe/", french.body).group(1)
    assert User.from_reminders_token(token) == company_a.admin
    assert french.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    english_mail = next(m for m in mail.outbox if m.to == [english.email])
    assert "a training planned for a past quarter, to update" in english_mail.subject
    assert PlanItem.objects.get(pk=line.pk).overdue_reminded_for == line.target_quarter
    mail.outbox.clear()
    assert send_overdue_line_reminders() == 0  # the next day: already reminded
    assert remind_overdue_lines(plan.pk) == 0  # a second delivery: nothing
    assert mail.outbox == []


def test_a_line_given_a_new_quarter_is_reminded_again_once_that_one_is_over(plan, line, eager):
    assert send_overdue_line_reminders() == 1
    PlanItem.objects.filter(pk=line.pk).update(target_quarter=quarter_of(TODAY()))
    assert send_overdue_line_reminders() == 0  # its new quarter is not over
    later = TODAY() + timedelta(days=100 + OVERDUE_GRACE_DAYS)
    with mock.patch("django.utils.timezone.localdate", return_value=later):
        assert send_overdue_line_reminders() == 1
    assert len(mail.outbox) == 2
    assert quarter_of(TODAY()) in mail.outbox[1].body
    assert PlanItem.objects.get(pk=line.pk).overdue_reminded_for == quarter_of(TODAY())


@pytest.mark.parametrize(
    "change",
    [
        {"status": "done"},
        {"status": "proposed"},
        {"status": "postponed"},
        {"status": "dropped", "drop_reason": "Déjà suivie"},
        {"target_quarter": ""},  # no quarter: nothing is over
    ],
)
def test_only_accepted_lines_with_a_quarter_over_are_reminded(plan, line, eager, change):
    PlanItem.objects.filter(pk=line.pk).update(**change)
    assert send_overdue_line_reminders() == 0
    assert mail.outbox == []


def test_the_grace_period_decides_when_a_line_is_due(plan, line, eager):
    """Two weeks after a quarter's end: time to mark done a training of its last days."""
    ended = date(2027, 1, 1)  # 2026-T4 ended the day before
    PlanItem.objects.filter(pk=line.pk).update(target_quarter="2026-T4")
    for day, due in [
        (ended, 0),
        (ended + timedelta(days=OVERDUE_GRACE_DAYS - 1), 0),
        (ended + timedelta(days=OVERDUE_GRACE_DAYS), 1),
    ]:
        with mock.patch("django.utils.timezone.localdate", return_value=day):
            assert send_overdue_line_reminders() == due, day


def test_a_closed_company_and_an_unsubscribed_admin_get_nothing(plan, line, company_a, eager):
    company_a.admin.stop_reminders()
    assert send_overdue_line_reminders() == 1
    assert mail.outbox == []  # the only admin unsubscribed; the line is marked all the same
    PlanItem.objects.filter(pk=line.pk).update(overdue_reminded_for="")
    company_a.company.closed_at = timezone.now()
    company_a.company.save()
    assert send_overdue_line_reminders() == 0
    assert remind_overdue_lines(plan.pk) == 0  # enqueued before the closure


@pytest.mark.quality("R2")
def test_a_failed_send_is_retried_not_lost(plan, line, monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("SMTP server unreachable")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    with pytest.raises(OSError, match="unreachable"):
        remind_overdue_lines(plan.pk)
    assert PlanItem.objects.get(pk=line.pk).overdue_reminded_for == ""  # rolled back
    monkeypatch.undo()
    assert remind_overdue_lines(plan.pk) == 1


@pytest.mark.live_worker
def test_the_worker_sends_the_reminders_of_lines_past_their_quarter(
    live_worker, plan, line, company_a
):
    send_overdue_line_reminders.delay()
    wait_for(
        lambda: PlanItem.objects.filter(
            pk=line.pk, overdue_reminded_for=line.target_quarter
        ).exists()
    )
    mails = wait_for(lambda: list((live_worker.var_dir / "mail").glob("*.log")))
    body = "".join(m.read_text() for m in mails)
    assert company_a.admin.email in body
    assert "#overdue-lines" in body


def test_the_reminder_reads_no_yaml_source_and_each_language_once(plan, line, company_a):
    assert_reads_no_yaml_source_and_each_language_once(remind_overdue_lines, plan, company_a)
