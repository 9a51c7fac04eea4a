"""Server-rendered SVG charts (no Django), for the results page and the PDF report.

The page's Content-Security-Policy forbids inline styles, so the SVG uses presentation
attributes only (fill, stroke, font-size...), never a `style` attribute or element.
Every piece of text is escaped: labels come from data.
"""

from __future__ import annotations

import math
import textwrap
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

SCORE_COLOUR = "#0a4fa6"  # 8.0:1 on white
TARGET_COLOUR = "#b3261e"  # 6.5:1 on white
GRID_COLOUR = "#c4c4c4"
MUTED_TEXT = "#595959"  # 7.0:1 on white
TEXT_COLOUR = "#1f1f1f"
FONT = "DejaVu Sans, sans-serif"
LABEL_WIDTH = 18  # characters per line of an axis label
MAX_SECOND_LINE = 24  # a longer rest is cut with an ellipsis
GRID_STEPS = (25, 50, 75, 100)


@dataclass(frozen=True)
class RadarAxis:
    label: str
    score: float | None  # 0..100, None when nothing is known
    target: float | None  # 0..100


def _n(x: float) -> str:
    """A number with at most one decimal: 62.5, 75, 0."""
    x = round(x, 1)
    return str(int(x)) if x == int(x) else f"{x:.1f}"


def _value_text(x: float | None) -> str:
    return "–" if x is None else _n(x)


def _clamp(x: float | None) -> float:
    return 0.0 if x is None else max(0.0, min(100.0, x))


def _wrap(label: str) -> list[str]:
    """One or two lines; the second is cut with an ellipsis if the label is very long."""
    lines = textwrap.wrap(label, LABEL_WIDTH) or [""]
    rest = " ".join(lines[1:])
    if len(rest) <= MAX_SECOND_LINE:
        return lines[:1] + ([rest] if rest else [])
    return [lines[0], rest[: MAX_SECOND_LINE - 1].rstrip() + "…"]


def _description(axes: Sequence[RadarAxis], score_label: str, target_label: str) -> str:
    return "; ".join(
        f"{a.label}: {score_label} {_value_text(a.score)}, {target_label} {_value_text(a.target)}"
        for a in axes
    )


def _header(chart_id: str, width: int, height: int, title: str, desc: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" font-family="{FONT}">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
    ]


