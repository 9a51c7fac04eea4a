"""Re-assessment: a new diagnostic started from the previous answers (each to confirm),
and the reminder e-mail a year after the last diagnostic, with its unsubscribe link."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, User
from diagnostics import services
from diagnostics.loader import parse_questionnaire
from diagnostics.models import Answer, Diagnostic, ReassessmentReminder
from diagnostics.scoring import AnswerValue
from diagnostics.tasks import remind_reassessment, send_reassessment_reminders
from reports import services as report_services
from tests.conftest import wait_for
from tests.factories import MembershipFactory
from tests.samples import SMALL


def _answer(diagnostic, code, value, user, base=0):
    return services.save_answer(
        diagnostic=diagnostic,
        question_code=code,
        answer=AnswerValue(value),
        user=user,
        base_version=base,
    )


def _start(client, questionnaire, *, copy=True, mode="collective"):
    data = {"questionnaire": questionnaire.pk, "mode": mode}
    if copy:
        data["copy_previous"] = "on"
    return client.post(reverse("diagnostics:start"), data)


def _new_draft(company):
    return Diagnostic.objects.get(company=company, status=Diagnostic.Status.DRAFT)


def _stored(diagnostic, respondent=None):
    return {
        a.question.code: a
        for a in Answer.objects.filter(diagnostic=diagnostic, respondent=respondent).select_related(
            "question"
        )
    }


# --- Starting from the previous answers ---------------------------------------------------


def test_a_re_assessment_starts_from_the_previous_answers_each_to_confirm(
    client_for, company_a, submitted, small_questionnaire
):
    client = client_for(company_a.admin)
    form = client.get(reverse("diagnostics:list")).context["form"]
    assert form.fields["copy_previous"].initial is True  # offered once a diagnostic exists
    response = _start(client, small_questionnaire)
    draft = _new_draft(company_a.company)
    assert response.status_code == 302
    assert draft.copied_from_id == submitted.pk
    before, after = _stored(submitted), _stored(draft)
    assert set(after) == set(before) == {"A.ONE.Q1", "A.ONE.Q2", "B.TWO.Q1", "B.TWO.Q3"}
    for code, answer in after.items():
        assert answer.value_of() == before[code].value_of()
        assert answer.to_confirm
        assert answer.answered_by_id == company_a.member.pk  # who gave it, kept
    overview = client.get(reverse("diagnostics:overview", args=[draft.public_id]))
    assert overview.context["total"]["to_confirm"] == 4
    assert "data-to-confirm-notice" in overview.text
    page = client.get(reverse("diagnostics:domain", args=[draft.public_id, "A"])).text
    assert page.count("data-to-confirm>") == 2
    assert "data-confirm hidden" in page  # the one-click button, shown by autosave.js


def test_a_first_diagnostic_has_nothing_to_start_from(client_for, company_a, small_questionnaire):
    client = client_for(company_a.admin)
    assert "copy_previous" not in client.get(reverse("diagnostics:list")).context["form"].fields
    _start(client, small_questionnaire)  # a forged tick changes nothing
    draft = _new_draft(company_a.company)
    assert draft.copied_from_id is None
    assert not Answer.objects.filter(diagnostic=draft).exists()


def test_the_copy_needs_the_same_way_of_answering(
    client_for, company_a, submitted, small_questionnaire
):
    response = _start(client_for(company_a.admin), small_questionnaire, mode="individual")
    assert response.status_code == 400
    assert "copy_previous" in response.context["form"].errors
    assert "de la même façon" in response.text or "same way" in response.text
    assert Diagnostic.objects.filter(company=company_a.company).count() == 1


def test_the_copy_can_be_declined(client_for, company_a, submitted, small_questionnaire):
    _start(client_for(company_a.admin), small_questionnaire, copy=False)
    assert not Answer.objects.filter(diagnostic=_new_draft(company_a.company)).exists()


def test_answers_that_no_longer_fit_the_new_version_stay_behind(company_a, submitted):
    newer = (
        SMALL.replace("version: 1", "version: 2")
        .replace("code: B.TWO.Q1", "code: B.TWO.Q1B")  # B.TWO.Q1 withdrawn
        .replace("{code: a, label:", "{code: a2, label:")  # B.TWO.Q3's "a" withdrawn
    )
    questionnaire, _ = services.import_questionnaire(text=newer)
    admin = Membership.objects.get(user=company_a.admin)
    draft = services.start_diagnostic(
        membership=admin, questionnaire=questionnaire, mode="collective", copy_from=submitted
    )
    assert set(_stored(draft)) == {"A.ONE.Q1", "A.ONE.Q2"}


@pytest.mark.parametrize(
    ("value", "carried"),
    [(80, AnswerValue(80)), (90, None), (None, None), ("x", None)],
)
def test_a_number_is_carried_over_only_within_the_new_range(value, carried):
    spec = parse_questionnaire(SMALL.replace("max: 100", "max: 80"))
    assert services.carried_over(spec.question("B.TWO.Q1"), AnswerValue(value)) == carried


def test_a_dont_know_is_carried_over_as_it_is():
    spec = parse_questionnaire(SMALL)
    answer = AnswerValue(None, dont_know=True)
    assert services.carried_over(spec.question("A.ONE.Q1"), answer) == answer


def test_a_copy_is_only_made_from_a_submitted_diagnostic_of_the_company(
    company_a, company_b, submitted, small_questionnaire
):
    other_admin = Membership.objects.get(user=company_b.admin)
    with pytest.raises(ValueError, match="submitted"):
        services.start_diagnostic(
            membership=other_admin,
            questionnaire=small_questionnaire,
            mode="collective",
            copy_from=submitted,
        )
    assert not Diagnostic.objects.filter(company=company_b.company).exists()


def _reassess(company_a, submitted, small_questionnaire, mode="collective"):
    admin = Membership.objects.get(user=company_a.admin)
    return services.start_diagnostic(
        membership=admin, questionnaire=small_questionnaire, mode=mode, copy_from=submitted
    )


def _page_post(client, draft, domain, fields):
    return client.post(reverse("diagnostics:domain", args=[draft.public_id, domain]), fields)


@pytest.mark.parametrize("portable", [False, True], ids=["postgresql", "portable"])
def test_saving_a_page_confirms_the_answers_it_shows(
    client_for, company_a, submitted, small_questionnaire, portable, monkeypatch
):
    if portable:  # the one-by-one path that SQLite takes under `make run`
        monkeypatch.setattr(services, "postgresql_writes", lambda: False)
    draft = _reassess(company_a, submitted, small_questionnaire)
    client = client_for(company_a.admin)
    response = _page_post(
        client,
        draft,
        "A",
        {"q-A.ONE.Q1-v": "1", "q-A.ONE.Q1": "0", "q-A.ONE.Q2-v": "1", "q-A.ONE.Q2": "no"},
    )
    assert response.status_code == 302
    answers = _stored(draft)
    for code in ("A.ONE.Q1", "A.ONE.Q2"):  # the same values, now confirmed by the admin
        assert not answers[code].to_confirm
        assert answers[code].version == 2
        assert answers[code].answered_by_id == company_a.admin.pk
    assert answers["B.TWO.Q1"].to_confirm  # another page: not confirmed


def test_autosave_of_the_same_value_confirms_it(
    client_for, company_a, submitted, small_questionnaire
):
    draft = _reassess(company_a, submitted, small_questionnaire)
    response = client_for(company_a.member).post(
        reverse("diagnostics:autosave", args=[draft.public_id, "B.TWO.Q1"]),
        {"value": "10", "version": "1"},
    )
    assert response.status_code == 200
    assert response.json()["progress"]["to_confirm"] == 3
    assert not _stored(draft)["B.TWO.Q1"].to_confirm


def test_submission_waits_until_every_copied_answer_is_confirmed(
    client_for, company_a, submitted, small_questionnaire
):
    draft = _reassess(company_a, submitted, small_questionnaire)
    client = client_for(company_a.admin)
    response = client.post(
        reverse("reports:submit", args=[draft.public_id]), {"confirm": "1"}, follow=True
    )
    draft.refresh_from_db()
    assert draft.is_draft
    assert response.redirect_chain[-1][0] == reverse("diagnostics:overview", args=[draft.public_id])
    assert "4 réponses" in response.text or "4 answers" in response.text
    assert not draft.scores.exists()
    _page_post(
        client,
        draft,
        "A",
        {"q-A.ONE.Q1-v": "1", "q-A.ONE.Q1": "1", "q-A.ONE.Q2-v": "1", "q-A.ONE.Q2": "no"},
    )
    _page_post(
        client,
        draft,
        "B",
        {"q-B.TWO.Q1-v": "1", "q-B.TWO.Q1": "10", "q-B.TWO.Q3-v": "1", "q-B.TWO.Q3": "a"},
    )
    client.post(reverse("reports:submit", args=[draft.public_id]), {"confirm": "1"})
    draft.refresh_from_db()
    assert not draft.is_draft


def test_a_hidden_copied_answer_does_not_hold_the_submission_back(
    company_a, diagnostic, catalogue, small_questionnaire
):
    for code, value in (("A.ONE.Q1", 2), ("A.ONE.Q2", "yes"), ("A.ONE.Q3", 3)):
        _answer(diagnostic, code, value, company_a.admin)
    report_services.submit(diagnostic=diagnostic, user=company_a.admin)
    draft = _reassess(company_a, diagnostic, small_questionnaire)
    for code, value in (("A.ONE.Q1", 2), ("A.ONE.Q2", "no")):  # "no robots" hides Q3
        _answer(draft, code, value, company_a.admin, base=1)
    assert _stored(draft)["A.ONE.Q3"].to_confirm
    assert services.unconfirmed_answers(draft) == {}
    assert report_services.submit(diagnostic=draft, user=company_a.admin)


def test_individual_answers_are_copied_to_each_respondent_still_a_member(
    company_a, small_questionnaire, catalogue
):
    admin = Membership.objects.get(user=company_a.admin)
    first = services.start_diagnostic(
        membership=admin, questionnaire=small_questionnaire, mode="individual"
    )
    gone = MembershipFactory(company=company_a.company).user
    for user, level in ((company_a.admin, 1), (company_a.member, 3), (gone, 4)):
        _answer(first, "A.ONE.Q1", level, user)
    report_services.submit(diagnostic=first, user=company_a.admin)
    Membership.objects.filter(user=gone).delete()
    draft = _reassess(company_a, first, small_questionnaire, mode="individual")
    assert _stored(draft, company_a.admin)["A.ONE.Q1"].value == 1
    assert _stored(draft, company_a.member)["A.ONE.Q1"].value == 3
    assert not Answer.objects.filter(diagnostic=draft, respondent=gone).exists()
    with pytest.raises(services.SubmissionError) as refused:
        report_services.submit(diagnostic=draft, user=company_a.admin)
    assert company_a.member.full_name in str(refused.value)
    assert company_a.admin.full_name in str(refused.value)


# --- The reminder e-mail ----------------------------------------------------------------


def _a_year_ago(diagnostic, settings, days=1):
    Diagnostic.objects.filter(pk=diagnostic.pk).update(
        submitted_at=timezone.now() - timedelta(days=settings.REASSESSMENT_AFTER_DAYS + days)
    )


@pytest.fixture
def eager_reminders(monkeypatch):
    sent = []

    def delay(diagnostic_id):
        sent.append(diagnostic_id)
        return remind_reassessment(diagnostic_id)

    monkeypatch.setattr("diagnostics.tasks.remind_reassessment.delay", delay)
    return sent


def test_the_admins_are_reminded_once_a_year_after_the_last_diagnostic(
    company_a, submitted, settings, eager_reminders
):
    second_admin = MembershipFactory(company=company_a.company, role=Membership.Role.ADMIN).user
    second_admin.preferred_language = "en"
    second_admin.save()
    assert send_reassessment_reminders() == 0  # not due yet
    _a_year_ago(submitted, settings)
    assert send_reassessment_reminders() == 1
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted([company_a.admin.email, second_admin.email])  # not the member
    french = next(m for m in mail.outbox if m.to == [company_a.admin.email])
    english = next(m for m in mail.outbox if m.to == [second_admin.email])
    assert "diagnostic" in french.subject
    assert company_a.company.name in french.subject
    assert "time for a new" in english.subject
    # the token is signed with a timestamp: read it from the mail, then check whose it is
    token = re.search(r"/reminders/([^/\s]+)/unsubscribe/", french.body).group(1)
    assert User.from_reminders_token(token) == company_a.admin
    unsubscribe = reverse("accounts:reminders_unsubscribe", args=[token])
    assert french.extra_headers["List-Unsubscribe"].endswith(f"{unsubscribe}>")
    assert french.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert reverse("diagnostics:list") in french.body
    reminder = ReassessmentReminder.objects.get(diagnostic=submitted)
    assert reminder.recipients == 2
    mail.outbox.clear()
    assert send_reassessment_reminders() == 0  # the next day: already sent
    assert remind_reassessment(submitted.pk) == 0  # a second delivery: nothing
    assert mail.outbox == []


def test_no_reminder_once_a_re_assessment_is_started(
    company_a, submitted, settings, small_questionnaire, eager_reminders
):
    _a_year_ago(submitted, settings)
    _reassess(company_a, submitted, small_questionnaire)
    assert send_reassessment_reminders() == 0
    assert mail.outbox == []


def test_a_closed_company_is_never_reminded(company_a, submitted, settings, eager_reminders):
    _a_year_ago(submitted, settings)
    company_a.company.closed_at = timezone.now()
    company_a.company.save()
    assert send_reassessment_reminders() == 0
    assert remind_reassessment(submitted.pk) == 0  # enqueued before the closure
    assert mail.outbox == []


def test_an_admin_who_unsubscribed_is_left_out(company_a, submitted, settings, eager_reminders):
    company_a.admin.stop_reminders()
    _a_year_ago(submitted, settings)
    assert send_reassessment_reminders() == 1
    assert mail.outbox == []
    assert ReassessmentReminder.objects.get(diagnostic=submitted).recipients == 0


def test_a_failed_send_is_retried_not_lost(company_a, submitted, settings, monkeypatch):
    _a_year_ago(submitted, settings)

    def refuse(*args, **kwargs):
        raise OSError("SMTP server unreachable")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    with pytest.raises(OSError, match="unreachable"):
        remind_reassessment(submitted.pk)
    assert not ReassessmentReminder.objects.exists()  # the claim rolled back: retried later
    monkeypatch.undo()
    assert remind_reassessment(submitted.pk) == 1


@pytest.mark.live_worker
def test_the_worker_sends_the_reminders(live_worker, company_a, submitted, settings):
    from diagnostics.tasks import send_reassessment_reminders as task

    _a_year_ago(submitted, settings)
    task.delay()
    wait_for(lambda: ReassessmentReminder.objects.filter(diagnostic=submitted).exists())
    mails = wait_for(lambda: list((live_worker.var_dir / "mail").glob("*.log")))
    body = mails[0].read_text()
    assert company_a.admin.email in body
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in body


# --- Unsubscribing without logging in ------------------------------------------------------


def test_the_unsubscribe_link_asks_then_stops_the_reminders(company_a):
    url = reverse("accounts:reminders_unsubscribe", args=[company_a.admin.reminders_token()])
    client = Client(enforce_csrf_checks=True)
    page = client.get(url)
    assert page.status_code == 200
    assert company_a.admin.email in page.text
    company_a.admin.refresh_from_db()
    assert company_a.admin.reassessment_reminders  # a link previewer unsubscribes nobody
    response = client.post(url, {"List-Unsubscribe": "One-Click"})  # no cookie, no token
    assert response.status_code == 200
    company_a.admin.refresh_from_db()
    assert not company_a.admin.reassessment_reminders
    assert User.objects.get(pk=company_a.member.pk).reassessment_reminders  # only the link's


@pytest.mark.parametrize("token", ["nonsense", "1:forged:signature"])
def test_a_bad_unsubscribe_link_changes_nothing(client, company_a, token):
    response = client.post(reverse("accounts:reminders_unsubscribe", args=[token]))
    assert response.status_code == 404
    assert "lien n’est pas valide" in response.text or "not valid" in response.text
    assert not User.objects.filter(reassessment_reminders=False).exists()


def test_the_reminders_can_be_turned_back_on_in_the_profile(client_for, company_a):
    company_a.admin.stop_reminders()
    client = client_for(company_a.admin)
    response = client.post(
        reverse("accounts:profile"),
        {
            "full_name": company_a.admin.full_name,
            "preferred_language": "fr",
            "reassessment_reminders": "on",
        },
    )
    assert response.status_code == 302
    company_a.admin.refresh_from_db()
    assert company_a.admin.reassessment_reminders


def test_every_scheduled_task_is_registered(settings):
    from config.celery import app

    app.loader.import_default_modules()
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert entry["task"] in app.tasks, name
    assert "diagnostics.tasks.send_reassessment_reminders" in {
        e["task"] for e in settings.CELERY_BEAT_SCHEDULE.values()
    }
