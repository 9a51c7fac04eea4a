from __future__ import annotations

from django.urls import path

from . import views

app_name = "advisors"

urlpatterns = [
    path("", views.portfolio, name="portfolio"),
    path("companies/<uuid:public_id>/", views.company, name="company"),
]
