from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("signup/", views.signup, name="signup"),
    path("language/", views.set_language, name="set_language"),
    path("profile/", views.profile, name="profile"),
    path("password/change/", views.password_change, name="password_change"),
    path("password/change/done/", views.password_change_done, name="password_change_done"),
    path("password/reset/", views.password_reset, name="password_reset"),
    path("password/reset/sent/", views.password_reset_done, name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        views.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path("password/reset/done/", views.password_reset_complete, name="password_reset_complete"),
    path("company/switch/", views.switch_company, name="switch_company"),
    path("company/profile/", views.company_profile, name="company_profile"),
    path("company/members/", views.members, name="members"),
    path("company/members/invite/", views.invite, name="invite"),
    path("company/log/", views.company_log, name="company_log"),
    path(
        "company/invitations/<uuid:public_id>/revoke/",
        views.revoke_invitation,
        name="revoke_invitation",
    ),
    path("company/members/<uuid:public_id>/role/", views.change_role, name="change_role"),
    path("company/members/<uuid:public_id>/remove/", views.remove_member, name="remove_member"),
    path("invitations/<str:token>/", views.invitation, name="invitation"),
    path(
        "reminders/<str:token>/unsubscribe/",
        views.reminders_unsubscribe,
        name="reminders_unsubscribe",
    ),
]
