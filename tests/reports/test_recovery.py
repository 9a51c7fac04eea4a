"""A worker killed as a whole: the next worker to start on the host makes its reports
again at once, instead of after the lease and the next sweep; still one PDF."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
from datetime import timedelta

import pytest
import redis
from django.conf import settings
from django.utils import timezone

from reports import services
from reports.models import Report
from reports.recovery import reclaim_orphans, renderer_is_gone
from reports.tasks import _lease
from tests.conftest import start_worker, stop_worker, wait_for
from tests.factories import ReportFactory

HOST = socket.gethostname()


def dead_pid() -> int:
    process = subprocess.Popen(["true"])  # noqa: S607
    process.wait()
    return process.pid


def broker() -> redis.Redis:
    return redis.Redis.from_url(settings.CELERY_BROKER_URL)


@pytest.fixture
def purge():
    from config.celery import app

    app.control.purge()
    yield
    app.control.purge()
    # Messages a killed worker held stay "unacked" until the visibility timeout: drop them,
    # so that they are never delivered to a later test run.
    broker().delete("unacked", "unacked_index")


def test_a_dead_process_of_this_host_is_gone():
    now = timezone.now()
    assert renderer_is_gone(f"{HOST}:{dead_pid()}", now)


def test_a_killed_process_not_reaped_yet_is_gone():
    process = subprocess.Popen(["sleep", "60"])  # noqa: S607
    try:
        claimed = f"{HOST}:{process.pid}"
        assert not renderer_is_gone(claimed, timezone.now())
        process.kill()
        wait_for(lambda: renderer_is_gone(claimed, timezone.now()), timeout=10)  # a zombie
        assert process.poll() is not None
    finally:
        process.kill()
        process.wait()


def test_a_live_renderer_is_not_gone():
    assert not renderer_is_gone(f"{HOST}:{os.getpid()}", timezone.now())


def test_a_pid_reused_by_a_later_process_is_gone():
    long_ago = timezone.now() - timedelta(days=3650)
    assert renderer_is_gone(f"{HOST}:{os.getpid()}", long_ago)


def test_renderers_of_other_hosts_are_never_judged():
    assert not renderer_is_gone(f"elsewhere.example:{dead_pid()}", timezone.now())
    assert not renderer_is_gone("garbage", timezone.now())


@pytest.mark.django_db(transaction=True)
def test_reclaim_requeues_orphans_only(company_a, submitted, purge):
    def running(claimed_by, attempts=1):
        return ReportFactory(
            diagnostic=submitted,
            requested_by=company_a.admin,
            status=Report.Status.RUNNING,
            claimed_by=claimed_by,
            started_at=timezone.now(),
            attempts=attempts,
        )

    orphan = running(f"{HOST}:{dead_pid()}")
    exhausted = running(f"{HOST}:{dead_pid()}", attempts=settings.REPORT_MAX_ATTEMPTS)
    alive = running(f"{HOST}:{os.getpid()}")
    remote = running(f"elsewhere.example:{dead_pid()}")
    from config.celery import app

    app.control.purge()
    assert reclaim_orphans() == [orphan.pk]
    statuses = dict(Report.objects.values_list("pk", "status"))
    assert statuses[orphan.pk] == Report.Status.PENDING
    assert statuses[exhausted.pk] == Report.Status.FAILED
    assert statuses[alive.pk] == Report.Status.RUNNING
    assert statuses[remote.pk] == Report.Status.RUNNING
    assert Report.objects.get(pk=orphan.pk).enqueued_at is not None
    assert broker().llen("celery") == 1
    assert "plusieurs tentatives" in Report.objects.get(pk=exhausted.pk).message
    assert reclaim_orphans() == []  # a second worker starting finds nothing more


@pytest.mark.live_worker
@pytest.mark.quality("R3")
def test_whole_worker_killed_mid_render_is_made_again_when_a_worker_starts(
    transactional_db, tmp_path, company_a, submitted, purge
):
    first = start_worker(tmp_path, extra_env={"REPORT_RENDER_PAUSE": "60"})
    second = None
    try:
        report = services.request_report(diagnostic=submitted, user=company_a.admin, language="fr")
        wait_for(
            lambda: Report.objects.filter(pk=report.pk, status=Report.Status.RUNNING).exists(),
            timeout=60,
            interval=0.05,
        )
        claimed_by = Report.objects.values_list("claimed_by", flat=True).get(pk=report.pk)
        child_pid = int(claimed_by.rsplit(":", 1)[1])
        os.kill(first.process.pid, signal.SIGKILL)  # the whole worker, main process and child
        os.kill(child_pid, signal.SIGKILL)
        first.process.wait()
        wait_for(lambda: renderer_is_gone(claimed_by, timezone.now()), timeout=10)
        assert Report.objects.get(pk=report.pk).status == Report.Status.RUNNING

        second = start_worker(tmp_path)
        # Far sooner than the lease the sweeper waits for.
        assert _lease() >= timedelta(seconds=200)
        wait_for(
            lambda: Report.objects.filter(pk=report.pk, status=Report.Status.READY).exists(),
            timeout=60,
        )
    finally:
        if second is not None:
            stop_worker(second)
        if first.process.poll() is None:
            stop_worker(first)
    report.refresh_from_db()
    assert report.attempts == 2
    assert report.claimed_by != claimed_by
    assert "is gone; made again now" in second.log_text()
    assert len(list((tmp_path / "media" / "reports").rglob("*.pdf"))) == 1
    assert len(list((tmp_path / "mail").glob("*.log"))) == 1
