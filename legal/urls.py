from __future__ import annotations

from django.urls import path

from . import views

app_name = "legal"

urlpatterns = [
    path("legal-notice/", views.legal_notice, name="notice"),
    path("privacy/", views.privacy_notice, name="privacy"),
    path("accessibility/", views.accessibility, name="accessibility"),
]
