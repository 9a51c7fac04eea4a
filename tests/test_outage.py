"""A database outage answers 503 "try again" in the user's language, never a bare 500."""

from __future__ import annotations

import logging

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import path, reverse

from config import outage


@pytest.fixture(autouse=True)
def _alert_again():
    outage._last_alert = -outage._ALERT_INTERVAL  # each test starts outside a throttle window


@pytest.mark.quality("S12")
def test_page_during_a_database_outage_answers_503_in_french(
    client_for, company_a, database_down, caplog
):
    client = client_for(company_a.member)
    with database_down():
        response = client.get(reverse("diagnostics:list"))
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["Content-Type"].startswith("text/html")
    text = response.text
    assert "Le service est momentanément indisponible. Réessayez dans quelques instants." in text
    assert response["X-Request-ID"] in text  # the reference a user can quote
    assert "OperationalError" not in text
    assert "Traceback" not in text
    assert any(r.name == "autodiag.outage" and r.levelno == logging.ERROR for r in caplog.records)


def test_page_during_a_database_outage_speaks_english_when_asked(
    client_for, company_a, database_down
):
    client = client_for(company_a.member)
    client.cookies["django_language"] = "en"
    with database_down():
        response = client.get(reverse("diagnostics:list"))
    assert response.status_code == 503
    assert "The service is briefly unavailable. Please try again in a moment." in response.text
    assert '<html lang="en">' in response.text


def test_autosave_during_a_database_outage_answers_503_json(
    client_for, company_a, diagnostic, database_down
):
    client = client_for(company_a.member)
    url = reverse("diagnostics:autosave", args=[diagnostic.public_id, "A.ONE.Q1"])
    with database_down():
        response = client.post(url, {"value": "3", "version": "0"})
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["error"].startswith("Le service est momentanément indisponible")
    assert body["request_id"] == response["X-Request-ID"]


def test_json_is_answered_to_requests_that_accept_json(client_for, company_a, database_down):
    client = client_for(company_a.member)
    with database_down():
        response = client.get(reverse("diagnostics:list"), headers={"Accept": "application/json"})
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"


@override_settings(ADMINS=[("Ops", "ops@test.example")])
def test_an_outage_alerts_the_admins_once_a_minute_not_once_a_request(
    client_for, company_a, database_down
):
    client = client_for(company_a.member)
    with database_down():
        statuses = [client.get(reverse("diagnostics:list")).status_code for _ in range(5)]
    assert statuses == [503] * 5
    assert len(mail.outbox) == 1
    assert "Database unavailable" in mail.outbox[0].subject


def _session_write_fails(request):
    request.session["touched"] = True  # saved by the session middleware, after the view
    from django.http import HttpResponse

    return HttpResponse("fine")


urlpatterns = [path("touch/", _session_write_fails)]
handler500 = "config.errors.server_error"


@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_outage_met_outside_a_view_also_answers_503(client, db, database_down):
    client.raise_request_exception = False
    with database_down():
        response = client.get("/touch/")
    assert response.status_code == 503
    assert "Réessayez dans quelques instants" in response.text


@pytest.mark.browser
@pytest.mark.quality("D1")
@pytest.mark.django_db(transaction=True)
def test_autosave_retries_after_a_503_and_the_answer_is_saved(
    live_server, page, company_a, diagnostic
):
    from django.db import OperationalError, connections

    from diagnostics.models import Answer
    from tests.conftest import wait_for
    from tests.diagnostics.test_browser_answering import log_in, stored

    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    log_in(page, live_server, company_a.member)
    page.goto(live_server.url + reverse("diagnostics:domain", args=[diagnostic.public_id, "A"]))
    status = page.locator("#q-A\\.ONE\\.Q1 .save-status")
    with pytest.MonkeyPatch.context() as patch:  # the server's connections too
        patch.setattr(type(connections["default"]), "cursor", refuse)
        with page.expect_response(lambda r: "/answers/" in r.url) as answered:
            page.locator("#q-A\\.ONE\\.Q1-3").check()
        assert answered.value.status == 503
        status.filter(has_text="nouvel essai").wait_for()
    assert Answer.objects.filter(question__code="A.ONE.Q1").count() == 0
    # The database is back: the retry (after about 2 s) saves the answer.
    wait_for(lambda: stored("A.ONE.Q1") == 3, timeout=20)
    wait_for(lambda: status.inner_text().strip() == "Enregistré", timeout=10)