def radar_svg(
    axes: Sequence[RadarAxis],
    *,
    title: str,
    score_label: str,
    target_label: str,
    no_score_label: str = "–",
    size: int = 440,
) -> str:
    """A radar chart of scores against targets (0..100), one axis per item, clockwise.

    An axis without a score has no point: the score polygon joins the axes that have one,
    and the axis's label says `no_score_label` on a line of its own, so that nothing reads
    as a zero."""
    desc = _description(axes, score_label, target_label)
    chart_id = f"radar-{zlib.crc32(repr((title, tuple(axes))).encode()):08x}"
    n = len(axes)
    if n < 3:
        # Too few axes for a radar: the figures as text.
        height = 24 + 20 * n
        out = _header(chart_id, size, height, title, desc)
        for i, axis in enumerate(axes):
            line = (
                f"{axis.label}: {score_label} {_value_text(axis.score)}, "
                f"{target_label} {_value_text(axis.target)}"
            )
            out.append(
                f'<text x="8" y="{20 + 20 * i}" font-size="12" fill="{TEXT_COLOUR}">'
                f"{escape(line)}</text>"
            )
        out.append("</svg>")
        return "\n".join(out)

    pad = round(size * 0.28)  # room for the labels on the left and right
    width, height = size + 2 * pad, size + 32
    cx, cy = width / 2, size / 2
    radius = size * 0.36

    def point(i: int, value: float, extra: float = 0.0) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * i / n
        r = radius * value / 100 + extra
        return cx + r * math.cos(angle), cy + r * math.sin(angle)

    def points(values: Sequence[float]) -> str:
        return " ".join(f"{_n(x)},{_n(y)}" for x, y in (point(i, v) for i, v in enumerate(values)))

    out = _header(chart_id, width, height, title, desc)

    # Grid: concentric polygons, spokes, and the scale along the first (top) spoke.
    for step in GRID_STEPS:
        out.append(
            f'<polygon class="grid" points="{points([step] * n)}" fill="none" '
            f'stroke="{GRID_COLOUR}" stroke-width="1"/>'
        )
    for i in range(n):
        x, y = point(i, 100)
        out.append(
            f'<line x1="{_n(cx)}" y1="{_n(cy)}" x2="{_n(x)}" y2="{_n(y)}" '
            f'stroke="{GRID_COLOUR}" stroke-width="1"/>'
        )
    for step in GRID_STEPS:
        x, y = point(0, step)
        out.append(
            f'<text x="{_n(x + 4)}" y="{_n(y + 10)}" font-size="9" fill="{MUTED_TEXT}">'
            f"{step}</text>"
        )

    # The two series: the target dashed, the score filled.
    targets = [_clamp(a.target) for a in axes]
    scored = [(i, _clamp(a.score)) for i, a in enumerate(axes) if a.score is not None]
    out.append(
        f'<polygon class="series-target" points="{points(targets)}" fill="none" '
        f'stroke="{TARGET_COLOUR}" stroke-width="2" stroke-dasharray="6 4"/>'
    )
    if scored:
        score_points = " ".join(
            f"{_n(x)},{_n(y)}" for x, y in (point(i, value) for i, value in scored)
        )
        out.append(
            f'<polygon class="series-score" points="{score_points}" fill="{SCORE_COLOUR}" '
            f'fill-opacity="0.2" stroke="{SCORE_COLOUR}" stroke-width="2"/>'
        )
    for i in range(n):
        x, y = point(i, targets[i])
        out.append(
            f'<rect x="{_n(x - 3)}" y="{_n(y - 3)}" width="6" height="6" fill="{TARGET_COLOUR}"/>'
        )
    for i, value in scored:
        x, y = point(i, value)
        out.append(
            f'<circle cx="{_n(x)}" cy="{_n(y)}" r="4" fill="{SCORE_COLOUR}" '
            f'stroke="{SCORE_COLOUR}" stroke-width="2"/>'
        )

    # Axis labels outside the circle, anchored away from it.
    line_height = 14
    for i, axis in enumerate(axes):
        x, y = point(i, 100, extra=12)
        dx, dy = x - cx, y - cy
        anchor = "start" if dx > 1 else "end" if dx < -1 else "middle"
        lines = _wrap(axis.label) + ([f"({no_score_label})"] if axis.score is None else [])
        if dy < -radius * 0.3:  # above: the last line sits on the point
            first = y - line_height * (len(lines) - 1)
        elif dy > radius * 0.3:  # below: the first line hangs from it
            first = y + 11
        else:  # beside: centred on it
            first = y + 4 - line_height * (len(lines) - 1) / 2
        tspans = "".join(
            f'<tspan x="{_n(x)}" y="{_n(first + line_height * k)}">{escape(line)}</tspan>'
            for k, line in enumerate(lines)
        )
        out.append(
            f'<text text-anchor="{anchor}" font-size="12" fill="{TEXT_COLOUR}">{tspans}</text>'
        )

    # Legend, centred under the chart (text widths estimated at 7 units a character).
    y = size + 14
    x = round(cx - (20 + 7 * len(score_label) + 24 + 30 + 7 * len(target_label)) / 2)
    out.append(
        f'<rect x="{x}" y="{y - 9}" width="14" height="10" fill="{SCORE_COLOUR}" '
        f'fill-opacity="0.2" stroke="{SCORE_COLOUR}" stroke-width="2"/>'
    )
    out.append(
        f'<text x="{x + 20}" y="{y}" font-size="12" fill="{TEXT_COLOUR}">'
        f"{escape(score_label)}</text>"
    )
    x += 20 + 7 * len(score_label) + 24
    out.append(
        f'<line x1="{x}" y1="{y - 4}" x2="{x + 24}" y2="{y - 4}" stroke="{TARGET_COLOUR}" '
        f'stroke-width="2" stroke-dasharray="6 4"/>'
    )
    out.append(
        f'<text x="{x + 30}" y="{y}" font-size="12" fill="{TEXT_COLOUR}">'
        f"{escape(target_label)}</text>"
    )
    out.append("</svg>")
    return "\n".join(out)


# Series of a line chart: colours of at least 4.5:1 on white, with a marker shape and a
# dash pattern each, so that no series is told apart by its colour alone.
LINE_COLOURS = (
    "#0a4fa6",
    "#b3261e",
    "#1b6e20",
    "#6a3d9a",
    "#8a4b08",
    "#00606b",
    "#a3195b",
    "#3f3f3f",
)
LINE_DASHES = ("", "6 4", "2 3", "8 3 2 3")
LINE_MARKERS = ("circle", "square", "triangle", "diamond")


