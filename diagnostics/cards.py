"""The question cards of a domain page, rendered in Python.

A domain page shows up to twenty questions, each with its options, its "don't know" and
"not concerned" boxes, who answered it and the version it was loaded with. Rendered by
the template engine, the cards cost about half a millisecond per question (some sixty
variable and tag nodes each, several hundred per page): most of a domain page's time.
Built here as plain strings, every value passed through `html.escape` (what Django's own
escaping calls, without its lazy-string wrappers), they cost a twentieth of that. The
markup is the one autosave.js and the browser tests rely on:
`fieldset.question[data-code][data-kind][data-save-url]`, `.question-body`,
`[data-version]`, `[data-to-confirm]`, `[data-confirm]`, `.save-status`, `.answered-by`.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from accounts.templatetags.wording import elide

if TYPE_CHECKING:
    from .answering import QuestionView
    from .models import Diagnostic


def question_cards(diagnostic: Diagnostic, questions: list[QuestionView]) -> SafeString:
    """The page's question cards, in order."""
    # One reverse for the page; each question's autosave URL differs only by its code.
    marker = "__CODE__"
    save_url = reverse("diagnostics:autosave", args=[diagnostic.public_id, marker])
    # Our own translations go in as they are, as the template's {% translate %} did.
    labels = {
        "to_confirm": _("To confirm"),
        "copied": _("Copied from the previous diagnostic."),
        "confirm": _("Confirm this answer"),
        "your_answer": _("Your answer"),
        "dont_know": _("Don't know"),
        "not_concerned": _("Not concerned"),
        "answered_by": _("Answered by %(who)s, %(when)s"),
    }
    cards = "\n".join(_card(q, save_url.replace(marker, q.spec.code), labels) for q in questions)
    return mark_safe(cards)  # noqa: S308 - every value in it went through escape()


def _card(q: QuestionView, save_url: str, labels: dict[str, str]) -> str:
    spec = q.spec
    field = escape(q.field)
    help_text = q.help
    described = f' aria-describedby="{field}-help"' if help_text else ""
    hidden = " hidden disabled" if not q.visible else ""
    parts = [
        f'<fieldset class="card mb-3 question" id="{field}" data-code="{escape(spec.code)}" '
        f'data-kind="{escape(spec.kind)}" data-save-url="{escape(save_url)}"{hidden}{described}>\n'
        f'  <div class="card-body">\n    <legend class="h5">{escape(q.text)}</legend>\n'
        '    <div class="question-body">\n'
    ]
    if help_text:
        parts.append(f'    <p class="form-text" id="{field}-help">{escape(help_text)}</p>\n')
    if q.conflict:
        parts.append(
            f'    <div class="alert alert-warning" role="alert">{escape(q.conflict)}</div>\n'
        )
    if q.error:
        parts.append(
            f'    <div class="alert alert-danger" role="alert" id="{field}-error">'
            f"{escape(q.error)}</div>\n"
        )
    if q.to_confirm:
        parts.append(
            '    <p class="mb-2" data-to-confirm><span class="badge text-bg-warning">'
            f"{labels['to_confirm']}</span>\n      {labels['copied']}\n      "
            '<button type="button" class="btn btn-sm btn-outline-primary ms-1" data-confirm '
            f"hidden>{labels['confirm']}</button></p>\n"
        )
    parts.append(f'    <input type="hidden" name="{field}-v" value="{q.version:d}" data-version>\n')
    parts.append(_answer_input(q, field, labels))
    if spec.dont_know:
        parts.append(_box(field, "dk", labels["dont_know"], q.dont_know, " mt-2"))
    if spec.not_concerned:
        parts.append(_box(field, "na", labels["not_concerned"], q.not_concerned, ""))
    answered = ""
    if q.answered_by:
        who = elide(
            labels["answered_by"] % {"who": escape(q.answered_by), "when": escape(q.answered_at)}
        )
        answered = f'<span class="answered-by">{who}</span>'
    parts.append(
        '    <p class="small text-body-secondary mt-2 mb-0"><span class="save-status" '
        f'role="status" aria-live="polite"></span>\n      {answered}</p>\n'
        "    </div>\n  </div>\n</fieldset>"
    )
    return "".join(parts)


def _answer_input(q: QuestionView, field: str, labels: dict[str, str]) -> str:
    kind = q.spec.kind
    if kind in ("maturity", "single", "yesno", "multiple"):
        kind_attr = "checkbox" if kind == "multiple" else "radio"
        options = []
        for value, level, label, checked, exclusive in q.option_rows:
            value = escape(value)
            alone = ' data-exclusive="1"' if exclusive and kind == "multiple" else ""
            tick = " checked" if checked else ""
            prefix = f"<strong>{escape(level)}</strong> — " if level else ""
            options.append(
                f'    <div class="form-check">\n      <input class="form-check-input" '
                f'type="{kind_attr}" name="{field}" id="{field}-{value}" value="{value}"'
                f'{alone}{tick}>\n      <label class="form-check-label" for="{field}-{value}">'
                f"{prefix}{escape(label)}</label>\n    </div>\n"
            )
        return "".join(options)
    typed = "" if q.dont_know else escape(q.text_value)
    if kind == "number":
        unit = f" ({escape(q.unit)})" if q.unit else ""
        return (
            f'    <label class="form-label" for="{field}-input">{labels["your_answer"]}{unit}'
            '</label>\n    <input class="form-control w-auto" type="text" inputmode="decimal" '
            f'id="{field}-input" name="{field}" value="{typed}">\n'
        )
    return (
        f'    <label class="form-label" for="{field}-input">{labels["your_answer"]}</label>\n'
        f'    <textarea class="form-control" id="{field}-input" name="{field}" rows="3" '
        f'maxlength="{escape(str(q.spec.max_length))}">{typed}</textarea>\n'
    )


def _box(field: str, suffix: str, label: str, checked: bool, margin: str) -> str:
    tick = " checked" if checked else ""
    return (
        f'    <div class="form-check{margin}">\n      <input class="form-check-input" '
        f'type="checkbox" name="{field}-{suffix}" id="{field}-{suffix}" value="1"{tick}>\n'
        f'      <label class="form-check-label" for="{field}-{suffix}">{label}</label>\n'
        "    </div>\n"
    )
