"""Downloading a PDF whose file the storage has lost, or cannot read at the moment, and
finding such files."""

from __future__ import annotations

import io
import logging

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from audit.models import Action, Entry
from reports.models import Report


@pytest.fixture
def ready(company_a, submitted):
    """A ready version 1 of the submitted diagnostic's PDF, with its file."""
    report = Report.objects.create(
        company=company_a.company, diagnostic=submitted, number=1, source_fingerprint="x"
    )
    report.file.save("plan.pdf", ContentFile(b"%PDF-1.7 test"), save=False)
    Report.objects.filter(pk=report.pk).update(status="ready", file=report.file.name, pages=3)
    report.refresh_from_db()
    return report


def test_a_file_lost_from_the_storage_says_so_and_offers_a_new_version(
    client_for, company_a, ready, caplog
):
    default_storage.delete(ready.file.name)
    client = client_for(company_a.member)
    url = reverse("reports:download", args=[ready.public_id])
    with caplog.at_level(logging.ERROR, logger="reports.views"):
        response = client.get(url)
    assert response.status_code == 404
    assert "Le fichier de ce PDF est introuvable. L’équipe a été prévenue." in response.text
    request = reverse("reports:request", args=[ready.diagnostic.public_id])
    assert f'action="{request}"' in response.text
    assert "Créer une nouvelle version du PDF" in response.text
    assert reverse("reports:report", args=[ready.public_id]) in response.text
    [error] = [r for r in caplog.records if r.levelno == logging.ERROR]  # mailed to the admins
    assert str(ready.public_id) in error.getMessage()
    assert ready.file.name in error.getMessage()
    assert not Entry.objects.filter(action=Action.REPORT_DOWNLOADED).exists()
    assert client.head(url).status_code == 404

    client.post(request)  # the new version, as the button asks
    assert Report.objects.filter(diagnostic=ready.diagnostic, number=2).exists()


def test_a_storage_that_does_not_answer_asks_to_try_again(
    client_for, company_a, ready, monkeypatch, caplog
):
    def refuse(storage, name, mode="rb"):
        raise ConnectionResetError(104, "Connection reset by peer")

    monkeypatch.setattr(FileSystemStorage, "_open", refuse)
    with caplog.at_level(logging.WARNING, logger="reports.views"):
        response = client_for(company_a.member).get(
            reverse("reports:download", args=[ready.public_id])
        )
    assert response.status_code == 503
    assert response["Retry-After"] == "120"
    assert "ne peut pas être lu pour le moment. Réessayez dans quelques minutes." in response.text
    assert "Créer une nouvelle version du PDF" not in response.text
    ours = [r for r in caplog.records if r.name == "reports.views"]
    assert [r.levelno for r in ours] == [logging.WARNING]  # Django logs the 503 itself
    assert not Entry.objects.filter(action=Action.REPORT_DOWNLOADED).exists()
    assert Report.objects.get(pk=ready.pk).is_ready  # nothing changed


def test_check_report_files_lists_the_lost_files_and_fails(company_a, ready):
    kept = Report.objects.create(
        company=company_a.company, diagnostic=ready.diagnostic, number=2, source_fingerprint="x"
    )
    kept.file.save("plan-2.pdf", ContentFile(b"%PDF-1.7 two"), save=False)
    Report.objects.filter(pk=kept.pk).update(status="ready", file=kept.file.name)
    out = io.StringIO()
    call_command("check_report_files", stdout=out)
    assert out.getvalue().splitlines() == ["2 PDF file(s) checked, 0 missing."]

    default_storage.delete(ready.file.name)
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 PDF file"):
        call_command("check_report_files", stdout=out)
    assert out.getvalue().splitlines() == [
        f"{company_a.company.name} (SIRET {company_a.company.siret}), diagnostic "
        f"{ready.diagnostic.public_id}, version 1: {ready.file.name} is missing",
        "2 PDF file(s) checked, 1 missing.",
    ]
    assert Report.objects.get(pk=ready.pk).is_ready  # nothing changed


def test_check_report_files_says_when_the_storage_does_not_answer(ready, monkeypatch):
    def refuse(storage, name):
        raise ConnectionResetError(104, "Connection reset by peer")

    monkeypatch.setattr(FileSystemStorage, "exists", refuse)
    with pytest.raises(CommandError, match="The media storage does not answer"):
        call_command("check_report_files", stdout=io.StringIO())
