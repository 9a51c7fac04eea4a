from __future__ import annotations

from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("diagnostics/<uuid:public_id>/plan/", views.plan, name="plan"),
    path("diagnostics/<uuid:public_id>/report/", views.request_report, name="request"),
    path("<uuid:public_id>/", views.report, name="report"),
    path("<uuid:public_id>/download/", views.download, name="download"),
]
