"""Liveness (/healthz/) and readiness (/readyz/: PostgreSQL, broker, media storage)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
CLOSED_PORT_BROKER = "redis://127.0.0.1:1/0"


def test_ready_when_database_broker_and_storage_answer(client, db):
    response = client.get("/readyz/")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "broker": "ok", "storage": "ok"},
    }
    assert "no-cache" in response["Cache-Control"]


def test_broker_down_answers_503_naming_the_broker(client, db, settings):
    settings.CELERY_BROKER_URL = CLOSED_PORT_BROKER
    response = client.get("/readyz/")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["broker"].startswith("error")
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["storage"] == "ok"


def test_database_down_answers_503_naming_the_database(client, database_down):
    with database_down():
        response = client.get("/readyz/")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["database"] == "error: OperationalError"
    assert checks["broker"] == "ok"


def test_storage_not_writable_answers_503_naming_the_storage(client, db, settings, tmp_path):
    not_a_directory = tmp_path / "media-file"
    not_a_directory.write_text("a file where the media directory should be")
    settings.MEDIA_ROOT = str(not_a_directory)
    response = client.get("/readyz/")
    assert response.status_code == 503
    assert response.json()["checks"]["storage"].startswith("error")


def test_liveness_stays_ok_while_the_database_is_down(client, database_down):
    with database_down():
        response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.content == b"ok"


def test_probes_refuse_writes(client, db):
    assert client.post("/readyz/").status_code == 405


def _compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_web_healthcheck_is_the_readiness_probe():
    test = _compose()["services"]["web"]["healthcheck"]["test"]
    assert "/readyz/" in " ".join(test)
    worker = _compose()["services"]["worker"]["healthcheck"]["test"]
    assert "inspect ping" in " ".join(worker)


def _run_web_healthcheck(url: str) -> subprocess.CompletedProcess:
    test = _compose()["services"]["web"]["healthcheck"]["test"]
    assert test[:3] == ["CMD", "python", "-c"]
    code = test[3].replace("http://127.0.0.1:8000", url)
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        env={**os.environ, "DJANGO_ALLOWED_HOSTS": "localhost,127.0.0.1"},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


@pytest.mark.django_db(transaction=True)
def test_compose_healthcheck_passes_when_ready_and_fails_when_not(live_server, settings):
    assert _run_web_healthcheck(live_server.url).returncode == 0
    settings.CELERY_BROKER_URL = CLOSED_PORT_BROKER
    failed = _run_web_healthcheck(live_server.url)
    assert failed.returncode != 0
    assert "503" in failed.stderr


def test_compose_passes_the_alert_and_log_settings_to_the_app():
    services = _compose()["services"]
    for name in ("web", "worker", "beat"):
        env = services[name]["environment"]
        assert {"DJANGO_ADMINS", "SENTRY_DSN", "LOG_FORMAT"} <= set(env), name
