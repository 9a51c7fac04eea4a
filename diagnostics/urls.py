from __future__ import annotations

from django.urls import path

from . import views

app_name = "diagnostics"

urlpatterns = [
    path("", views.diagnostic_list, name="list"),
    path("start/", views.diagnostic_start, name="start"),
    path("<uuid:public_id>/", views.overview, name="overview"),
    path("<uuid:public_id>/submit/", views.confirm_submit, name="confirm_submit"),
    path("<uuid:public_id>/domains/<str:code>/", views.domain_page, name="domain"),
    path("<uuid:public_id>/answers/<str:code>/", views.autosave, name="autosave"),
    path("<uuid:public_id>/results/", views.results, name="results"),
]
