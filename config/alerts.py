"""Errors reach the operator by e-mail to DJANGO_ADMINS (settings.LOGGING) and, when
SENTRY_DSN is set, through a Sentry-compatible error tracker (config/sentry.py).

Neither gets personal data: users appear by id; no names, e-mail addresses, cookies or
form values (answers).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

if TYPE_CHECKING:
    from django.http import HttpRequest


class PrivateExceptionReporterFilter(SafeExceptionReporterFilter):
    """Error reports e-mailed to the admins show no form values (answers) and no cookies."""

    def get_post_parameters(self, request: HttpRequest | None) -> Any:
        if request is None:
            return {}
        cleansed = request.POST.copy()
        for key in cleansed:
            cleansed[key] = self.cleansed_substitute
        return cleansed

    def get_safe_cookies(self, request: HttpRequest) -> dict[str, str]:
        return dict.fromkeys(getattr(request, "COOKIES", {}), self.cleansed_substitute)


class PrivateExceptionReporter(ExceptionReporter):
    """The user appears by id, never by name or e-mail address."""

    def get_traceback_data(self) -> dict[str, Any]:
        data = super().get_traceback_data()
        user = getattr(self.request, "_cached_user", None)
        data["user_str"] = f"id {user.pk}" if user is not None and user.is_authenticated else None
        return data
