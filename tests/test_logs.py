"""One log line per request and per task, with a request id, ids only, plain or JSON."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys

import pytest
from django.urls import reverse

from config.logs import JsonFormatter, RequestIdFilter
from reports.models import Report
from tests.conftest import ROOT, wait_for


def request_lines(caplog):
    return [r for r in caplog.records if r.name == "autodiag.request"]


def test_each_request_logs_one_line_with_ids_duration_and_status(client_for, company_a, caplog):
    caplog.set_level(logging.INFO, logger="autodiag.request")
    client = client_for(company_a.member)
    response = client.get(reverse("diagnostics:list"), headers={"X-Request-ID": "lb-42.a_b"})
    assert response.status_code == 200
    assert response["X-Request-ID"] == "lb-42.a_b"
    [line] = request_lines(caplog)
    assert line.request_id == "lb-42.a_b"
    assert (line.method, line.path, line.status) == ("GET", reverse("diagnostics:list"), 200)
    assert line.user_id == company_a.member.pk
    assert line.company_id == company_a.company.pk
    assert line.duration_ms >= 0
    text = line.getMessage()
    assert company_a.member.email not in text
    assert company_a.member.full_name not in text
    assert company_a.company.name not in text


@pytest.mark.parametrize("incoming", ["", "has space", "x" * 101, "<script>", "a\nb"])
def test_an_insane_incoming_request_id_is_replaced(client, db, caplog, incoming):
    caplog.set_level(logging.INFO, logger="autodiag.request")
    response = client.get("/healthz/", headers={"X-Request-ID": incoming})
    generated = response["X-Request-ID"]
    assert generated != incoming
    assert len(generated) == 32
    assert request_lines(caplog)[0].request_id == generated


def test_records_logged_during_a_request_carry_its_id(client, db, caplog):
    caplog.set_level(logging.INFO)
    caplog.handler.addFilter(RequestIdFilter())
    client.get("/healthz/", headers={"X-Request-ID": "req-7"})
    assert all(r.request_id == "req-7" for r in request_lines(caplog))
    record = logging.makeLogRecord({"msg": "outside"})
    RequestIdFilter().filter(record)
    assert record.request_id == "-"


def test_json_formatter_writes_one_object_per_line_with_the_extra_fields():
    record = logging.makeLogRecord(
        {"name": "autodiag.request", "levelname": "INFO", "msg": "GET / %s", "args": (200,)}
    )
    record.request_id = "req-1"
    record.status = 200
    record.user_id = None
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "GET / 200"
    assert entry["request_id"] == "req-1"
    assert entry["status"] == 200
    assert entry["level"] == "INFO"


def test_log_format_json_makes_the_logs_json():
    env = {**os.environ, "LOG_FORMAT": "json", "DJANGO_SETTINGS_MODULE": "config.settings.base"}
    code = (
        "import django, logging; django.setup(); "
        "from config.logs import request_id; request_id.set('req-9'); "
        "logging.getLogger('autodiag.test').warning('hello %s', 'there')"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    entry = json.loads(result.stderr.strip().splitlines()[-1])
    assert entry == {
        "time": entry["time"],
        "level": "WARNING",
        "logger": "autodiag.test",
        "message": "hello there",
        "request_id": "req-9",
    }


@pytest.mark.live_worker
def test_a_task_logs_one_line_with_the_id_of_the_request_that_enqueued_it(
    live_worker, client_for, company_a, submitted
):
    client = client_for(company_a.member)
    client.post(
        reverse("reports:request", args=[submitted.public_id]),
        headers={"X-Request-ID": "req-pdf-1"},
    )
    report = Report.objects.get()
    wait_for(lambda: "task reports.tasks.render_report" in live_worker.log_text(), timeout=60)
    lines = [
        line
        for line in live_worker.log_text().splitlines()
        if "task reports.tasks.render_report" in line
    ]
    assert len(lines) == 1
    assert "[req-pdf-1]" in lines[0]
    assert " SUCCESS " in lines[0]
    assert f"user={company_a.member.pk} company={company_a.company.pk}" in lines[0]
    assert company_a.member.email not in live_worker.log_text()
    report.refresh_from_db()
    assert report.status == Report.Status.READY
