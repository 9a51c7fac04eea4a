"""Our own 400, 403 and 404 pages, in the user's language, never Django's English ones."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import path, reverse


@pytest.fixture
def member(client_for, company_a):
    client = client_for(company_a.member)
    client.cookies["django_language"] = "en"
    return client


def domain_url(diagnostic, code="B"):
    return reverse("diagnostics:domain", args=[diagnostic.public_id, code])


def test_too_many_fields_get_our_page_in_the_users_language(member, diagnostic, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    response = member.post(domain_url(diagnostic), {f"f{i}": "x" for i in range(50)})
    assert response.status_code == 400
    assert "Request refused" in response.text
    assert "Bad Request" not in response.text


def test_too_large_a_body_gets_our_page(member, diagnostic, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = member.post(domain_url(diagnostic), {"q-B.TWO.Q2": "x" * 5000})
    assert response.status_code == 400
    assert "Request refused" in response.text
    assert "Bad Request" not in response.text


def test_our_404_and_403_pages_in_the_users_language(client_for, company_a):
    client = client_for(company_a.member)
    client.cookies["django_language"] = "en"
    assert "Page not found" in client.get("/no-such-page/").text
    response = client.post(reverse("accounts:invite"), {"email": "x@test.example"})
    assert response.status_code == 403
    assert "Access denied" in response.text


def test_the_request_refused_page_is_french_first(client_for, company_a, diagnostic, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    client = client_for(company_a.member)
    response = client.post(domain_url(diagnostic), {f"f{i}": "x" for i in range(50)})
    assert response.status_code == 400
    assert "Requête refusée" in response.text


def _boom(request):
    raise RuntimeError("secret internals")


urlpatterns = [path("boom/", _boom)]
handler500 = "config.errors.server_error"


@pytest.mark.quality("S12")
@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
@pytest.mark.parametrize(
    ("language", "text"), [("fr", "Une erreur est survenue"), ("en", "Something went wrong")]
)
def test_server_error_page_is_plain_and_in_the_users_language(client, db, language, text):
    client.raise_request_exception = False
    client.cookies["django_language"] = language
    response = client.get("/boom/")
    assert response.status_code == 500
    assert text in response.text
    assert "secret internals" not in response.text
    assert "Traceback" not in response.text
