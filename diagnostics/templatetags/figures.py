"""`{{ value|fixed:"1" }}`: what `{{ value|floatformat:"1" }}` gives for the scores, levels
and gaps of the results page, at a fraction of its cost.

The results page formats about 160 numbers; `floatformat` takes some 10 µs for each
(a Decimal round trip, then `number_format`, which looks the language's formats up on
every call), 1.5 to 2 ms of the page. Here a number between -1000 and 1000 is rounded
the same way (half up, on its shortest decimal form) and given the language's decimal
separator; anything else (text, larger numbers, a negative or odd argument) goes to
`floatformat` itself. A test checks both give the same text over random numbers.

`{{ low|amounts:high }}`: the ranges of costs, funding and remaining costs that the plan,
the review, the portfolio, the company's home, the observatory and the PDF show."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.template.defaultfilters import floatformat
from django.utils.formats import get_format
from django.utils.translation import get_language

register = template.Library()

_EXPONENTS = {0: Decimal(1), 1: Decimal("0.1"), 2: Decimal("0.01")}
_SEPARATORS: dict[str | None, str] = {}


def _separator() -> str:
    language = get_language()
    separator = _SEPARATORS.get(language)
    if separator is None:
        separator = _SEPARATORS[language] = get_format("DECIMAL_SEPARATOR")
    return separator


@register.filter
def fixed(value: object, places: object = "1") -> str:
    try:
        exponent = _EXPONENTS[int(places)]  # type: ignore[call-overload]
    except (KeyError, TypeError, ValueError):
        return floatformat(value, places)
    if value is None or value == "":
        return ""
    if type(value) not in (int, float) or not -1000 < value < 1000:
        return floatformat(value, places)
    number = Decimal(repr(value))
    _, digits, power = number.as_tuple()
    if not isinstance(power, int) or len(digits) + abs(power) > 200:
        return floatformat(value, places)  # nan, inf, and what floatformat leaves as it is
    rounded = number.quantize(exponent, ROUND_HALF_UP)
    if not rounded:
        rounded = abs(rounded)  # no "-0"
    text = f"{rounded:f}"
    return text if exponent == 1 else text.replace(".", _separator())


@register.filter
def amounts(low: object, high: object) -> str:
    """`{{ low|amounts:high }}`: a range of whole amounts as the language writes them
    ("1 200 – 1 800"), or one figure when its ends are equal or the low one is unknown;
    "—" when neither is known. The unit stays in the template ("&nbsp;€", " h"). A narrow
    column breaks the range after its dash only ("16 100 –" then "27 950"), never leaving
    the dash alone on its line."""
    if high is None:
        high = low
    if high is None:
        return "—"
    if low is None or low == high:
        return floatformat(high, "0g")
    return f"{floatformat(low, '0g')}\u00a0– {floatformat(high, '0g')}"
