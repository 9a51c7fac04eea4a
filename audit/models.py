from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    """Audit entries are never changed or deleted by the app."""


class Action(models.TextChoices):
    LOGIN = "login", _("Login")
    LOGIN_FAILED = "login_failed", _("Failed login")
    LOCKED_OUT = "locked_out", _("Lockout after failed logins")
    LOGOUT = "logout", _("Logout")
    ACCESS_DENIED = "access_denied", _("Access denied")
    INVITATION_SENT = "invitation_sent", _("Invitation sent")
    INVITATION_REVOKED = "invitation_revoked", _("Invitation revoked")
    INVITATION_ACCEPTED = "invitation_accepted", _("Invitation accepted")
    ROLE_CHANGED = "role_changed", _("Role changed")
    MEMBER_REMOVED = "member_removed", _("Member removed")
    REPORT_REQUESTED = "report_requested", _("PDF report requested")
    REPORT_DOWNLOADED = "report_downloaded", _("PDF report downloaded")
    ADVISOR_VIEW = "advisor_view", _("Advisor viewed the company")
    PLAN_VALIDATED = "plan_validated", _("Action plan validated")
    PLAN_CHANGED = "plan_changed", _("Validated action plan changed")
    DATA_EXPORTED = "data_exported", _("Personal data exported")
    TABLE_EXPORTED = "table_exported", _("Table exported (CSV/XLSX)")
    ACCOUNT_DELETED = "account_deleted", _("Account deleted")
    COMPANY_CLOSED = "company_closed", _("Company closed")


class EntryQuerySet(models.QuerySet["Entry"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("Audit entries are never changed.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Audit entries are only deleted by the retention command.")

    def for_company(self, company_id: int) -> EntryQuerySet:
        return self.filter(company_id=company_id)


def _loose_reference(to: str, verbose_name: str) -> models.ForeignKey:
    """A reference by id without a database constraint: deleting the row it points to never
    touches the log (the id simply stops resolving)."""
    return models.ForeignKey(
        to,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=verbose_name,
    )


class Entry(models.Model):
    """One event. Users and companies are referenced by id without a database constraint,
    so erasing or purging them never has to touch the log; nothing personal is copied."""

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    action = models.CharField(_("what"), max_length=30, choices=Action.choices)
    actor = _loose_reference(settings.AUTH_USER_MODEL, _("who"))
    subject = _loose_reference(settings.AUTH_USER_MODEL, _("about whom"))
    company = _loose_reference("accounts.Company", _("company"))
    target = models.CharField(_("object"), max_length=120, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)

    objects = EntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["company", "-at"]),
            models.Index(fields=["actor"]),
            models.Index(fields=["subject"]),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("Audit entries are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Audit entries are only deleted by the retention command.")

    @classmethod
    def purge_before(cls, cutoff: Any) -> int:
        """Delete the entries older than `cutoff` (retention). The only deletion there is:
        on PostgreSQL the table's trigger lets it through for this transaction only."""
        table = connection.ops.quote_name(cls._meta.db_table)
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET LOCAL autodiag.audit_purge = 'on'")
            cursor.execute(f"DELETE FROM {table} WHERE at < %s", [cutoff])  # noqa: S608
            deleted = cursor.rowcount
            if connection.vendor == "postgresql":
                cursor.execute("SET LOCAL autodiag.audit_purge = 'off'")
            return deleted
