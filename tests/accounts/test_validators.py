from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from accounts.validators import (
    normalize_idcc,
    normalize_naf,
    siret_is_valid,
    validate_idcc,
    validate_naf,
    validate_siret,
)


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


@pytest.mark.parametrize(("raw", "clean"), [(" 3248 ", "3248"), ("292", "0292"), ("44", "0044")])
def test_idcc_codes_are_normalised(raw, clean):
    assert normalize_idcc(raw) == clean
    validate_idcc(clean)


@pytest.mark.parametrize("idcc", ["32480", "32a8", "IDCC", "-248"])
def test_malformed_idcc_codes_are_refused_with_a_clear_message(idcc):
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        validate_idcc(normalize_idcc(idcc))
    assert exc.value.code == "idcc_format"
    with translation.override("en"):
        assert "has exactly 4 digits, for example 3248" in exc.value.messages[0]
