"""The Content-Security-Policy header (S8, P4): the settings' policy, built once per
process, on every page that asks nothing of its own; django-csp's own handling for the rest."""

from __future__ import annotations

import pytest
from csp.constants import HEADER, HEADER_REPORT_ONLY, NONCE
from csp.decorators import csp_exempt, csp_update
from csp.exceptions import CSPNonceError
from csp.utils import build_policy
from django.http import HttpResponse
from django.test import RequestFactory

from config.security_headers import CSPMiddleware


def through_middleware(view, path="/page/", read_nonce=False):
    request = RequestFactory().get(path)
    middleware = CSPMiddleware(view)
    middleware.process_request(request)
    nonce = str(request.csp_nonce) if read_nonce else None
    response = middleware.process_response(request, view(request))
    return request, response, nonce


def plain(request):
    return HttpResponse("ok")


@pytest.mark.quality("S8")
def test_a_page_gets_the_settings_policy_built_once():
    _, first, _ = through_middleware(plain)
    _, second, _ = through_middleware(plain)
    assert first[HEADER] == build_policy()
    assert "script-src 'self'" in first[HEADER]
    assert first[HEADER] is second[HEADER]  # the same string: built once, not per response
    assert HEADER_REPORT_ONLY not in first


def test_the_policy_follows_the_settings(settings):
    through_middleware(plain)
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'none'"]}}
    _, response, _ = through_middleware(plain)
    assert response[HEADER] == "default-src 'none'"
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = {
        "DIRECTIVES": {"default-src": ["'self'"]},
        "EXCLUDE_URL_PREFIXES": ["/hidden/"],
    }
    _, response, _ = through_middleware(plain)
    assert response[HEADER_REPORT_ONLY] == "default-src 'self'"
    _, response, _ = through_middleware(plain, path="/hidden/x/")
    assert HEADER_REPORT_ONLY not in response
    assert response[HEADER] == "default-src 'none'"


@pytest.mark.quality("S8")
def test_a_view_s_own_policy_and_a_read_nonce_go_through_django_csp(settings):
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"script-src": ["'self'", NONCE]}}
    updated = csp_update({"img-src": ["https://example.org"]})(plain)
    _, response, _ = through_middleware(updated)
    assert "https://example.org" in response[HEADER]
    _, response, _ = through_middleware(plain)
    assert "script-src 'self'" in response[HEADER]
    assert "nonce-" not in response[HEADER]
    _, response, nonce = through_middleware(plain, read_nonce=True)
    assert f"script-src 'self' 'nonce-{nonce}'" in response[HEADER]
    _, response, _ = through_middleware(csp_exempt()(plain))
    assert HEADER not in response


def test_the_nonce_cannot_be_read_once_the_header_is_written():
    request, _, _ = through_middleware(plain)
    with pytest.raises(CSPNonceError):
        str(request.csp_nonce)


@pytest.mark.quality("S8")
def test_pages_carry_the_header_built_once(client, db):
    first, second = client.get("/login/"), client.get("/")
    assert first[HEADER] == build_policy()
    assert first[HEADER] is second[HEADER]
