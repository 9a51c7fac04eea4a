from __future__ import annotations

from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("profile/data/", views.my_data, name="my_data"),
    path("profile/delete/", views.delete_account, name="delete_account"),
    path("company/close/", views.close_company, name="close_company"),
]
