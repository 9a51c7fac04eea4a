"""HTML to PDF with WeasyPrint, fetching nothing but our own static files and data: URLs.

WeasyPrint fetches every URL a document mentions (images, stylesheets, @import, fonts,
`<link rel=attachment>`...) with its URL fetcher. The default one reads file:// URLs and
makes HTTP requests to any host (server-side request forgery, local file disclosure:
CVE-2025-68616, CVE-2026-49452, CVE-2026-55073). Escaping user text in the template is
the first defence; `StaticOnlyFetcher` is the second one, for the day escaping is
bypassed: it serves `data:` URLs and `static:<path>` files found by the staticfiles
finders, and refuses everything else (so no redirect can ever be followed either).

The same fetcher instance must be given to `HTML()` and to every `CSS()`: a `CSS()`
built without one gets WeasyPrint's default fetcher, which fetches anything.
"""

from __future__ import annotations

import gc
import logging
import mimetypes
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from django.contrib.staticfiles import finders
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

logger = logging.getLogger(__name__)

STATIC_SCHEME = "static:"
PDF_VARIANT = "pdf/ua-1"  # tagged PDF: structure tree, document language, title shown
MAX_LOGGED_URL = 120
# A relative path made of plain segments: letters, digits, "_", "-", "." (no "..").
_SAFE_STATIC_PATH = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]*(/[A-Za-z0-9_][A-Za-z0-9_.\-]*)*")


class RefusedURL(ValueError):
    """The PDF renderer may not fetch this URL."""


def _short(url: str) -> str:
    return url if len(url) <= MAX_LOGGED_URL else url[:MAX_LOGGED_URL] + "…"


def static_path(url: str) -> Path:
    """The file behind a `static:<path>` URL, or RefusedURL.

    Only plain relative paths under the static directories: no "..", no absolute path,
    no backslash, query or fragment (also when percent-encoded).
    """
    if not url.startswith(STATIC_SCHEME):
        raise RefusedURL("not a static: URL")
    relative = unquote(url.removeprefix(STATIC_SCHEME))
    segments = relative.split("/")
    if not _SAFE_STATIC_PATH.fullmatch(relative) or any(s in {".", ".."} for s in segments):
        raise RefusedURL("unsafe static path")
    found = finders.find(relative)
    if not found or not isinstance(found, str) or not Path(found).is_file():
        raise RefusedURL("no such static file")
    return Path(found)


class StaticOnlyFetcher(URLFetcher):
    """Serves `data:` URLs and `static:<path>` files; refuses every other URL.

    file://, http(s)://, ftp://, relative paths, unknown schemes: all raise RefusedURL, so
    nothing outside our static files is ever read and nothing remote is requested.
    WeasyPrint catches the exception, logs it and renders without the resource.
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("timeout", 1)
        kwargs["allowed_protocols"] = {"data"}  # what the parent may open: data: only
        kwargs["allow_redirects"] = False
        super().__init__(**kwargs)
        self.served: list[str] = []  # the URLs served, for tests and debugging

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        try:
            if url[:5].lower() == "data:":
                response = super().fetch(url, headers)
            else:
                path = static_path(url)
                content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                response = URLFetcherResponse(
                    url, body=path.read_bytes(), headers={"Content-Type": content_type}
                )
        except RefusedURL as exc:
            logger.warning("PDF renderer refused URL %r (%s)", _short(url), exc)
            raise
        except Exception as exc:
            logger.warning("PDF renderer refused URL %r (%s)", _short(url), exc)
            raise RefusedURL(str(exc)) from exc
        self.served.append(_short(url))
        return response


@dataclass(frozen=True)
class RenderedPdf:
    content: bytes
    pages: int


def _stylesheet_url(stylesheet: str) -> str:
    return stylesheet if stylesheet.startswith(STATIC_SCHEME) else STATIC_SCHEME + stylesheet


@contextmanager
def collector_held_off() -> Iterator[None]:
    """Python's cyclic garbage collector held off for the block, then run on young objects.

    A render leaves some 78,000 objects in reference cycles (the demo report: WeasyPrint's
    styles, which point at their parents, the two trees of the HTML, boxes). With the
    collector on, they outlive the young generations' collections while the render runs,
    and set off about two full collections per render, each of which walks every object of
    the process (Django's, WeasyPrint's modules...): a sixth to a fifth of the render's CPU.
    Held off, then one collection of the young generations (everything the block made is
    still in the youngest) frees the same cycles for a fraction of that
    (docs/performance.md, "The collector held off during the render").

    A process-wide switch, fit for a worker process that renders one report at a time: a
    caller that already turned the collector off keeps it off, and nothing is collected
    for it. The collector comes back if the block fails (a soft time limit included).
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.collect(1)


def render_pdf(
    html: str,
    *,
    stylesheets: Sequence[str] = ("css/report.css",),
    fetcher: StaticOnlyFetcher | None = None,
) -> RenderedPdf:
    """Render an HTML string to a tagged (PDF/UA-1) PDF.

    `stylesheets` are static paths ("css/report.css") or `static:` URLs; a missing one is
    an error. Resources in the HTML must be `static:<path>` or `data:` URLs; anything
    else is left out. The HTML should have `<html lang>` and a `<title>` (the PDF title
    and language come from them; PDF/UA needs both).
    """
    with collector_held_off():
        # In a function of its own, so that the document is garbage when the young
        # objects are collected.
        return _render(html, stylesheets, fetcher or StaticOnlyFetcher())


def _render(html: str, stylesheets: Sequence[str], fetcher: StaticOnlyFetcher) -> RenderedPdf:
    document = HTML(string=html, base_url=STATIC_SCHEME, url_fetcher=fetcher)
    css = [CSS(url=_stylesheet_url(s), url_fetcher=fetcher) for s in stylesheets]
    rendering = document.render(stylesheets=css)
    if not rendering.metadata.title:
        logger.warning("PDF rendered without a <title>: the PDF has no title.")
    if not rendering.metadata.lang:
        logger.warning("PDF rendered without <html lang>: the PDF has no language.")
    try:
        content = rendering.write_pdf(pdf_variant=PDF_VARIANT)
    except Exception:
        logger.warning(
            "Rendering as %s failed; falling back to an untagged PDF.", PDF_VARIANT, exc_info=True
        )
        content = rendering.write_pdf()
    return RenderedPdf(content=content, pages=len(rendering.pages))
