"""The operator's pipeline page: staff only (404 for anyone else), reports by status, the
oldest waiting and running ones, recent failures, queue length, last sweep; retry."""

from __future__ import annotations

from datetime import timedelta

import pytest
import redis
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from reports.models import Report
from reports.tasks import sweep_reports
from tests.conftest import start_worker, stop_worker, wait_for
from tests.factories import ReportFactory, UserFactory

PAGE = "/operator/pipeline/"


def queue() -> redis.Redis:
    return redis.Redis.from_url(settings.CELERY_BROKER_URL)


@pytest.fixture
def purge():
    from config.celery import app

    app.control.purge()
    yield
    app.control.purge()


@pytest.fixture
def operator(db):
    return UserFactory(is_staff=True)


@pytest.fixture
def reports(company_a, submitted, purge):
    """One report in each state, with ages and attempts."""
    now = timezone.now()
    made = [ReportFactory(diagnostic=submitted, requested_by=company_a.admin) for _ in range(4)]
    pending, running, failed, old_failure = made
    Report.objects.filter(pk=pending.pk).update(created_at=now - timedelta(hours=2))
    Report.objects.filter(pk=running.pk).update(
        status=Report.Status.RUNNING,
        started_at=now - timedelta(minutes=3),
        attempts=2,
        claimed_by="worker-7.example:4242",
    )
    Report.objects.filter(pk=failed.pk).update(
        status=Report.Status.FAILED,
        attempts=3,
        message="Le rapport n’a pas pu être créé. L’équipe Autodiag a été prévenue.",
        finished_at=now - timedelta(hours=1),
    )
    Report.objects.filter(pk=old_failure.pk).update(
        status=Report.Status.FAILED, message="Ancien échec", finished_at=now - timedelta(days=2)
    )
    from config.celery import app

    app.control.purge()
    return pending, running, failed, old_failure


def test_operator_sees_the_pipeline(client_for, operator, reports, company_a):
    failed = reports[2]
    queue().rpush("celery", "{}", "{}")  # two messages waiting
    response = client_for(operator).get(PAGE)
    assert response.status_code == 200
    text = response.text
    assert "Chaîne des rapports" in text
    assert 'data-status="pending">1<' in text
    assert 'data-status="running">1<' in text
    assert 'data-status="failed">2<' in text
    assert 'data-status="ready">0<' in text
    assert '<dd class="col-sm-8" id="queue-length">2</dd>' in text
    assert "2\xa0heures" in text  # age of the waiting report
    assert "3\xa0minutes" in text  # age of the running one
    assert "worker-7.example:4242" in text
    assert "L’équipe Autodiag a été prévenue." in text
    assert "Ancien échec" not in text  # older than 24 hours
    assert reverse("operations:retry", args=[failed.public_id]) in text
    assert company_a.company.name in text


def test_page_is_accessible_markup(client_for, operator, reports):
    text = client_for(operator).get(PAGE).text
    assert text.count("<caption>") == 4
    assert '<th scope="col">' in text
    assert '<th scope="row">' in text
    assert 'aria-labelledby="failures-title"' in text
    assert 'aria-label="Relancer le rapport' in text
    assert '<main id="main"' in text


def test_last_sweep_is_shown(client_for, operator, db, purge):
    client = client_for(operator)
    page = client.get(PAGE).text
    assert '<dd class="col-sm-8" id="sweeper">jamais\n' in page
    # "never" says what to check.
    assert "vérifiez que le processus beat est démarré" in page.split('id="sweeper-help"')[1]
    sweep_reports()
    text = client.get(PAGE).text
    assert "il y a 0\xa0minute, 0 rapport mis en file" in text


def test_queue_length_is_unknown_without_a_redis_broker(client_for, operator, db, settings):
    client = client_for(operator)
    settings.CELERY_BROKER_URL = "filesystem://"
    assert '<dd class="col-sm-8" id="queue-length">inconnu</dd>' in client.get(PAGE).text
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # Redis down
    assert '<dd class="col-sm-8" id="queue-length">inconnu</dd>' in client.get(PAGE).text


@pytest.mark.parametrize("who", ["anonymous", "member", "admin", "advisor", "inactive_staff"])
def test_anyone_but_an_operator_gets_404(client, client_for, company_a, advisor, reports, who):
    failed = reports[2]
    users = {
        "member": lambda: company_a.member,
        "admin": lambda: company_a.admin,
        "advisor": lambda: advisor,
        "inactive_staff": lambda: UserFactory(is_staff=True, is_active=False),
    }
    if who in users:
        client_for(users[who]())
    assert client.get(PAGE).status_code == 404
    response = client.post(reverse("operations:retry", args=[failed.public_id]))
    assert response.status_code == 404
    assert Report.objects.get(pk=failed.pk).status == Report.Status.FAILED


def test_wrong_methods_are_refused(client_for, operator, reports):
    client = client_for(operator)
    failed = reports[2]
    assert client.post(PAGE).status_code == 405
    assert client.get(reverse("operations:retry", args=[failed.public_id])).status_code == 405


def test_retry_needs_the_csrf_token(operator, reports):
    failed = reports[2]
    client = Client(enforce_csrf_checks=True)
    client.force_login(operator)
    response = client.post(reverse("operations:retry", args=[failed.public_id]))
    assert response.status_code == 403
    assert Report.objects.get(pk=failed.pk).status == Report.Status.FAILED


def test_retry_of_a_report_that_has_not_failed_changes_nothing(client_for, operator, reports):
    running = reports[1]
    client = client_for(operator)
    response = client.post(reverse("operations:retry", args=[running.public_id]), follow=True)
    assert "rien à relancer" in response.text
    assert Report.objects.get(pk=running.pk).status == Report.Status.RUNNING
    assert Report.objects.get(pk=running.pk).attempts == 2
    missing = "00000000-0000-0000-0000-000000000000"
    assert client.post(reverse("operations:retry", args=[missing])).status_code == 404


@pytest.mark.live_worker
@pytest.mark.django_db(transaction=True)
def test_operator_retries_a_failed_report_and_a_worker_makes_it(
    client_for, operator, reports, tmp_path
):
    failed = reports[2]
    client = client_for(operator)
    worker = start_worker(tmp_path)
    try:
        response = client.post(reverse("operations:retry", args=[failed.public_id]))
        assert response.status_code == 302
        assert response["Location"] == PAGE
        wait_for(
            lambda: Report.objects.filter(pk=failed.pk, status=Report.Status.READY).exists(),
            timeout=60,
        )
    finally:
        stop_worker(worker)
    failed.refresh_from_db()
    assert failed.attempts == 1
    assert failed.message == ""
    assert "Le rapport est de nouveau en file d’attente." in client.get(PAGE).text
