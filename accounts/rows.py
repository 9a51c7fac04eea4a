"""Written-out SQL read back into model instances, for the few reads every request makes
(the user with their memberships, the diagnostic of a page): there, the ORM spends longer
building the query and its objects than PostgreSQL spends answering it.

A `Columns` lists every concrete column of some models, in order, under their aliases,
and turns a row of them back into the instances the ORM would have made (`Model.from_db`,
with each field's database converters applied, as the ORM does)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import connection

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from django.db.models import Model


class Columns:
    def __init__(self, *models: tuple[type[Model], str]) -> None:
        names: list[str] = []
        self._layout: list[tuple[type[Model], int, int, list[str], list[tuple[int, list]]]] = []
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
            self._layout.append((model, start, len(names), attnames, converted))
        self.sql = ", ".join(names)
        self.count = len(names)

    def instances(self, row: Sequence[Any]) -> list[Model]:
        """One instance per model, from the first `count` values of `row`."""
        built = []
        for model, start, end, attnames, converted in self._layout:
            values = list(row[start:end])
            for i, converters in converted:
                for converter in converters:
                    values[i] = converter(values[i], None, connection)
            built.append(model.from_db(connection.alias, attnames, values))
        return built
