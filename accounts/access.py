"""Access helpers: the one way views and tasks find company-owned objects for a user.

Another company's object answers 404, exactly like a missing one; a member without
the role a page needs gets 403.
"""

from __future__ import annotations

import uuid
from functools import wraps
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _

from .models import Company, Invitation, Membership

if TYPE_CHECKING:
    from collections.abc import Callable

    from django.http import HttpRequest, HttpResponse

    from .models import User

SESSION_COMPANY_KEY = "company"


def user_memberships(user: User) -> list[Membership]:
    return list(
        Membership.objects.filter(user=user, company__closed_at__isnull=True)
        .select_related("company")
        .order_by("company__name")
    )


def current_membership(request: HttpRequest) -> Membership | None:
    """The membership of the company chosen in the session (the first one by default).

    The memberships come with the request's user (accounts.backends.MembershipBackend) or,
    for a user logged in otherwise, from one query."""
    if not request.user.is_authenticated:
        return None
    if not hasattr(request, "_current_membership"):
        memberships = getattr(request.user, "loaded_memberships", None)
        if memberships is None:
            memberships = user_memberships(request.user)
        wanted = request.session.get(SESSION_COMPANY_KEY)
        chosen = next((m for m in memberships if str(m.company.public_id) == wanted), None)
        request._current_membership = chosen or (memberships[0] if memberships else None)
        request._memberships = memberships
    return request._current_membership


def select_company(request: HttpRequest, public_id: uuid.UUID | str) -> Membership:
    """The user's membership of the company `public_id` (open), now the session's current
    company; 404 for any other company, and for what is not a company id at all."""
    try:
        public_id = uuid.UUID(str(public_id))
    except ValueError:
        raise Http404("No such company.") from None
    membership = get_object_or_404(
        Membership.objects.select_related("company"),
        user=request.user,
        company__public_id=public_id,
        company__closed_at__isnull=True,
    )
    request.session[SESSION_COMPANY_KEY] = str(membership.company.public_id)
    request._current_membership = membership
    return membership


def company_member_required(
    view: Callable[..., HttpResponse] | None = None,
    *,
    admin: bool = False,
    lookup: Callable[[Membership, Any], object] | None = None,
) -> Any:
    """Decorator: sets request.membership for the current company, or redirects/403s/404s.

    A URL that names an object (it has keyword arguments) answers 404 to anyone without a
    membership, whoever asks. For admin-only object URLs, `lookup` (an access helper taking
    the membership and the URL's public_id) runs first: another company's object answers
    404 to a member too, and only the member's own company's object answers 403.
    """

    def decorator(view_func: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view_func)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            membership = current_membership(request)
            if membership is None:
                if kwargs:
                    raise Http404
                messages.info(request, _("You are not a member of any company yet."))
                return redirect("home")
            if admin and not membership.is_admin:
                if lookup is not None:
                    lookup(membership, kwargs["public_id"])
                raise PermissionDenied(_("Only an administrator of the company can do this."))
            request.membership = membership
            return view_func(request, *args, **kwargs)

        return wrapper

    return decorator(view) if view is not None else decorator


def advisor_required(view_func: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view_func)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.is_advisor:
            if kwargs:
                raise Http404  # a company's page: 404 to whoever may not see it
            raise PermissionDenied(_("This page is for advisors."))
        return view_func(request, *args, **kwargs)

    return wrapper


def get_company_invitation(membership: Membership, public_id: uuid.UUID) -> Invitation:
    return get_object_or_404(Invitation, company=membership.company, public_id=public_id)


def get_company_membership(membership: Membership, public_id: uuid.UUID) -> Membership:
    return get_object_or_404(
        Membership.objects.select_related("user", "company"),
        company=membership.company,
        public_id=public_id,
    )


def get_portfolio_company(user: User, public_id: uuid.UUID) -> Company:
    company = get_object_or_404(Company.objects.for_advisor(user), public_id=public_id)
    record_advisor_view(user, company.pk, company.public_id)
    return company


def record_advisor_view(user: User, company_id: int, target: object) -> None:
    """An advisor looking at a company they are not a member of leaves a trace."""
    import audit
    from audit.models import Action

    if user.is_advisor and not Membership.objects.filter(user=user, company_id=company_id).exists():
        audit.record(Action.ADVISOR_VIEW, actor=user, company=company_id, target=target)


def can_view_company(user: User, company: Company) -> bool:
    """Members of the company and advisors following it (used by tasks and downloads)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if company.closed_at is not None:
        return False
    if Membership.objects.filter(user=user, company=company).exists():
        return True
    return user.is_advisor and company.advisors.filter(pk=user.pk).exists()
