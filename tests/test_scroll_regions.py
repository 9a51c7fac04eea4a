"""Tables that may scroll sideways (`.table-responsive`, on a phone or with a long history)
can be scrolled with the keyboard: their wrapper takes the focus (WCAG 2.1.1; axe-core's
scrollable-region-focusable)."""

from __future__ import annotations

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
WRAPPER = re.compile(r"<div\b[^>]*\bclass=\"[^\"]*\btable-responsive\b[^\"]*\"[^>]*>")


def test_every_scrolling_table_wrapper_takes_the_focus():
    wrappers = {
        f"{path.relative_to(TEMPLATES)}: {tag}"
        for path in TEMPLATES.rglob("*.html")
        for tag in WRAPPER.findall(path.read_text(encoding="utf-8"))
    }
    assert len(wrappers) >= 20  # the pattern still finds them
    assert [w for w in wrappers if 'tabindex="0"' not in w] == []
