"""The names of the branches behind IDCC codes: only checked ones, each with its source."""

from __future__ import annotations

import re

from django.utils import translation

from accounts.branches import BRANCHES, CHECKED_ON, branch_label


def test_every_named_branch_has_a_4_digit_code_and_a_source():
    assert CHECKED_ON.year >= 2026
    for code, (name, source) in BRANCHES.items():
        assert re.fullmatch(r"\d{4}", code)
        assert str(name)
        assert source.startswith("https://")


def test_a_branch_reads_by_its_name_in_the_page_s_language_else_by_its_code():
    with translation.override("fr"):
        assert branch_label("3248") == "Métallurgie (IDCC 3248)"
        assert branch_label("0018") == "Industrie textile (IDCC 0018)"
        assert branch_label("1558") == "Industries céramiques (IDCC 1558)"
        assert branch_label("0247") == "Industries de l’habillement (IDCC 0247)"
        assert branch_label("1516") == "IDCC 1516"  # no checked name: never a guessed one
    with translation.override("en"):
        assert branch_label("0292") == "Plastics industry (IDCC 0292)"
        assert branch_label("1388") == "Oil industry (IDCC 1388)"
    assert branch_label("") == ""
