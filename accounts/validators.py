"""Checks of French company identifiers."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# SIRETs of La Poste's establishments (SIREN 356 000 000) fail the Luhn check; the
# official rule for them is that the sum of the digits is a multiple of 5.
LA_POSTE_SIREN = "356000000"
NAF_RE = re.compile(r"^\d{2}\.\d{2}[A-Z]$")
IDCC_RE = re.compile(r"^[0-9]{4}$")


def normalize_siret(value: str) -> str:
    return re.sub(r"[\s.\-]", "", value or "")


def luhn_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        digit = int(char)
        if index % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def siret_is_valid(value: str) -> bool:
    siret = normalize_siret(value)
    if len(siret) != 14 or not siret.isdigit():
        return False
    if siret.startswith(LA_POSTE_SIREN) and siret != LA_POSTE_SIREN + "00013":
        return sum(int(c) for c in siret) % 5 == 0
    return luhn_ok(siret)


def validate_siret(value: str) -> None:
    siret = normalize_siret(value)
    if len(siret) != 14 or not siret.isdigit():
        raise ValidationError(
            _("A SIRET number has exactly 14 digits (you typed %(count)s characters)."),
            code="siret_length",
            params={"count": len(siret)},
        )
    if not siret_is_valid(siret):
        raise ValidationError(
            _("This SIRET number is not valid: please check the digits (checksum error)."),
            code="siret_checksum",
        )


def normalize_naf(value: str) -> str:
    """Accept "2562B", "25.62b" or "25.62 B" and return "25.62B"."""
    compact = re.sub(r"[\s.]", "", value or "").upper()
    if len(compact) == 5:
        return f"{compact[:2]}.{compact[2:]}"
    return (value or "").strip().upper()


def validate_naf(value: str) -> None:
    if not NAF_RE.match(value or ""):
        raise ValidationError(
            _("A NAF code looks like 25.62B: two digits, a dot, two digits and a letter."),
            code="naf_format",
        )


def normalize_idcc(value: str) -> str:
    """Accept " 3248 " or "292" (written without its leading zero) and return "3248", "0292"."""
    compact = re.sub(r"\s", "", value or "")
    return compact.zfill(4) if compact.isdigit() and len(compact) < 4 else compact


def validate_idcc(value: str) -> None:
    if not IDCC_RE.match(value or ""):
        raise ValidationError(
            _(
                "An IDCC (collective agreement code) has exactly 4 digits, for example 3248 "
                "for the metal industry."
            ),
            code="idcc_format",
        )
