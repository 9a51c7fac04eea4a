from __future__ import annotations

from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("diagnostics/<uuid:public_id>/submit/", views.submit, name="submit"),
    path("diagnostics/<uuid:public_id>/plan/", views.plan, name="plan"),
    path("diagnostics/<uuid:public_id>/plan/make/", views.make_plan, name="make_plan"),
    path("diagnostics/<uuid:public_id>/plan/save/", views.save_plan, name="save_plan"),
    path("diagnostics/<uuid:public_id>/plan/settings/", views.plan_settings, name="plan_settings"),
    path(
        "diagnostics/<uuid:public_id>/plan/funding-rules/",
        views.plan_funding_rules,
        name="plan_funding_rules",
    ),
    path("diagnostics/<uuid:public_id>/plan/export/", views.export_plan, name="plan_export"),
    path("diagnostics/<uuid:public_id>/report/", views.request_report, name="request"),
    path("<uuid:public_id>/", views.report, name="report"),
    path("<uuid:public_id>/download/", views.download, name="download"),
]
