from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz/", views.healthz, name="healthz"),
    path("", include("accounts.urls")),
    path("diagnostics/", include("diagnostics.urls")),
    path("reports/", include("reports.urls")),
    path("advisor/", include("advisors.urls")),
    path("operator/", admin.site.urls),
]
