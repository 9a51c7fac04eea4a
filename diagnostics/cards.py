"""The question cards of a domain page, rendered in Python.

A domain page shows up to twenty questions, each with its options, its "don't know" and
"not concerned" boxes, who answered it and the version it was loaded with. Rendered by
the template engine, the cards cost about half a millisecond per question (some sixty
variable and tag nodes each, several hundred per page): most of a domain page's time.
Built here with `format_html`, which escapes every value as the template did, they cost
a tenth of that. The markup is the one autosave.js and the browser tests rely on:
`fieldset.question[data-code][data-kind][data-save-url]`, `.question-body`,
`[data-version]`, `[data-to-confirm]`, `[data-confirm]`, `.save-status`, `.answered-by`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from .answering import QuestionView
    from .models import Diagnostic

_CHOICE_KINDS = ("maturity", "single", "yesno")


def question_cards(diagnostic: Diagnostic, questions: list[QuestionView]) -> SafeString:
    """The page's question cards, in order."""
    # One reverse for the page; each question's autosave URL differs only by its code.
    marker = "__CODE__"
    save_url = reverse("diagnostics:autosave", args=[diagnostic.public_id, marker])
    # Our own translations go in as they are, as the template's {% translate %} did.
    labels = {
        key: mark_safe(text)  # noqa: S308
        for key, text in (
            ("to_confirm", _("To confirm")),
            ("copied", _("Copied from the previous diagnostic.")),
            ("confirm", _("Confirm this answer")),
            ("your_answer", _("Your answer")),
            ("dont_know", _("Don't know")),
            ("not_concerned", _("Not concerned")),
        )
    }
    return mark_safe(  # noqa: S308 - every part below is built by format_html
        "\n".join(_card(q, save_url.replace(marker, q.spec.code), labels) for q in questions)
    )


def _card(q: QuestionView, save_url: str, labels: dict[str, SafeString]) -> str:
    field = q.field
    spec = q.spec
    help_text = q.help
    parts = [
        format_html(
            '<fieldset class="card mb-3 question" id="{}" data-code="{}" data-kind="{}" '
            'data-save-url="{}"{}{}>\n  <div class="card-body">\n'
            '    <legend class="h5">{}</legend>\n    <div class="question-body">\n',
            field,
            spec.code,
            spec.kind,
            save_url,
            mark_safe(" hidden disabled") if not q.visible else "",
            format_html(' aria-describedby="{}-help"', field) if help_text else "",
            q.text,
        )
    ]
    if help_text:
        parts.append(
            format_html('    <p class="form-text" id="{}-help">{}</p>\n', field, help_text)
        )
    if q.conflict:
        parts.append(
            format_html('    <div class="alert alert-warning" role="alert">{}</div>\n', q.conflict)
        )
    if q.error:
        parts.append(
            format_html(
                '    <div class="alert alert-danger" role="alert" id="{}-error">{}</div>\n',
                field,
                q.error,
            )
        )
    if q.to_confirm:
        parts.append(
            format_html(
                '    <p class="mb-2" data-to-confirm><span class="badge text-bg-warning">{}'
                "</span>\n      {}\n      "
                '<button type="button" class="btn btn-sm btn-outline-primary ms-1" '
                "data-confirm hidden>{}</button></p>\n",
                labels["to_confirm"],
                labels["copied"],
                labels["confirm"],
            )
        )
    parts.append(
        format_html(
            '    <input type="hidden" name="{}-v" value="{}" data-version>\n', field, q.version
        )
    )
    parts.append(_answer_input(q, labels))
    if spec.dont_know:
        parts.append(_box(field, "dk", labels["dont_know"], q.dont_know, " mt-2"))
    if spec.not_concerned:
        parts.append(_box(field, "na", labels["not_concerned"], q.not_concerned, ""))
    answered = ""
    if q.answered_by:
        answered = format_html(
            '<span class="answered-by">{}</span>',
            mark_safe(  # noqa: S308 - the translation as it is, the names escaped
                _("Answered by %(who)s, %(when)s")
                % {"who": escape(q.answered_by), "when": escape(q.answered_at)}
            ),
        )
    parts.append(
        format_html(
            '    <p class="small text-body-secondary mt-2 mb-0"><span class="save-status" '
            'role="status" aria-live="polite"></span>\n      {}</p>\n'
            "    </div>\n  </div>\n</fieldset>",
            answered,
        )
    )
    return "".join(parts)


def _answer_input(q: QuestionView, labels: dict[str, SafeString]) -> str:
    field = q.field
    kind = q.spec.kind
    if kind in _CHOICE_KINDS or kind == "multiple":
        kind_attr = "checkbox" if kind == "multiple" else "radio"
        return format_html_join(
            "",
            '    <div class="form-check">\n      <input class="form-check-input" type="{}" '
            'name="{}" id="{}-{}" value="{}"{}{}>\n      <label class="form-check-label" '
            'for="{}-{}">{}{}</label>\n    </div>\n',
            (
                (
                    kind_attr,
                    field,
                    field,
                    value,
                    value,
                    mark_safe(' data-exclusive="1"') if exclusive and kind == "multiple" else "",
                    mark_safe(" checked") if checked else "",
                    field,
                    value,
                    format_html("<strong>{}</strong> — ", level) if level else "",
                    label,
                )
                for value, level, label, checked, exclusive in q.option_rows
            ),
        )
    typed = "" if q.dont_know else q.text_value
    if kind == "number":
        unit = f" ({q.unit})" if q.unit else ""
        return format_html(
            '    <label class="form-label" for="{}-input">{}{}</label>\n'
            '    <input class="form-control w-auto" type="text" inputmode="decimal" '
            'id="{}-input" name="{}" value="{}">\n',
            field,
            labels["your_answer"],
            unit,
            field,
            field,
            typed,
        )
    return format_html(
        '    <label class="form-label" for="{}-input">{}</label>\n'
        '    <textarea class="form-control" id="{}-input" name="{}" rows="3" '
        'maxlength="{}">{}</textarea>\n',
        field,
        labels["your_answer"],
        field,
        field,
        q.spec.max_length,
        typed,
    )


def _box(field: str, suffix: str, label: str, checked: bool, margin: str) -> str:
    return format_html(
        '    <div class="form-check{}">\n      <input class="form-check-input" type="checkbox" '
        'name="{}-{}" id="{}-{}" value="1"{}>\n      <label class="form-check-label" '
        'for="{}-{}">{}</label>\n    </div>\n',
        margin,
        field,
        suffix,
        field,
        suffix,
        mark_safe(" checked") if checked else "",
        field,
        suffix,
        label,
    )
