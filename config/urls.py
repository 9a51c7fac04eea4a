from __future__ import annotations

from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from . import views

admin.site.site_header = _("Autodiag operator")
admin.site.index_title = _("Records, published versions and the audit log")

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz/", views.healthz, name="healthz"),
    path("readyz/", views.readyz, name="readyz"),
    path("", include("accounts.urls")),
    path("diagnostics/", include("diagnostics.urls")),
    path("reports/", include("reports.urls")),
    path("advisor/", include("advisors.urls")),
    path("observatory/", include("observatory.urls")),
    path("", include("privacy.urls")),
    path("", include("legal.urls")),
    path("operator/pipeline/", include("operations.urls")),
    path("operator/", admin.site.urls),
]

handler400 = "config.errors.bad_request"
handler403 = "config.errors.permission_denied"
handler404 = "config.errors.page_not_found"
handler500 = "config.errors.server_error"
