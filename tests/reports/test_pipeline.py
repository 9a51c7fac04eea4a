"""The report pipeline with a real worker process against Redis."""

from __future__ import annotations

import io
import os
import signal

import pytest
import redis
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from pypdf import PdfReader

from audit.models import Action, Entry
from diagnostics.models import Diagnostic
from reports import services
from reports.models import Report
from reports.tasks import render_report, sweep_reports
from tests.conftest import start_worker, stop_worker, wait_for


def queue_length() -> int:
    return redis.Redis.from_url(settings.CELERY_BROKER_URL).llen("celery")


def status_of(report):
    return Report.objects.values_list("status", flat=True).get(pk=report.pk)


def ready(report):
    return status_of(report) == Report.Status.READY


@pytest.fixture
def purge():
    from config.celery import app

    app.control.purge()
    yield
    app.control.purge()


@pytest.fixture
def worker_factory(transactional_db, tmp_path, purge):
    workers = []

    def make(**env):
        worker = start_worker(tmp_path, extra_env={k: str(v) for k, v in env.items()})
        workers.append(worker)
        return worker

    yield make
    for worker in workers:
        stop_worker(worker)


@pytest.mark.live_worker
@pytest.mark.quality("R1")
def test_request_ready_download_and_mail(worker_factory, client_for, company_a, submitted):
    worker = worker_factory(REPORT_RENDER_PAUSE=2)  # the render takes at least 2 s
    client = client_for(company_a.member)
    response = client.post(reverse("reports:request", args=[submitted.public_id]))
    report = Report.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:report", args=[report.public_id])
    page = client.get(response["Location"])
    assert 'data-report-status="pending"' in page.text  # pending: the page looks again
    assert "js/report-status.js" in page.text
    wait_for(lambda: ready(report), timeout=60)
    done = client.get(response["Location"])
    assert 'data-report-status="ready"' in done.text
    assert "js/report-status.js" not in done.text
    assert reverse("reports:download", args=[report.public_id]) in done.text
    report.refresh_from_db()
    assert report.pages >= 2
    assert len(report.content_hash) == 64
    download = client.get(reverse("reports:download", args=[report.public_id]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    pdf = PdfReader(io.BytesIO(b"".join(download.streaming_content)))
    text = " ".join(" ".join(page.extract_text() for page in pdf.pages).split())
    assert company_a.company.name in text
    assert "Bases de la pratique un" in text
    assert (
        "report-status.js"
        not in client.get(reverse("reports:report", args=[report.public_id])).text
    )
    mails = wait_for(lambda: list((worker.var_dir / "mail").glob("*.log")))
    assert len(mails) == 1
    assert company_a.member.email in mails[0].read_text()


@pytest.mark.live_worker
@pytest.mark.quality("P3")
def test_the_worker_replaces_its_rendering_process_after_so_many_reports(
    worker_factory, company_a, submitted
):
    """WeasyPrint's native libraries keep about half a megabyte per report that nothing
    frees (docs/performance.md, "Worker memory"): a worker's process is replaced after
    CELERY_WORKER_MAX_TASKS_PER_CHILD tasks, so its memory stays bounded."""
    from config.celery import app

    app.control.purge()  # the advisors' notice of the submission: only reports count here
    worker = worker_factory(CELERY_WORKER_MAX_TASKS_PER_CHILD=2)

    def state():
        """The worker's processes, and how many tasks it has run."""
        stats = app.control.inspect([worker.nodename], timeout=2).stats() or {}
        mine = stats.get(worker.nodename, {})
        return mine.get("pool", {}).get("processes"), sum(mine.get("total", {}).values())

    def render_one():
        report = services.request_report(diagnostic=submitted, user=company_a.admin, language="fr")
        wait_for(lambda: ready(report), timeout=60)

    first, _ = wait_for(lambda: state()[0] and state())
    render_one()
    assert state() == (first, 1)  # one report: the same process
    render_one()
    replaced = wait_for(lambda: (now := state()[0]) and now != first and now)
    assert len(replaced) == 1
    assert replaced[0] not in first


@pytest.mark.quality("R1")
@pytest.mark.django_db(transaction=True)
def test_rolled_back_request_enqueues_nothing(company_a, submitted, purge):
    @transaction.atomic
    def failing_request():
        services.request_report(diagnostic=submitted, user=company_a.admin, language="fr")
        raise RuntimeError("the request fails after the report row was written")

    with pytest.raises(RuntimeError):
        failing_request()
    assert not Report.objects.exists()
    assert queue_length() == 0
    services.request_report(diagnostic=submitted, user=company_a.admin, language="fr")
    assert queue_length() == 1


@pytest.mark.django_db(transaction=True)
def test_asking_again_while_the_same_pdf_is_made_leads_to_it(
    company_a, submitted, purge, client_for
):
    """A second click, a colleague's request or a form sent again while the same PDF waits
    or is being made: no second version, one task, one request in the audit log."""
    url = reverse("reports:request", args=[submitted.public_id])
    first = client_for(company_a.member).post(url)
    report = Report.objects.get()
    second = client_for(company_a.admin).post(url)
    assert first["Location"] == second["Location"]
    assert first["Location"] == reverse("reports:report", args=[report.public_id])
    assert Report.objects.count() == 1
    assert queue_length() == 1
    assert Entry.objects.filter(action=Action.REPORT_REQUESTED).count() == 1

    def ask(language="fr"):
        return services.request_report(
            diagnostic=submitted, user=company_a.admin, language=language
        )

    assert ask("en").number == 2  # another language: another PDF
    Report.objects.filter(pk=report.pk).update(status=Report.Status.RUNNING)
    assert ask() == report
    Report.objects.filter(pk=report.pk).update(status=Report.Status.READY)
    again = ask()  # once made, asking again makes a new version
    assert again.number == 3
    Report.objects.filter(pk=again.pk).update(source_fingerprint="0" * 64)  # plan changed
    assert ask().number == 4
    assert queue_length() == 4


@pytest.mark.live_worker
@pytest.mark.quality("R2")
def test_second_delivery_does_nothing(worker_factory, company_a, submitted):
    worker = worker_factory(REPORT_RENDER_PAUSE=1)
    report = services.request_report(diagnostic=submitted, user=company_a.admin, language="fr")
    render_report.delay(report.pk)  # the same task delivered twice
    wait_for(lambda: ready(report), timeout=60)
    wait_for(lambda: "nothing to do" in worker.log_text(), timeout=30)
    report.refresh_from_db()
    assert report.attempts == 1
    files = list((worker.var_dir / "media" / "reports").rglob("*.pdf"))
    assert len(files) == 1
    assert len(list((worker.var_dir / "mail").glob("*.log"))) == 1


@pytest.mark.live_worker
@pytest.mark.quality("R3")
def test_worker_child_killed_mid_render_is_redelivered_and_made_once(
    worker_factory, company_a, submitted
):
    worker = worker_factory(REPORT_RENDER_PAUSE=3)
    report = services.request_report(diagnostic=submitted, user=company_a.admin, language="fr")
    wait_for(lambda: status_of(report) == Report.Status.RUNNING, timeout=60, interval=0.05)
    claimed_by = Report.objects.values_list("claimed_by", flat=True).get(pk=report.pk)
    child_pid = int(claimed_by.rsplit(":", 1)[1])
    assert child_pid != worker.process.pid
    os.kill(child_pid, signal.SIGKILL)
    wait_for(lambda: ready(report), timeout=90)
    report.refresh_from_db()
    assert report.attempts == 2
    assert report.claimed_by != claimed_by
    assert len(list((worker.var_dir / "media" / "reports").rglob("*.pdf"))) == 1
    # The e-mail goes once the row says ready: wait for it rather than race it.
    wait_for(lambda: list((worker.var_dir / "mail").glob("*.log")), timeout=30)
    assert len(list((worker.var_dir / "mail").glob("*.log"))) == 1


@pytest.mark.live_worker
@pytest.mark.quality("R4")
def test_broker_down_request_stays_pending_then_sweeper_enqueues(
    worker_factory, company_a, submitted, monkeypatch, client_for
):
    from kombu.exceptions import OperationalError

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    with monkeypatch.context() as patch:
        patch.setattr(render_report, "apply_async", broker_down)
        response = client_for(company_a.member).post(
            reverse("reports:request", args=[submitted.public_id])
        )
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.status == Report.Status.PENDING
    assert report.enqueued_at is None
    page = client_for(company_a.member).get(reverse("reports:report", args=[report.public_id]))
    assert 'data-report-status="pending"' in page.text
    worker_factory()
    assert sweep_reports() == 1  # the broker is back
    wait_for(lambda: ready(report), timeout=60)


@pytest.mark.live_worker
@pytest.mark.quality("R5")
def test_report_that_always_fails_stops_after_bounded_attempts(
    worker_factory, company_a, submitted, client_for
):
    worker_factory(REPORT_RENDER_PAUSE=1)
    report = services.request_report(diagnostic=submitted, user=company_a.admin, language="fr")
    # The data it is made from breaks before the worker renders it: every attempt fails.
    Diagnostic.objects.filter(pk=submitted.pk).update(results={"results": {"broken": True}})
    wait_for(lambda: status_of(report) == Report.Status.FAILED, timeout=90)
    report.refresh_from_db()
    assert report.attempts == settings.REPORT_MAX_ATTEMPTS
    assert report.message
    client = client_for(company_a.member)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("reports:report", args=[report.public_id]))
    assert "could not be made" in page.text
    assert '<meta http-equiv="refresh"' not in page.text


@pytest.mark.live_worker
@pytest.mark.quality("R6")
def test_render_over_the_soft_time_limit_fails_cleanly(
    worker_factory, company_a, submitted, monkeypatch
):
    worker = worker_factory(REPORT_RENDER_PAUSE=4)
    # Time limits travel with the message, from the settings of the process that sends it
    # (Celery caches them on the task at the first send).
    monkeypatch.setattr(render_report, "_exec_options", None)
    monkeypatch.setattr(render_report, "soft_time_limit", 1)
    monkeypatch.setattr(render_report, "time_limit", 10)
    report = services.request_report(diagnostic=submitted, user=company_a.admin, language="fr")
    try:
        wait_for(lambda: status_of(report) == Report.Status.FAILED, timeout=30)
    except AssertionError:
        print(worker.log_text())
        raise
    report.refresh_from_db()
    assert "trop de temps" in report.message  # in the requester's language
    assert not report.file


@pytest.mark.quality("S4")
@pytest.mark.django_db(transaction=True)
def test_task_refuses_a_report_of_another_company_and_missing_ids(
    company_a, company_b, submitted, purge
):
    report = services.request_report(diagnostic=submitted, user=company_a.admin, language="fr")
    Report.objects.filter(pk=report.pk).update(company=company_b.company)
    assert render_report.apply(args=[report.pk]).get() == "refused"
    report.refresh_from_db()
    assert report.status == Report.Status.FAILED
    assert "ne correspond pas" in report.message
    assert not report.file
    assert render_report.apply(args=[999999]).get() == "skipped"


@pytest.mark.quality("S9", "S10")
@pytest.mark.django_db(transaction=True)
def test_hostile_answer_text_shows_as_text_and_embeds_nothing(
    company_a, diagnostic, catalogue, client_for
):
    from diagnostics import services as diagnostic_services
    from diagnostics.scoring import AnswerValue
    from reports.document import make_pdf

    hostile = '<img src="file:///etc/passwd"><link rel=attachment href="file:///etc/hostname">'
    diagnostic_services.save_answer(
        diagnostic=diagnostic,
        question_code="B.TWO.Q2",
        answer=AnswerValue(hostile[:50]),
        user=company_a.member,
        base_version=0,
    )
    diagnostic_services.submit_diagnostic(diagnostic=diagnostic, user=company_a.admin)
    page = client_for(company_a.member).get(
        reverse("diagnostics:results", args=[diagnostic.public_id])
    )
    assert "&lt;img src=&quot;file:///etc/passwd&quot;&gt;" in page.text
    report = services.request_report(diagnostic=diagnostic, user=company_a.admin, language="fr")
    pdf = PdfReader(io.BytesIO(make_pdf(report).content))
    text = " ".join(" ".join(p.extract_text() for p in pdf.pages).split())
    assert '<img src="file:///etc/passwd">' in text
    assert not pdf.attachments
    assert all(not page.images for page in pdf.pages)
