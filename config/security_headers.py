"""The Content-Security-Policy header, built once for the pages that ask nothing of their own.

django-csp builds the header from `CONTENT_SECURITY_POLICY` on every response: a copy of
each directive, then their joining, about a twentieth of a millisecond a page and some 2 %
of a respondent's journey. A response that brings no policy of its own (none of the
`csp_update`, `csp_replace` or `csp` decorators) to a request whose nonce was not read gets
the policy of the settings, which changes only with them: `CSPMiddleware` builds it once and
keeps it until a setting changes (`setting_changed`, sent by the tests' overrides). Every
other response goes through django-csp as it is.
"""

from __future__ import annotations

from dataclasses import dataclass

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as LibraryCSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponseBase

# What a response carries when its view asks for a policy of its own (django-csp's decorators).
_RESPONSE_OWN = (
    "_csp_config",
    "_csp_update",
    "_csp_replace",
    "_csp_config_ro",
    "_csp_update_ro",
    "_csp_replace_ro",
)


@dataclass(frozen=True)
class _Header:
    """A header of the settings' policy: its name and value, the response attribute that
    exempts a response from it, and the URL prefixes it leaves out."""

    name: str
    value: str
    exempt: str
    prefixes: tuple[str, ...]


_CACHE: dict[str, tuple[_Header, _Header]] = {}


@receiver(setting_changed)
def _forget_policy(*, setting: str, **kwargs: object) -> None:
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _CACHE.clear()


def _settings_headers() -> tuple[_Header, _Header]:
    """The policy and report-only headers of the settings, built once per process (until a
    setting changes)."""
    headers = _CACHE.get("settings")
    if headers is None:
        headers = _CACHE["settings"] = (
            _Header(HEADER, build_policy(), "_csp_exempt", _excluded("CONTENT_SECURITY_POLICY")),
            _Header(
                HEADER_REPORT_ONLY,
                build_policy(report_only=True),
                "_csp_exempt_ro",
                _excluded("CONTENT_SECURITY_POLICY_REPORT_ONLY"),
            ),
        )
    return headers


def _excluded(name: str) -> tuple[str, ...]:
    policy = getattr(settings, name, None) or {}
    return tuple(policy.get("EXCLUDE_URL_PREFIXES", None) or ())


class CSPMiddleware(LibraryCSPMiddleware):
    """django-csp's middleware, with the settings' header built once (see the module)."""

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if getattr(request, "_csp_nonce", None) is not None or any(
            getattr(response, name, None) is not None for name in _RESPONSE_OWN
        ):
            return super().process_response(request, response)
        if settings.DEBUG and response.status_code in (404, 500):
            return response  # django-csp leaves Django's debug pages alone
        path = request.path_info
        for header in _settings_headers():
            if (
                header.value
                and header.name not in response
                and not getattr(response, header.exempt, False)
                and not path.startswith(header.prefixes)
            ):
                response[header.name] = header.value
        # As django-csp does: reading the nonce once the header is written is an error.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response
