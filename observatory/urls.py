from __future__ import annotations

from django.urls import path

from . import views

app_name = "observatory"

urlpatterns = [
    path("", views.needs, name="needs"),
    path("funding/", views.funding, name="funding"),
    path("export/", views.export_tables, name="export"),
    path("companies/<uuid:public_id>/export/", views.export_company, name="company_export"),
]
