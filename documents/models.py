"""The published version of a YAML document: one abstract model for every kind."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from documents.parsing import MAX_KEY_LENGTH, DocumentError, tr

if TYPE_CHECKING:
    from collections.abc import Callable

T = TypeVar("T")

# Parsed definitions of published versions, by (model, id, checksum): a version never
# changes, so each process parses it once.
_PARSED: dict[tuple[type, int, str], Any] = {}


class PublishedVersionError(Exception):
    """A published version is never changed nor deleted."""


class PublishedVersion(models.Model):
    """A published version of a document (`key` v`version`), loaded from a YAML file.

    A version is immutable once stored: `save()` of a stored row and `delete()` refuse, so
    neither the admin, an import nor code can change what diagnostics and plans rely on.
    Subclasses name the error their loader raises (`document_error`).
    """

    document_error: type[DocumentError] = DocumentError

    key = models.SlugField(_("key"), max_length=MAX_KEY_LENGTH)
    version = models.PositiveIntegerField(_("version"))
    title = models.JSONField(_("title"))
    definition = models.JSONField(_("definition"))
    source = models.TextField(_("YAML source"))
    checksum = models.CharField(max_length=64)
    published_at = models.DateTimeField(_("published"), default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["key", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["key", "version"], name="%(class)s_key_version")
        ]

    def __str__(self) -> str:
        """The title in the current language (French by default), with the version."""
        return f"{self.display_title(get_language() or 'fr')} (v{self.version})"

    def save(self, *args: object, **kwargs: object) -> None:
        # Integrity rule, not a workflow: a stored version is immutable.
        if self.pk is not None:
            raise PublishedVersionError(
                f"{self.key} v{self.version} is published: make a new version."
            )
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise PublishedVersionError(f"{self.key} v{self.version} is published and kept.")

    def parsed(self, parse: Callable[[Any], T]) -> T:
        """`parse(self.definition)`, once per process for this version. The definition is
        only read when the process has not parsed it yet, so a row read without it (for
        example by `latest_version`) costs no JSON decoding after the first time."""
        key = (type(self), self.pk, self.checksum)
        if key not in _PARSED:
            _PARSED[key] = parse(self.definition)
        return _PARSED[key]

    def display_title(self, language: str) -> str:
        return tr(self.title, language)
