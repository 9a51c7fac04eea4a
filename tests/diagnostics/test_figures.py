"""`fixed` (diagnostics/templatetags/figures.py) gives the text `floatformat` gives."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.template.defaultfilters import floatformat
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from diagnostics.templatetags.figures import fixed

NUMBERS = st.one_of(
    st.floats(min_value=-2000, max_value=2000, allow_nan=False),
    st.floats(min_value=-100, max_value=100).map(lambda x: round(x, 1)),
    st.floats(min_value=-100, max_value=100).map(lambda x: round(x, 2)),
    st.integers(min_value=-5000, max_value=5000),
    st.sampled_from([0.05, -0.05, 0.45, -0.45, 2.5, -2.5, 0.0, -0.0, 999.95, float("inf")]),
    st.none(),
    st.text(alphabet="0123456789.-", max_size=6),
)


@settings(max_examples=2000, deadline=None)
@given(
    value=NUMBERS,
    places=st.sampled_from(["0", "1", "2", "-1", "x"]),
    language=st.sampled_from(["fr", "en"]),
)
def test_gives_what_floatformat_gives(value, places, language):
    with translation.override(language):
        assert fixed(value, places) == str(floatformat(value, places))


def test_uses_the_language_decimal_separator():
    with translation.override("fr"):
        assert fixed(56.25, "1") == "56,3"
        assert fixed(-0.04, "1") == "0,0"
    with translation.override("en"):
        assert fixed(56.25, "1") == "56.3"
        assert fixed(56.25, "0") == "56"


@pytest.mark.parametrize("language", ["fr", "en"])
def test_filter_in_a_template(language):
    template = Template(
        '{% load figures %}{{ x|fixed:"1"|default:"—" }}/{{ y|fixed:"0"|default:"—" }}'
    )
    with translation.override(language):
        html = template.render(Context({"x": 1.25, "y": None}))
    assert html == ("1,3/—" if language == "fr" else "1.3/—")


@pytest.mark.parametrize(
    ("low", "high", "french", "english"),
    [
        (1200, 1800, "1\u202f200\xa0– 1\u202f800", "1,200\xa0– 1,800"),
        (420, 420, "420", "420"),
        (None, 700, "700", "700"),
        (300, None, "300", "300"),
        (None, None, "—", "—"),
        (0, 26719, "0\xa0– 26\u202f719", "0\xa0– 26,719"),
    ],
)
def test_amounts_are_a_range_or_one_figure(low, high, french, english):
    template = Template("{% load figures %}{{ low|amounts:high }}")
    for language, expected in (("fr", french), ("en", english)):
        with translation.override(language):
            text = template.render(Context({"low": low, "high": high}))
        # The thousands separator is a no-break space, narrow or not by the platform's
        # locale data; the one before the dash is a no-break space.
        assert text.replace("\u202f", "\xa0") == expected.replace("\u202f", "\xa0")
        assert ("\xa0– " in text) == ("–" in expected)  # never a dash alone on its line
