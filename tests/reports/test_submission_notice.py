"""The advisors who follow a company are told by e-mail when it submits a diagnostic,
with the link to review it: once per diagnostic, after the commit, never for others."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from diagnostics.models import Diagnostic
from reports import services as report_services
from reports.tasks import enqueue_submission_notice, notify_advisors_of_submission
from tests.factories import UserFactory, save_answers


def answer_and_submit(diagnostic, company):
    save_answers(diagnostic, company.member)
    return report_services.submit(diagnostic=diagnostic, user=company.admin)


@pytest.mark.quality("R1")
def test_the_notice_is_enqueued_once_after_the_commit(
    company_a, diagnostic, catalogue, django_capture_on_commit_callbacks, monkeypatch
):
    sent = []
    monkeypatch.setattr(
        "reports.tasks.notify_advisors_of_submission.delay", lambda pk: sent.append(pk)
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert answer_and_submit(diagnostic, company_a)
        assert sent == []  # nothing leaves before the commit
        assert not report_services.submit(diagnostic=diagnostic, user=company_a.admin)
    for callback in callbacks:
        callback()
    assert sent == [diagnostic.pk]


@pytest.mark.quality("R2")
def test_each_following_advisor_gets_one_e_mail_in_their_language(
    company_a, company_b, submitted, advisor
):
    company_a.company.name = "Dupont & Fils"
    company_a.company.save()
    english = UserFactory(is_advisor=True, preferred_language="en")
    inactive = UserFactory(is_advisor=True, is_active=False)
    erased = UserFactory(is_advisor=True, erased_at=timezone.now())
    company_a.company.advisors.add(english, inactive, erased)
    company_b.company.advisors.add(UserFactory(is_advisor=True))

    assert notify_advisors_of_submission(submitted.pk) == 2
    assert notify_advisors_of_submission(submitted.pk) == 0  # delivered twice: sent once
    by_address = {message.to[0]: message for message in mail.outbox}
    assert sorted(by_address) == sorted([advisor.email, english.email])
    review = reverse("advisors:review", args=[submitted.public_id])

    french = by_address[advisor.email]
    assert french.subject == "Nouveau diagnostic de Dupont & Fils à relire"
    body = " ".join(french.body.split())
    assert "Dupont & Fils, que vous suivez, a validé son diagnostic" in body
    assert f"(validé par {company_a.admin.full_name})" in body
    assert review in french.body

    message = by_address[english.email]
    assert message.subject == "New diagnostic of Dupont & Fils to review"
    assert "which you follow, submitted its diagnostic" in message.body
    assert review in message.body


def test_nothing_is_sent_for_a_closed_company_or_a_draft(company_a, submitted, advisor, start):
    draft = start(submitted.questionnaire)
    assert draft.status == Diagnostic.Status.DRAFT
    assert notify_advisors_of_submission(draft.pk) == 0
    company_a.company.closed_at = timezone.now()
    company_a.company.save()
    assert notify_advisors_of_submission(submitted.pk) == 0
    assert mail.outbox == []


def test_a_broker_away_only_costs_the_e_mail(submitted, monkeypatch):
    def down(pk):
        raise ConnectionError("broker down")

    monkeypatch.setattr("reports.tasks.notify_advisors_of_submission.delay", down)
    assert enqueue_submission_notice(submitted.pk) is False
