"""Errors of the web tier and of the tasks reach the operator: e-mail to DJANGO_ADMINS and,
when SENTRY_DSN is set, a Sentry-compatible tracker. Neither gets personal data."""

from __future__ import annotations

import json

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from diagnostics.models import Diagnostic
from reports import services
from reports.models import Report
from tests.conftest import wait_for

ADMINS = [("Ops", "ops@test.example")]


@csrf_exempt
def _boom(request):
    request.user.is_authenticated  # noqa: B018 (the user is known when it fails)
    raise RuntimeError("secret internals")


urlpatterns = [path("boom/", _boom)]
handler500 = "config.errors.server_error"


@pytest.fixture
def failing(client_for, company_a):
    client = client_for(company_a.member)
    client.raise_request_exception = False
    return client


@pytest.mark.quality("S12")
@override_settings(ROOT_URLCONF=__name__, DEBUG=False, ADMINS=ADMINS)
def test_server_error_is_mailed_to_the_admins_without_personal_data(failing, company_a):
    response = failing.post(
        "/boom/", {"value": "Notre réponse confidentielle"}, headers={"X-Request-ID": "req-500"}
    )
    assert response.status_code == 500
    assert "req-500" in response.text  # the reference a user can quote
    assert "secret internals" not in response.text
    [message] = mail.outbox
    assert message.to == ["ops@test.example"]
    assert "Internal Server Error: /boom/" in message.subject
    assert "[req-500]" in message.body
    assert "secret internals" in message.body
    assert f"USER: id {company_a.member.pk}" in message.body
    for private in ("Notre réponse confidentielle", company_a.member.email, "sessionid="):
        assert private not in message.body


@override_settings(ADMINS=ADMINS)
@pytest.mark.django_db(transaction=True)
def test_failed_report_task_is_mailed_to_the_admins(company_a, submitted):
    from config.celery import app
    from reports.tasks import render_report

    report = services.request_report(diagnostic=submitted, user=company_a.admin, language="fr")
    app.control.purge()  # run it here instead, with every retry
    Diagnostic.objects.filter(pk=submitted.pk).update(results={"results": {"broken": True}})
    mail.outbox.clear()
    render_report.apply(args=[report.pk])
    report.refresh_from_db()
    assert report.status == Report.Status.FAILED
    assert "L’équipe Autodiag a été prévenue" in report.message
    to_admins = [m for m in mail.outbox if m.to == ["ops@test.example"]]
    assert to_admins
    assert any(f"Report {report.pk} failed" in m.subject for m in to_admins)


@pytest.mark.live_worker
def test_a_worker_mails_the_admins_when_a_report_fails(
    transactional_db, tmp_path, company_a, submitted
):
    from config.celery import app
    from tests.conftest import start_worker, stop_worker

    app.control.purge()
    worker = start_worker(
        tmp_path, extra_env={"DJANGO_ADMINS": "Ops <ops@test.example>", "REPORT_MAX_ATTEMPTS": "1"}
    )
    try:
        report = services.request_report(diagnostic=submitted, user=company_a.admin, language="fr")
        Diagnostic.objects.filter(pk=submitted.pk).update(results={"results": {"broken": True}})
        wait_for(
            lambda: Report.objects.filter(pk=report.pk, status=Report.Status.FAILED).exists(),
            timeout=60,
        )
        mail_dir = worker.var_dir / "mail"

        def admin_mail():
            files = mail_dir.glob("*.log") if mail_dir.exists() else []
            texts = [f.read_text(errors="replace") for f in files]
            return [t for t in texts if "To: ops@test.example" in t]

        texts = wait_for(admin_mail, timeout=30)
    finally:
        stop_worker(worker)
    assert any(f"Report {report.pk} failed" in t for t in texts)
    assert company_a.admin.email not in "".join(texts)


@pytest.fixture
def sentry_events():
    import sentry_sdk
    from sentry_sdk.transport import Transport

    from config.sentry import init_sentry

    events = []

    class Capture(Transport):  # stands in for the network transport
        def capture_envelope(self, envelope):
            if envelope.get_event() is not None:
                events.append(envelope.get_event())

    init_sentry("https://public@errors.example/1", environment="test", transport=Capture)
    yield events
    sentry_sdk.get_client().close()
    sentry_sdk.get_global_scope().set_client(None)  # off again, as without a DSN


@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_with_a_dsn_server_errors_reach_the_error_tracker_without_personal_data(
    failing, company_a, sentry_events
):
    import sentry_sdk

    response = failing.post("/boom/", {"value": "Notre réponse confidentielle"})
    assert response.status_code == 500
    sentry_sdk.flush()
    errors = [e for e in sentry_events if e.get("exception")]
    assert errors
    assert errors[0]["exception"]["values"][-1]["type"] == "RuntimeError"
    text = json.dumps(sentry_events, default=str)
    session = failing.cookies["sessionid"].value
    for private in ("Notre réponse confidentielle", company_a.member.email, session):
        assert private not in text


def test_without_a_dsn_the_error_tracker_is_off():
    import sentry_sdk

    assert not sentry_sdk.get_client().is_active()
