from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from accounts.validators import normalize_naf, siret_is_valid, validate_naf, validate_siret


@pytest.mark.parametrize("siret", ["90187654300017", "901 876 543 00017", "73282932000074"])
def test_valid_sirets_pass(siret):
    assert siret_is_valid(siret.replace(" ", ""))
    assert validate_siret(siret) is None  # raises ValidationError otherwise


def test_la_poste_sirets_use_their_own_rule():
    assert siret_is_valid("35600000000010")  # digit sum 15: a multiple of 5
    assert not siret_is_valid("35600000000011")


@pytest.mark.parametrize(
    ("siret", "code"),
    [
        ("9018765430001", "siret_length"),
        ("901876543000171", "siret_length"),
        ("9018765430001A", "siret_length"),
        ("90187654300018", "siret_checksum"),
    ],
)
def test_invalid_sirets_say_why(siret, code):
    with pytest.raises(ValidationError) as exc:
        validate_siret(siret)
    assert exc.value.code == code


@pytest.mark.parametrize(("raw", "clean"), [("2562b", "25.62B"), ("25.62 B", "25.62B")])
def test_naf_codes_are_normalised(raw, clean):
    assert normalize_naf(raw) == clean
    validate_naf(clean)


@pytest.mark.parametrize("naf", ["2562", "25.6B", "AB.12C", "25.62BB"])
def test_malformed_naf_codes_are_refused(naf):
    with pytest.raises(ValidationError):
        validate_naf(normalize_naf(naf))
