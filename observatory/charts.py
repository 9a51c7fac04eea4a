"""Server-rendered horizontal bar charts for the observatory (SVG, no script, no inline
style: presentation attributes only). Labels come from data and are escaped."""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from html import escape

BAR_COLOUR = "#0a4fa6"  # 8.0:1 on white
TEXT_COLOUR = "#1f1f1f"
MUTED_TEXT = "#595959"
FONT = "DejaVu Sans, sans-serif"
LABEL_CHARS = 20


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1].rstrip() + "…"


def _n(x: float) -> str:
    """A figure with at most one decimal, thousands set apart: 12 500, 62.5."""
    x = round(x, 1)
    text = f"{int(x):,}" if x == int(x) else f"{x:,.1f}"
    return text.replace(",", "\u202f")


def bar_svg(bars: Sequence[tuple[str, float]], *, title: str, unit: str = "") -> str:
    """One bar per (label, value), longest first as given; the figures are in the
    chart's description and in the table shown with it."""
    desc = "; ".join(f"{label}: {_n(value)} {unit}".strip() for label, value in bars)
    chart_id = f"bars-{zlib.crc32(repr((title, tuple(bars))).encode()):08x}"
    label_w, bar_w, row_h = 200, 190, 26
    width, height = label_w + bar_w + 64, 12 + row_h * max(len(bars), 1)
    top = max((value for _label, value in bars), default=0) or 1
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'font-family="{FONT}">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
    ]
    for i, (label, value) in enumerate(bars):
        y = 6 + i * row_h
        length = max(1.0, bar_w * value / top)
        out.append(
            f'<text x="{label_w - 6}" y="{y + 17}" font-size="14" text-anchor="end" '
            f'fill="{TEXT_COLOUR}">{escape(_short(label))}</text>'
        )
        out.append(
            f'<rect x="{label_w}" y="{y + 3}" width="{length:.1f}" height="{row_h - 8}" '
            f'fill="{BAR_COLOUR}"/>'
        )
        out.append(
            f'<text x="{label_w + length + 4:.0f}" '
            f'y="{y + 17}" font-size="14" fill="{MUTED_TEXT}">{escape(_n(value))}</text>'
        )
    out.append("</svg>")
    return "\n".join(out)
