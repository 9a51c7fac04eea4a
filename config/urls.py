from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from . import views

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
    path("operator/pipeline/", include("operations.urls")),
    path("operator/", admin.site.urls),
]

handler400 = "config.errors.bad_request"
handler403 = "config.errors.permission_denied"
handler404 = "config.errors.page_not_found"
handler500 = "config.errors.server_error"
