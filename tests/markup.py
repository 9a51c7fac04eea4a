"""Reading rendered HTML in tests."""

from __future__ import annotations

from html.parser import HTMLParser


class _HeaderCells(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.cells: list[str] = []
        self._open: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "th":
            self._open = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "th" and self._open is not None:
            self.cells.append(" ".join("".join(self._open).split()))
            self._open = None

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._open.append(data)


def header_cells(html: str) -> list[str]:
    """The text of every table header cell (`<th>`), whitespace collapsed."""
    parser = _HeaderCells()
    parser.feed(html)
    parser.close()
    return parser.cells