def series_style(k: int) -> tuple[str, str, str]:
    """Colour, dash pattern and marker of the k-th series. Past the eighth colour the
    marker and the dash move on, so that no two of the first 32 series look alike, even
    where a series is one point (a marker without a line)."""
    turn = k // len(LINE_COLOURS)
    return (
        LINE_COLOURS[k % len(LINE_COLOURS)],
        LINE_DASHES[(k + 2 * turn) % len(LINE_DASHES)],
        LINE_MARKERS[(k + turn) % len(LINE_MARKERS)],
    )


@dataclass(frozen=True)
class LineSeries:
    label: str
    values: tuple[float | None, ...]  # 0..100 per point in time, None when unknown


def _marker(shape: str, x: float, y: float, colour: str) -> str:
    if shape == "square":
        return f'<rect x="{_n(x - 4)}" y="{_n(y - 4)}" width="8" height="8" fill="{colour}"/>'
    if shape == "triangle":
        pts = f"{_n(x)},{_n(y - 5)} {_n(x + 5)},{_n(y + 4)} {_n(x - 5)},{_n(y + 4)}"
        return f'<polygon points="{pts}" fill="{colour}"/>'
    if shape == "diamond":
        pts = f"{_n(x)},{_n(y - 5)} {_n(x + 5)},{_n(y)} {_n(x)},{_n(y + 5)} {_n(x - 5)},{_n(y)}"
        return f'<polygon points="{pts}" fill="{colour}"/>'
    return f'<circle cx="{_n(x)}" cy="{_n(y)}" r="4" fill="{colour}"/>'


def line_svg(
    series: Sequence[LineSeries],
    x_labels: Sequence[str],
    *,
    title: str,
    width: int = 640,
    plot_height: int = 240,
) -> str:
    """Scores (0..100) over successive points in time, one line per series; a gap in a
    line where a value is unknown. The legend lists the series under the plot."""
    desc = "; ".join(
        f"{s.label}: "
        + ", ".join(f"{x} {_value_text(v)}" for x, v in zip(x_labels, s.values, strict=True))
        for s in series
    )
    chart_id = f"line-{zlib.crc32(repr((title, tuple(series), tuple(x_labels))).encode()):08x}"
    left, right, top = 40, 24, 16
    legend_top = top + plot_height + 40
    height = legend_top + 18 * len(series) + 8
    out = _header(chart_id, width, height, title, desc)
    plot_w = width - left - right
    n = len(x_labels)

    def x_of(i: int) -> float:
        return left + (plot_w / 2 if n == 1 else plot_w * i / (n - 1))

    def y_of(v: float) -> float:
        return top + plot_height * (1 - _clamp(v) / 100)

    for step in (0, *GRID_STEPS):
        y = y_of(step)
        out.append(
            f'<line x1="{left}" y1="{_n(y)}" x2="{width - right}" y2="{_n(y)}" '
            f'stroke="{GRID_COLOUR}" stroke-width="1"/>'
        )
        out.append(
            f'<text x="{left - 6}" y="{_n(y + 4)}" text-anchor="end" font-size="10" '
            f'fill="{MUTED_TEXT}">{step}</text>'
        )
    for i, label in enumerate(x_labels):
        anchor = "middle" if 0 < i < n - 1 or n == 1 else ("start" if i == 0 else "end")
        out.append(
            f'<text x="{_n(x_of(i))}" y="{top + plot_height + 18}" text-anchor="{anchor}" '
            f'font-size="11" fill="{TEXT_COLOUR}">{escape(label)}</text>'
        )
    for k, s in enumerate(series):
        colour, dash, shape = series_style(k)
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        run: list[str] = []
        runs = [run]
        for i, v in enumerate(s.values):
            if v is None:
                run = []
                runs.append(run)
            else:
                run.append(f"{_n(x_of(i))},{_n(y_of(v))}")
        for r in runs:
            if len(r) > 1:
                out.append(
                    f'<polyline points="{" ".join(r)}" fill="none" stroke="{colour}" '
                    f'stroke-width="2"{dash_attr}/>'
                )
        for i, v in enumerate(s.values):
            if v is not None:
                out.append(_marker(shape, x_of(i), y_of(v), colour))
        y = legend_top + 18 * k
        out.append(
            f'<line x1="{left}" y1="{y}" x2="{left + 28}" y2="{y}" stroke="{colour}" '
            f'stroke-width="2"{dash_attr}/>'
        )
        out.append(_marker(shape, left + 14, y, colour))
        out.append(
            f'<text x="{left + 36}" y="{y + 4}" font-size="12" fill="{TEXT_COLOUR}">'
            f"{escape(s.label)}</text>"
        )
    out.append("</svg>")
    return "\n".join(out)
