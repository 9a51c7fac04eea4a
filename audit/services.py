"""Writing audit entries. The request being served (set by AuditMiddleware) gives the
default actor and address, so services need not pass the request down."""

from __future__ import annotations

import logging
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from axes.helpers import get_client_ip_address

from .models import Action, Entry

if TYPE_CHECKING:
    from django.http import HttpRequest

    from accounts.models import Company, User

logger = logging.getLogger(__name__)
current_request: ContextVar[HttpRequest | None] = ContextVar("audit_request", default=None)


# Actions that say someone read something (a page, a file, a table). A HEAD request (a link
# checker's, a monitor's) gets the headers alone: it read nothing, so nothing is recorded.
READS = frozenset(
    {Action.ADVISOR_VIEW, Action.REPORT_DOWNLOADED, Action.TABLE_EXPORTED, Action.DATA_EXPORTED}
)


def client_address(request: HttpRequest) -> str | None:
    return get_client_ip_address(request) or None


def record(
    action: str,
    *,
    actor: User | None = None,
    subject: User | None = None,
    company: Company | int | None = None,
    target: object = "",
    detail: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> Entry | None:
    """Append an entry. `detail` holds identifiers and codes only: never a password, a
    token or an answer's text. Nothing is appended for a read asked with HEAD (READS)."""
    request = request or current_request.get()
    if request is not None and request.method == "HEAD" and action in READS:
        return None
    if actor is None and request is not None:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            actor = user
    company_id = company if isinstance(company, int) or company is None else company.pk
    return Entry.objects.create(
        action=action,
        actor=actor,
        subject=subject,
        company_id=company_id,
        target=str(target)[:120],
        detail=detail or {},
        ip_address=client_address(request) if request is not None else None,
    )
