"""French is the first language: every interface string has a French translation, and the
committed .mo matches the .po."""

from __future__ import annotations

import ast
import gettext
from pathlib import Path

FR = Path(__file__).resolve().parent.parent / "locale/fr/LC_MESSAGES"


def po_entries(path: Path) -> list[dict[str, str]]:
    """A small reader for the entries of a .po file (msgctxt, msgid, msgid_plural, msgstr*)."""
    entries: list[dict[str, str]] = []
    current: dict[str, str] = {}
    key = None
    for raw in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = raw.strip()
        if not line:
            if current:
                entries.append(current)
            current, key = {}, None
        elif line.startswith("#"):
            if line.startswith("#,") and "fuzzy" in line:
                current["fuzzy"] = "yes"
        elif line.startswith('"'):
            current[key] += ast.literal_eval(line)
        else:
            key, _, value = line.partition(" ")
            current[key] = ast.literal_eval(value)
    return entries


def test_every_string_has_a_french_translation():
    entries = [e for e in po_entries(FR / "django.po") if e.get("msgid")]
    assert len(entries) > 300
    untranslated = [
        e["msgid"] for e in entries if not (e.get("msgstr") or e.get("msgstr[0]")) or e.get("fuzzy")
    ]
    assert untranslated == []


def test_compiled_catalogue_matches_the_po_file():
    with (FR / "django.mo").open("rb") as mo:
        catalogue = gettext.GNUTranslations(mo)
    for entry in po_entries(FR / "django.po"):
        if not entry.get("msgid") or "msgid_plural" in entry:
            continue
        msgid = entry["msgid"]
        if "msgctxt" in entry:
            assert catalogue.pgettext(entry["msgctxt"], msgid) == entry["msgstr"], msgid
        else:
            assert catalogue.gettext(msgid) == entry["msgstr"], msgid


def test_french_guillemets_hold_their_words_with_no_break_spaces():
    """« Je ne sais pas » is never broken after « or before »: the spaces inside French
    guillemets are no-break spaces, in the translations and in French text of the code."""
    texts = [
        value
        for entry in po_entries(FR / "django.po")
        for key, value in entry.items()
        if key.startswith("msgstr")
    ]
    root = FR.parent.parent.parent
    texts += [
        path.read_text(encoding="utf-8")
        for path in root.glob("*/**/*.py")
        if path.parts[len(root.parts)] not in {"tests", "bench", ".venv"}
    ]
    assert [t for t in texts if "« " in t or " »" in t] == []


def test_english_dates_put_the_day_first_as_in_europe():
    """05/12/2026 is 5 December for English readers too, as in the French pages and the
    funding rules' own dates; times on a 24-hour clock."""
    from datetime import date, datetime
    from zoneinfo import ZoneInfo

    from django import forms
    from django.utils import translation
    from django.utils.formats import date_format

    day = date(2026, 12, 5)
    moment = datetime(2026, 12, 5, 22, 24, tzinfo=ZoneInfo("Europe/Paris"))
    with translation.override("en"):
        assert date_format(day, "SHORT_DATE_FORMAT") == "05/12/2026"
        assert date_format(day, "DATE_FORMAT") == "5 December 2026"
        assert date_format(moment, "SHORT_DATETIME_FORMAT") == "05/12/2026 22:24"
        assert forms.DateField().clean("05/12/2026") == day
        assert forms.DateField().clean("2026-12-05") == day
    with translation.override("fr"):
        assert date_format(day, "SHORT_DATE_FORMAT") == "05/12/2026"
        assert date_format(day, "DATE_FORMAT") == "5 décembre 2026"
