from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import Company, Invitation, Membership
from audit.models import Action, Entry
from diagnostics.models import Answer, Diagnostic, Score
from privacy import retention
from reports.models import ActionPlan, Report


def ready_report(diagnostic, number, finished_at, content=b"%PDF-1.7"):
    report = Report.objects.create(
        company=diagnostic.company,
        diagnostic=diagnostic,
        number=number,
        source_fingerprint="x",
        status=Report.Status.READY,
        finished_at=finished_at,
    )
    report.file.save(f"r{number}.pdf", ContentFile(content), save=True)
    return report


def stored(report) -> bool:
    return Path(settings.MEDIA_ROOT, report.file.name).exists()


@pytest.mark.quality("G2", "G4")
def test_a_closed_company_is_deleted_with_everything_after_the_grace_period(
    company_a, company_b, submitted, django_capture_on_commit_callbacks
):
    from reports.services import plan_for

    plan_for(submitted)
    report = ready_report(submitted, 1, timezone.now())
    path = Path(settings.MEDIA_ROOT, report.file.name)
    now = timezone.now()
    Company.objects.filter(pk=company_a.company.pk).update(closed_at=now - timedelta(days=10))
    assert retention.apply_retention(now=now)["closed_companies"] == 0  # still in grace
    assert Answer.objects.exists()
    later = now + settings.COMPANY_CLOSURE_GRACE
    with django_capture_on_commit_callbacks(execute=True):
        done = retention.apply_retention(now=later)
    assert done["closed_companies"] == 1
    assert not Company.objects.filter(pk=company_a.company.pk).exists()
    for model in (Diagnostic, Answer, Score, ActionPlan, Report):
        assert not model.objects.exists(), model
    assert not Membership.objects.filter(company_id=company_a.company.pk).exists()
    assert not path.exists()
    assert Company.objects.filter(pk=company_b.company.pk).exists()
    assert retention.apply_retention(now=later)["closed_companies"] == 0


@pytest.mark.quality("G4")
def test_invitations_expired_past_the_period_are_deleted(company_a):
    now = timezone.now()
    for days, email in ((1, "recent@test.example"), (400, "old@test.example")):
        Invitation.objects.create(
            company=company_a.company,
            email=email,
            token_hash=email.ljust(64, "x"),
            expires_at=now - timedelta(days=days),
        )
    assert retention.apply_retention(now=now)["invitations"] == 1
    assert list(Invitation.objects.values_list("email", flat=True)) == ["recent@test.example"]


@pytest.mark.quality("G4")
def test_old_audit_entries_are_deleted(company_a):
    now = timezone.now()
    Entry.objects.create(action=Action.LOGIN, at=now - settings.AUDIT_RETENTION - timedelta(1))
    Entry.objects.create(action=Action.LOGOUT, at=now - timedelta(days=1))
    assert retention.apply_retention(now=now)["audit_entries"] == 1
    assert list(Entry.objects.values_list("action", flat=True)) == ["logout"]


@pytest.mark.quality("G4", "R7")
def test_pdfs_of_superseded_versions_go_after_the_period_and_the_latest_stays(
    client_for, company_a, submitted, django_capture_on_commit_callbacks
):
    now = timezone.now()
    long_ago = now - settings.SUPERSEDED_REPORT_RETENTION - timedelta(days=1)
    old = ready_report(submitted, 1, long_ago - timedelta(days=5))
    middle = ready_report(submitted, 2, long_ago)
    latest = ready_report(submitted, 3, now - timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert retention.apply_retention(now=now)["superseded_report_files"] == 1
    old.refresh_from_db()
    assert not old.file
    assert Report.objects.count() == 3
    assert stored(middle)  # superseded only recently (by the latest version)
    assert stored(latest)
    page = client_for(company_a.admin).get(reverse("reports:report", args=[old.public_id]))
    assert reverse("reports:download", args=[old.public_id]) not in page.text
    assert reverse("reports:download", args=[middle.public_id]) in page.text


@pytest.mark.quality("G4")
def test_the_command_and_the_beat_schedule_apply_retention(company_a, capsys):
    call_command("apply_retention")
    out = capsys.readouterr().out
    assert "closed_companies: 0 deleted" in out
    entry = settings.CELERY_BEAT_SCHEDULE["apply-retention"]
    assert entry["task"] == "privacy.tasks.apply_retention"
    from privacy.tasks import apply_retention

    assert apply_retention.name == "privacy.tasks.apply_retention"
    assert apply_retention.run()["audit_entries"] == 0
