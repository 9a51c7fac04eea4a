"""Written-out SQL for the few statements where the ORM costs more than PostgreSQL.

- `Columns`: the reads every request makes (the user with their memberships, the
  diagnostic of a page). It lists every concrete column of some models, in order, under
  their aliases, and turns a row of them back into the instances the ORM would have made
  (`Model.from_db`, with each field's database converters applied, as the ORM does).
- `bulk_insert`: the many-row inserts of a submission (scores, plan lines). Django's
  `bulk_create` sends one array per column, and psycopg quotes every element of a text
  or JSON array in Python (a regular expression per element): 5.5 of the 8.6 ms that 23
  plan lines took. One JSON document of the rows costs one quoting.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.db import connection, models

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from django.db.models import Model


class Columns:
    """Every concrete column of some models under their aliases (`sql`, `count` of them),
    worked out once; `instances` reads a row of them back."""

    def __init__(self, *models: tuple[type[Model], str]) -> None:
        names: list[str] = []
        self._layout: list[
            tuple[type[Model], int, int, int, list[str], list[tuple[int, list]]]
        ] = []
        for model, alias in models:
            start = len(names)
            attnames, converted = [], []
            for i, field in enumerate(model._meta.concrete_fields):
                names.append(f'{alias}."{field.column}"')
                attnames.append(field.attname)
                converters: list[Callable[..., Any]] = field.get_db_converters(
                    connection
                ) + connection.ops.get_db_converters(field.get_col(model._meta.db_table))
                if converters:
                    converted.append((i, converters))
            pk = attnames.index(model._meta.pk.attname)
            self._layout.append((model, start, len(names), pk, attnames, converted))
        self.sql = ", ".join(names)
        self.count = len(names)

    def instances(self, row: Sequence[Any]) -> list[Model | None]:
        """One instance per model, from the first `count` values of `row`; None for a
        model whose primary key is null (the missing side of an outer join)."""
        built: list[Model | None] = []
        for model, start, end, pk, attnames, converted in self._layout:
            values = list(row[start:end])
            if values[pk] is None:
                built.append(None)
                continue
            for i, converters in converted:
                for converter in converters:
                    values[i] = converter(values[i], None, connection)
            built.append(model.from_db(connection.alias, attnames, values))
        return built


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()  # all of it: Django's JSON encoder drops microseconds
    if isinstance(value, UUID | Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not a column value bulk_insert knows")


def bulk_insert(objs: Sequence[Model]) -> None:
    """Insert new instances of one model, as `bulk_create` does (their ids set, saved
    state), in one statement on PostgreSQL: the rows go as one JSON document that
    `jsonb_populate_recordset` turns into the table's row type. Other databases:
    `bulk_create`. For plain rows: no expressions, no JSON field with its own encoder."""
    if not objs:
        return
    model = type(objs[0])
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(objs)
        return
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    if any(isinstance(f, models.JSONField) and f.encoder is not None for f in fields):
        raise ValueError("bulk_insert does not know JSON fields with their own encoder")
    rows = [{f.column: f.get_prep_value(f.pre_save(obj, True)) for f in fields} for obj in objs]
    table = connection.ops.quote_name(meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    sql = (
        f"INSERT INTO {table} ({columns}) SELECT {columns} "  # noqa: S608
        f"FROM jsonb_populate_recordset(NULL::{table}, %s) "
        f"RETURNING {connection.ops.quote_name(meta.pk.column)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [json.dumps(rows, default=_json_value)])
        ids = cursor.fetchall()
    for obj, (pk,) in zip(objs, ids, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = connection.alias
