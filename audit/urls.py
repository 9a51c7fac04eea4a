from __future__ import annotations

from django.urls import path

from . import views

app_name = "audit"

urlpatterns = [
    path("company/log/", views.company_log, name="company_log"),
]
