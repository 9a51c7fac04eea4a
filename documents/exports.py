"""Streamed CSV and XLSX exports, safe to open in a spreadsheet (quality bar S11).

A cell that a spreadsheet would read as a formula (text starting with = + - @, a tab or a
carriage return) is prefixed with a quote; numbers and dates stay so. In XLSX a number is a
numeric cell; in CSV it is written as a spreadsheet of the export's language reads it: 12,5
in French (";" separates the cells), 12.5 in English, and 14 rather than 14.0 in both. CSV
rows are written as they are produced (StreamingHttpResponse); XLSX rows go through
openpyxl's write-only workbook into a temporary file, so memory stays flat whatever the
number of rows.
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
from django.utils.translation import get_language, gettext_lazy
from openpyxl import Workbook

from .parsing import format_number

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


def _active_language() -> str:
    """The two-letter code of the active language ("fr" when none is active)."""
    return (get_language() or "fr")[:2]


def csv_cell(value: Any, language: str) -> Any:
    """`safe_cell`, with a decimal number written as readers of `language` write it."""
    cell = safe_cell(value)
    if isinstance(cell, float | Decimal):
        return format_number(cell, language)
    return cell


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[Row], language: str | None = None) -> Iterator[str]:
    """CSV text, one line at a time, with a BOM so spreadsheets read UTF-8; numbers for
    readers of `language` (by default the language active now, not when the lines are
    read: a streamed response is read after its view returned)."""
    return _csv_lines(rows, language or _active_language())


def _csv_lines(rows: Iterable[Row], language: str) -> Iterator[str]:
    writer = csv.writer(_Echo(), delimiter=";")
    yield "\ufeff"
    for row in rows:
        yield writer.writerow([csv_cell(v, language) for v in row])


def csv_response(
    rows: Iterable[Row], filename: str, language: str | None = None
) -> StreamingHttpResponse:
    response = StreamingHttpResponse(csv_lines(rows, language), content_type=CSV_TYPE)
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


def respond(
    fmt: str,
    sheets: list[tuple[str, Iterable[Row]]],
    filename: str,
    language: str | None = None,
) -> Any:
    """CSV (the sheets one after the other) or XLSX (one sheet each); a CSV's numbers for
    readers of `language`, by default the active one."""
    if fmt == "xlsx":
        return xlsx_response(sheets, filename)

    def all_rows() -> Iterator[Row]:
        for index, (title, rows) in enumerate(sheets):
            if len(sheets) > 1:
                if index:
                    yield []
                yield [title]
            yield from rows

    return csv_response(all_rows(), filename, language)
