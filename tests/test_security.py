from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client, override_settings
from django.urls import path, reverse

from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "DJANGO_ENV": "production",
    "DJANGO_SECRET_KEY": "x7#kQ9!vB2@mZ4$wL8^rT1&yU6*oP3(eN5)aS0_dF-gH+jK=lC" + "Zq",
    "DJANGO_ALLOWED_HOSTS": "autodiag.example.org",
    "DATABASE_URL": "postgres://autodiag@127.0.0.1:5432/autodiag",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
    "EMAIL_URL": "smtp+tls://mailer:secret@smtp.example.org:587",
    # The legal notice's publisher and host (legal.W001 otherwise).
    "PUBLISHER_NAME": "Opco Exemple",
    "PUBLISHER_ADDRESS": "1 rue de l'Exemple, 75000 Paris",
    "PUBLISHER_PHONE": "01 00 00 00 00",
    "PUBLISHER_EMAIL": "contact@opco.example",
    "PUBLICATION_DIRECTOR": "Claire Exemple",
    "HOST_NAME": "Hébergeur Exemple",
    "HOST_ADDRESS": "2 avenue de l'Exemple, 69000 Lyon",
    "HOST_PHONE": "04 00 00 00 00",
}


def manage(*args, env):
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "EMAIL_"))
    }
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.quality("S7")
def test_deploy_check_passes_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("override", "complaint"),
    [
        ({"DJANGO_SECRET_KEY": "short"}, "DJANGO_SECRET_KEY"),
        ({"DJANGO_DEBUG": "1"}, "DJANGO_DEBUG"),
        ({"DJANGO_ALLOWED_HOSTS": "*"}, "DJANGO_ALLOWED_HOSTS"),
    ],
)
def test_production_refuses_unsafe_values(override, complaint):
    result = manage("check", env={**PRODUCTION_ENV, **override})
    assert result.returncode != 0
    assert complaint in result.stderr


@pytest.mark.quality("S8")
def test_security_headers_on_pages(client, db):
    response = client.get(reverse("accounts:login"))
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.quality("S8")
def test_https_only_headers_and_cookies_in_production_mode(client, company_a, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    response = client.get(reverse("accounts:login"), secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    csrf = response.cookies["csrftoken"]
    assert csrf["secure"]
    assert csrf["samesite"] == "Lax"
    response = client.post(
        reverse("accounts:login"),
        {"username": company_a.admin.email, "password": "correct-horse-battery"},
        secure=True,
    )
    session = response.cookies["sessionid"]
    assert session["secure"]
    assert session["httponly"]
    assert session["samesite"] == "Lax"


def _boom(request):
    raise RuntimeError("secret internals")


urlpatterns = [path("boom/", _boom)]


@pytest.mark.quality("S12")
@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_server_error_is_plain_and_logged(client, db, caplog):
    client.raise_request_exception = False
    response = client.get("/boom/")
    assert response.status_code == 500
    assert "secret internals" not in response.content.decode()
    assert "Traceback" not in response.content.decode()
    assert "Une erreur est survenue" in response.content.decode()
    assert any("secret internals" in str(r.exc_info) for r in caplog.records if r.exc_info)


def test_healthz_answers_without_database_or_login(client):
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.content == b"ok"


@pytest.mark.parametrize("url", ["accounts:login", "admin:index", "admin:accounts_user_changelist"])
def test_pages_link_an_icon_of_our_own(client_for, db, url):
    """Without one, every browser asks for /favicon.ico, a 404 in its console; the
    operator's administration pages too."""
    operator = UserFactory(is_staff=True, is_superuser=True)
    client = client_for(operator) if url.startswith("admin:") else Client()
    page = client.get(reverse(url)).text
    icon = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', page)
    assert icon
    path = icon[1].removeprefix(settings.STATIC_URL)
    assert finders.find(path)
    assert b"<svg" in Path(finders.find(path)).read_bytes()
