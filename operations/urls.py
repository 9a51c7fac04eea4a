from __future__ import annotations

from django.urls import path

from . import views

app_name = "operations"

urlpatterns = [
    path("", views.pipeline, name="pipeline"),
    path("reports/<uuid:public_id>/retry/", views.retry, name="retry"),
]
