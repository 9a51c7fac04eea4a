from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.i18n import set_language as django_set_language

from audit.models import Entry

from . import access, services
from .forms import (
    CompanyForm,
    CompanyProfileForm,
    EmailAuthenticationForm,
    InviteForm,
    LogFilterForm,
    NewUserForm,
    ProfileForm,
    RoleForm,
)
from .models import Membership, User
from .templatetags.wording import elide

if TYPE_CHECKING:
    import uuid

    from django.http import HttpRequest, HttpResponse


def _remember_language(response: HttpResponse, language: str) -> HttpResponse:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    form_class = EmailAuthenticationForm
    redirect_authenticated_user = True

    def form_valid(self, form: EmailAuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        user = form.get_user()
        translation.activate(user.preferred_language)
        return _remember_language(response, user.preferred_language)


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch, which also becomes the user's preferred language."""
    response = django_set_language(request)
    language = request.POST.get("language")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        request.user.preferred_language = language
        request.user.save(update_fields=["preferred_language"])
    return response


@require_http_methods(["GET", "HEAD", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    """Register a company; a new user (or the logged-in one) becomes its first admin."""
    existing_user = request.user if request.user.is_authenticated else None
    company_form = CompanyForm(request.POST or None, prefix="company")
    user_form = None if existing_user else NewUserForm(request.POST or None, prefix="user")
    if (
        request.method == "POST"
        and company_form.is_valid()
        and (user_form is None or user_form.is_valid())
    ):
        user_data = None
        if user_form is not None:
            user_data = {
                "email": user_form.cleaned_data["email"],
                "password": user_form.cleaned_data["password1"],
                "full_name": user_form.cleaned_data["full_name"],
            }
        membership = services.register_company(
            company_data=company_form.cleaned_data, user=existing_user, user_data=user_data
        )
        if existing_user is None:
            login(request, membership.user, backend="accounts.backends.MembershipBackend")
        access.select_company(request, membership.company.public_id)
        messages.success(
            request,
            _("Welcome! %(company)s is registered and you are its administrator.")
            % {"company": membership.company.name},
        )
        return redirect("home")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "accounts/signup.html",
        {"company_form": company_form, "user_form": user_form},
        status=status,
    )


@login_required
@require_POST
def switch_company(request: HttpRequest) -> HttpResponse:
    membership = access.select_company(request, request.POST.get("company", ""))
    messages.info(request, _("You are now working for %(c)s.") % {"c": membership.company.name})
    return redirect("home")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST":
        if form.is_valid():
            user = form.save()
            translation.activate(user.preferred_language)
            messages.success(request, _("Your profile is saved."))
            return _remember_language(redirect("accounts:profile"), user.preferred_language)
        return render(request, "accounts/profile.html", {"form": form}, status=400)
    return render(request, "accounts/profile.html", {"form": form})


@access.company_member_required(admin=True)
@require_http_methods(["GET", "HEAD", "POST"])
def company_profile(request: HttpRequest) -> HttpResponse:
    company = request.membership.company
    form = CompanyProfileForm(request.POST or None, instance=company)
    if request.method == "POST":
        if form.is_valid():
            form.save()
            messages.success(request, _("The company profile is saved."))
            return redirect("accounts:company_profile")
        return render(request, "accounts/company_profile.html", {"form": form}, status=400)
    return render(request, "accounts/company_profile.html", {"form": form})


@access.company_member_required
@require_safe
def members(request: HttpRequest) -> HttpResponse:
    return _render_members(request, InviteForm())


def _render_members(
    request: HttpRequest, invite_form: InviteForm, status: int = 200
) -> HttpResponse:
    company = request.membership.company
    context = {
        "company": company,
        "membership": request.membership,
        "members": company.memberships.select_related("user").order_by("user__full_name"),
        "invitations": company.invitations.pending().select_related("invited_by"),
        "invite_form": invite_form,
        "roles": Membership.Role.choices,
    }
    return render(request, "accounts/members.html", context, status=status)


@access.company_member_required(admin=True)
@require_POST
def invite(request: HttpRequest) -> HttpResponse:
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            invitation = services.invite(
                membership=request.membership,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
            )
        except services.AccountError as exc:
            form.add_error("email", str(exc))
        else:
            messages.success(
                request, _("An invitation was sent to %(email)s.") % {"email": invitation.email}
            )
            return redirect("accounts:members")
    return _render_members(request, form, status=400)


@access.company_member_required(admin=True, lookup=access.get_company_invitation)
@require_POST
def revoke_invitation(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    invitation = access.get_company_invitation(request.membership, public_id)
    services.revoke_invitation(invitation=invitation)
    messages.success(
        request, _("The invitation to %(email)s is revoked.") % {"email": invitation.email}
    )
    return redirect("accounts:members")


@access.company_member_required(admin=True, lookup=access.get_company_membership)
@require_POST
def change_role(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    target = access.get_company_membership(request.membership, public_id)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a role from the list."))
        return redirect("accounts:members")
    try:
        services.change_role(target=target, role=form.cleaned_data["role"])
    except services.AccountError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, elide(_("The role of %(name)s is changed.") % {"name": target.user})
        )
    return redirect("accounts:members")


@access.company_member_required(admin=True, lookup=access.get_company_membership)
@require_http_methods(["GET", "HEAD", "POST"])
def remove_member(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Remove someone from the company, from a page that says who and what it does: a post
    without that page's `confirm` leads to it and removes no one."""
    target = access.get_company_membership(request.membership, public_id)
    if request.method != "POST" or request.POST.get("confirm") != "1":
        return render(
            request,
            "accounts/remove_member.html",
            {
                "target": target,
                "company": request.membership.company,
                "myself": target.user_id == request.user.id,
                "last_admin": target.is_admin
                and not target.company.memberships.admins().exclude(pk=target.pk).exists(),
            },
        )
    try:
        services.remove_member(target=target)
    except services.AccountError as exc:
        messages.error(request, str(exc))
        return redirect("accounts:members")
    messages.success(
        request, _("%(name)s no longer belongs to the company.") % {"name": target.user}
    )
    if target.user_id == request.user.id:
        request.session.pop(access.SESSION_COMPANY_KEY, None)
        return redirect("home")
    return redirect("accounts:members")


@require_http_methods(["GET", "HEAD", "POST"])
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """Accept an invitation: join with the logged-in account or create one."""
    found = services.find_invitation(token)
    if found is None or not found.is_usable:
        return render(request, "accounts/invitation_invalid.html", status=404)
    user = request.user if request.user.is_authenticated else None
    email_matches = user is not None and user.email.lower() == found.email.lower()
    account_exists = User.objects.filter(email__iexact=found.email).exists()
    form = None
    if user is None and not account_exists:
        form = NewUserForm(request.POST or None, fixed_email=found.email)
    if request.method == "POST":
        try:
            if email_matches:
                membership = services.accept_invitation(token=token, user=user)
            elif form is not None and form.is_valid():
                membership = services.create_user_and_accept(
                    token=token,
                    full_name=form.cleaned_data["full_name"],
                    password=form.cleaned_data["password1"],
                )
                login(request, membership.user, backend="accounts.backends.MembershipBackend")
            else:
                membership = None
        except services.AccountError as exc:
            messages.error(request, str(exc))
            return redirect("home")
        if membership is not None:
            access.select_company(request, membership.company.public_id)
            messages.success(
                request, _("You joined %(company)s.") % {"company": membership.company.name}
            )
            return redirect("home")
    context = {
        "invitation": found,
        "form": form,
        "email_matches": email_matches,
        "account_exists": account_exists,
        "login_url": reverse("accounts:login") + "?next=" + request.path,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/invitation.html", context, status=status)


password_reset = auth_views.PasswordResetView.as_view(
    template_name="accounts/password_reset.html",
    email_template_name="accounts/email/password_reset.txt",
    subject_template_name="accounts/email/password_reset_subject.txt",
    success_url=reverse_lazy("accounts:password_reset_done"),
)
password_reset_done = auth_views.PasswordResetDoneView.as_view(
    template_name="accounts/password_reset_done.html"
)
password_reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    template_name="accounts/password_reset_confirm.html",
    success_url=reverse_lazy("accounts:password_reset_complete"),
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="accounts/password_reset_complete.html"
)
password_change = auth_views.PasswordChangeView.as_view(
    template_name="accounts/password_change.html",
    success_url=reverse_lazy("accounts:password_change_done"),
)
password_change_done = auth_views.PasswordChangeDoneView.as_view(
    template_name="accounts/password_change_done.html"
)


AUDIT_PAGE_SIZE = 50


@access.company_member_required(admin=True)
@require_safe
def company_log(request: HttpRequest) -> HttpResponse:
    """The company's audit log, for its administrators: newest first, filtered, paginated."""
    form = LogFilterForm(request.GET or None)
    entries = Entry.objects.for_company(request.membership.company_id).select_related(
        "actor", "subject"
    )
    status = 200
    if form.is_bound:
        if form.is_valid():
            data = form.cleaned_data
            if data["action"]:
                entries = entries.filter(action=data["action"])
            if data["since"]:
                entries = entries.filter(at__date__gte=data["since"])
            if data["until"]:
                entries = entries.filter(at__date__lte=data["until"])
        else:
            entries, status = entries.none(), 400
    page = Paginator(entries, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "accounts/company_log.html",
        {"form": form, "page": page, "query": query.urlencode()},
        status=status,
    )


@csrf_exempt  # the signed token is the credential; mail clients post it without cookies
@require_http_methods(["GET", "HEAD", "POST"])
def reminders_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """Stop the reminders (re-assessment, funding requests) from the link of an e-mail,
    without logging in.
    GET asks (a link previewer must not unsubscribe anyone); POST, from the page or from a
    mail client's one-click unsubscribe (RFC 8058), does it."""
    user = User.from_reminders_token(token)
    if user is None:
        return render(request, "accounts/reminders_invalid.html", status=404)
    if request.method == "POST":
        user.stop_reminders()
        return render(request, "accounts/reminders_unsubscribed.html", {"person": user})
    return render(request, "accounts/reminders_unsubscribe.html", {"person": user})
