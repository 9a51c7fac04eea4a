"""Streamed CSV and XLSX exports, safe to open in a spreadsheet (quality bar S11).

A cell that a spreadsheet would read as a formula (text starting with = + - @, a tab or a
carriage return) is prefixed with a quote; numbers and dates stay so. CSV rows are written as
they are produced (StreamingHttpResponse); XLSX rows go through openpyxl's write-only
workbook into a temporary file, so memory stays flat whatever the number of rows.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.http import FileResponse, StreamingHttpResponse
from django.utils.translation import gettext_lazy
from openpyxl import Workbook

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

Row = Sequence[Any]
FORMATS = [("csv", "CSV"), ("xlsx", "XLSX")]


class ExportForm(forms.Form):
    """The file format asked for (`?format=`): CSV by default."""

    format = forms.ChoiceField(
        label=gettext_lazy("File format"), choices=FORMATS, initial="csv", required=False
    )


def safe_cell(value: Any) -> Any:
    """The value as a spreadsheet must store it: numbers as numbers, text defused."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float | Decimal | date):
        return value  # a date stays a date (ISO in CSV)
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[Row]) -> Iterator[str]:
    """CSV text, one line at a time, with a BOM so spreadsheets read UTF-8."""
    writer = csv.writer(_Echo(), delimiter=";")
    yield "\ufeff"
    for row in rows:
        yield writer.writerow([safe_cell(v) for v in row])


def csv_response(rows: Iterable[Row], filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(csv_lines(rows), content_type=CSV_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def write_xlsx(sheets: Iterable[tuple[str, Iterable[Row]]], target: Any) -> None:
    """Write the sheets (title, rows) to a file object with a write-only workbook."""
    workbook = Workbook(write_only=True)
    for title, rows in sheets:
        sheet = workbook.create_sheet(title=title[:31])
        for row in rows:
            sheet.append([safe_cell(v) for v in row])
    workbook.save(target)


def xlsx_response(sheets: Iterable[tuple[str, Iterable[Row]]], filename: str) -> FileResponse:
    target = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the response
    write_xlsx(sheets, target)
    target.seek(0)
    return FileResponse(
        target, as_attachment=True, filename=f"{filename}.xlsx", content_type=XLSX_TYPE
    )


def respond(fmt: str, sheets: list[tuple[str, Iterable[Row]]], filename: str) -> Any:
    """CSV (the sheets one after the other) or XLSX (one sheet each)."""
    if fmt == "xlsx":
        return xlsx_response(sheets, filename)

    def all_rows() -> Iterator[Row]:
        for index, (title, rows) in enumerate(sheets):
            if len(sheets) > 1:
                if index:
                    yield []
                yield [title]
            yield from rows

    return csv_response(all_rows(), filename)
