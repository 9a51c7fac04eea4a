from __future__ import annotations

from django.urls import path

from . import views

app_name = "advisors"

urlpatterns = [
    path("", views.portfolio, name="portfolio"),
    path("export/", views.portfolio_export, name="portfolio_export"),
    path("queue/", views.queue, name="queue"),
    path("companies/<uuid:public_id>/", views.company, name="company"),
    path("reviews/<uuid:public_id>/", views.review, name="review"),
    path("reviews/<uuid:public_id>/save/", views.save_review, name="save_review"),
    path("reviews/<uuid:public_id>/lines/add/", views.add_line, name="add_line"),
    path("reviews/<uuid:public_id>/funding-rules/", views.funding_rules, name="funding_rules"),
]
