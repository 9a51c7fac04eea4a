"""Publishing a version of a document: the one way questionnaires, catalogues and funding
rules get into the database."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any, TypeVar

from django.db import IntegrityError, transaction
from django.db.models import Max

from .models import PublishedVersion

V = TypeVar("V", bound=PublishedVersion)


def definition_checksum(data: dict[str, Any]) -> str:
    """sha256 of the canonical JSON of a definition dict: the same content, the same sum."""
    canonical = json.dumps(data, sort_keys=True)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def publish_version(
    *,
    model: type[V],
    text: str,
    definition: dict[str, Any],
    create_rows: Callable[[V], None] | None = None,
) -> tuple[V, bool]:
    """Publish the validated `definition` of a YAML `text`; (version, created).

    Loading the same content again changes nothing (comments and layout do not count);
    other content under a published key and version is refused with the model's
    `document_error`, naming the version number to publish the changes as. `create_rows`
    adds the rows that belong to a new version (questions, actions) in the same transaction.
    """
    checksum = definition_checksum(definition)
    key, version = definition["key"], definition["version"]
    with transaction.atomic():
        existing = model.objects.filter(key=key, version=version).first()
        if existing is not None:
            return _unchanged(existing, checksum), False
        try:
            with transaction.atomic():  # a savepoint: another process may publish it first
                row = model.objects.create(
                    key=key,
                    version=version,
                    title=definition["title"],
                    definition=definition,
                    source=text,
                    checksum=checksum,
                )
        except IntegrityError:
            existing = model.objects.get(key=key, version=version)
            return _unchanged(existing, checksum), False
        if create_rows is not None:
            create_rows(row)
    return row, True


def _unchanged(existing: V, checksum: str) -> V:
    """The published version if its content is the same; otherwise the document's error."""
    if existing.checksum == checksum:
        return existing
    latest = type(existing).objects.filter(key=existing.key).aggregate(Max("version"))
    next_version = (latest["version__max"] or existing.version) + 1
    raise existing.document_error(
        [
            f"version: {existing.key} v{existing.version} is already published and cannot be "
            f"changed; publish the changes as version {next_version}"
        ]
    )


# The order of "the most recent version first": by publication, then by number.
LATEST_FIRST = ("-published_at", "-version")


def latest_version(model: type[V], key: str | None = None) -> V | None:
    """The most recently published version (of `key`, when given), read without its
    definition and YAML source: its parsed definition is kept per process (`parsed`)."""
    versions = model.objects.all() if key is None else model.objects.filter(key=key)
    return versions.defer("definition", "source").order_by(*LATEST_FIRST).first()
