"""The radar chart: valid, escaped, CSP-safe (no inline style) and deterministic SVG."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from diagnostics.charts import LineSeries, RadarAxis, line_svg, radar_svg, series_style

NS = "{http://www.w3.org/2000/svg}"
HOSTILE = "<script>alert(1)</script>"


def axes(n: int) -> list[RadarAxis]:
    return [RadarAxis(f"Domain {i}", score=10.0 * i, target=75.0) for i in range(n)]


def render(items: list[RadarAxis], **kw: str) -> str:
    labels = {"title": "Results", "score_label": "Score", "target_label": "Target", **kw}
    return radar_svg(items, **labels)


def parse(svg: str) -> ET.Element:
    """Parse our own output (trusted: the test made it); fails on invalid XML."""
    return ET.fromstring(svg)  # noqa: S314


def polygons(root: ET.Element, cls: str) -> list[ET.Element]:
    return [p for p in root.iter(f"{NS}polygon") if p.get("class") == cls]


@pytest.mark.parametrize("n", [3, 8, 12])
def test_radar_is_valid_svg_with_grid_and_two_series(n: int) -> None:
    root = parse(render(axes(n)))
    assert root.tag == f"{NS}svg"
    assert root.get("viewBox")
    assert len(list(root.iter(f"{NS}polygon"))) == 4 + 2
    assert len(polygons(root, "grid")) == 4
    (score,) = polygons(root, "series-score")
    (target,) = polygons(root, "series-target")
    assert len(score.get("points", "").split()) == len(target.get("points", "").split()) == n
    assert score.get("fill-opacity")
    assert target.get("stroke-dasharray")
    assert len(list(root.iter(f"{NS}line"))) == n + 1  # spokes + the legend's target line
    assert len(list(root.iter(f"{NS}circle"))) == n  # a point on each score vertex


def test_an_axis_without_a_score_has_no_point_and_says_so() -> None:
    items = axes(5)
    items[2] = RadarAxis("Domain 2", score=None, target=75.0)
    root = parse(render(items, no_score_label="no score"))
    (score,) = polygons(root, "series-score")
    (target,) = polygons(root, "series-target")
    assert len(score.get("points", "").split()) == 4  # not drawn down to the centre
    assert len(target.get("points", "").split()) == 5
    assert len(list(root.iter(f"{NS}circle"))) == 4
    labels = ["".join(t.itertext()) for t in root.iter(f"{NS}text")]
    assert "Domain 2(no score)" in labels
    assert "Domain 1" in labels
    desc = root.find(f"{NS}desc")
    assert desc is not None
    assert desc.text is not None
    assert "Domain 2: Score –, Target 75" in desc.text


def test_radar_is_accessible() -> None:
    root = parse(render(axes(4)))
    assert root.get("role") == "img"
    ids = (root.get("aria-labelledby") or "").split()
    title, desc = root.find(f"{NS}title"), root.find(f"{NS}desc")
    assert title is not None
    assert desc is not None
    assert ids == [title.get("id"), desc.get("id")]
    assert title.text == "Results"
    assert desc.text is not None
    assert "Domain 2: Score 20, Target 75" in desc.text


def test_radar_has_no_inline_style() -> None:
    svg = render(axes(8))
    assert "style" not in svg
    for element in parse(svg).iter():
        assert "style" not in element.attrib
        assert not element.tag.endswith("style")


def test_hostile_labels_are_escaped() -> None:
    items = [RadarAxis(HOSTILE, 50, 50), *axes(3)]
    svg = render(items, title=HOSTILE, score_label=HOSTILE, target_label=HOSTILE)
    assert "<script" not in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svg
    root = parse(svg)
    assert not [e for e in root.iter() if e.tag.endswith("script")]
    title = root.find(f"{NS}title")
    assert title is not None
    assert title.text == HOSTILE


def test_radar_is_deterministic() -> None:
    assert render(axes(8)) == render(axes(8))
    assert render(axes(8)) != render(axes(7))


def test_numbers_have_at_most_one_decimal() -> None:
    items = [RadarAxis(f"Axis {i}", 100 / 3 * (i % 4), 66.666) for i in range(7)]
    svg = render(items)
    assert not re.search(r"\d\.\d\d", svg)
    assert "33.3" in svg


def test_out_of_range_values_are_clamped() -> None:
    root = parse(render([RadarAxis("A", 150, -5), *axes(2)]))
    (score,) = polygons(root, "series-score")
    grid_100 = polygons(root, "grid")[-1]
    assert score.get("points", "").split()[0] == grid_100.get("points", "").split()[0]


def test_long_labels_wrap_on_two_lines() -> None:
    items = [
        RadarAxis("Short", 10, 20),
        RadarAxis("Ressources humaines et compétences", 10, 20),
        RadarAxis("A very long label that goes on and on without an end", 10, 20),
    ]
    root = parse(render(items))
    labels = [t for t in root.iter(f"{NS}text") if t.find(f"{NS}tspan") is not None]
    lines = [[s.text for s in t.iter(f"{NS}tspan")] for t in labels]
    assert lines[0] == ["Short"]
    assert lines[1] == ["Ressources", "humaines et compétences"]
    assert len(lines[2]) == 2
    assert lines[2][1].endswith("…")
    assert {t.get("text-anchor") for t in labels} == {"middle", "start", "end"}


@pytest.mark.parametrize("n", [0, 1, 2])
def test_fewer_than_three_axes_give_text_only(n: int) -> None:
    svg = render(axes(n))
    root = parse(svg)
    assert root.get("role") == "img"
    assert list(root.iter(f"{NS}polygon")) == []
    texts = ["".join(t.itertext()) for t in root.iter(f"{NS}text")]
    assert texts == [f"Domain {i}: Score {10 * i}, Target 75" for i in range(n)]
    assert "style" not in svg


def test_line_chart_escapes_labels_and_leaves_gaps():
    svg = line_svg(
        [LineSeries("<b>A</b>", (10.0, None, 30.0)), LineSeries("B", (20.0, 25.0, 40.0))],
        ["2024", "2025", "2026"],
        title="T & t",
    )
    assert "&lt;b&gt;A&lt;/b&gt;" in svg
    assert "<b>" not in svg
    assert "T &amp; t" in svg
    assert svg.count("<polyline") == 1  # A, cut where unknown, has no run of two points
    assert "style=" not in svg


def test_no_two_series_of_a_line_chart_look_alike():
    """A questionnaire of nine domains and the overall index make ten series: the ninth and
    the tenth must not take the look of the first and the second, in the legend (line and
    marker) nor on a chart of one diagnostic, where each series is a marker alone."""
    labels = [f"Series {k}" for k in range(12)]
    series = [LineSeries(label, (10.0 * k,)) for k, label in enumerate(labels)]
    svg = line_svg(series, ["2026"], title="T")
    line = r'<line [^>]*stroke="([^"]+)" stroke-width="2"(?: stroke-dasharray="([^"]+)")?/>'
    marker = r'<(circle|rect|polygon) ([^>]*)fill="([^"]+)"/>'
    legend = re.findall(line + "\n" + marker + r"\n<text [^>]*>([^<]*)</text>", svg)
    assert [entry[5] for entry in legend] == labels

    def shape(tag: str, attributes: str) -> str:  # a triangle has 3 points, a diamond 4
        return f"{tag}{attributes.count(',')}" if tag == "polygon" else tag

    looks = [(line, dash, shape(tag, attrs), fill) for line, dash, tag, attrs, fill, _ in legend]
    assert len(set(looks)) == 12
    assert len({(look[2], look[3]) for look in looks}) == 12  # told apart by the marker alone
    assert len({series_style(k) for k in range(32)}) == 32
    assert len({(series_style(k)[0], series_style(k)[2]) for k in range(32)}) == 32
