"""`{{ form|crispy_blank }}`: what `{{ form|crispy }}` gives, kept per process for forms
that are not bound.

crispy-forms renders a form through a template per field, about 4 ms for the start form
of the diagnostics list, a third of that page. An unbound form's HTML depends only on
the language, the form's class, prefix and ids, and each field's kind, widget, label,
help text, flags, initial value and choices: with those as the key, it is rendered once.
A bound form (posted data, errors) is always rendered afresh. Nothing that changes with
the request (the CSRF token) is inside a form's fields."""

from __future__ import annotations

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form
from django import forms, template
from django.utils.safestring import SafeString
from django.utils.translation import get_language

register = template.Library()

_KEPT: dict[tuple, SafeString] = {}
KEPT_MAX = 256  # languages × forms × their choices: a handful in practice


def blank_form_key(form: forms.BaseForm) -> tuple:
    """What an unbound form's HTML depends on."""
    fields = []
    for name, field in form.fields.items():
        choices = getattr(field, "choices", None)
        if choices is not None:
            choices = tuple((str(value), str(label)) for value, label in choices)
        fields.append(
            (
                name,
                type(field).__name__,
                type(field.widget).__name__,
                repr(sorted(field.widget.attrs.items())),
                str(field.label),
                str(field.help_text),
                field.required,
                field.disabled,
                repr(form.get_initial_for_field(field, name)),
                choices,
            )
        )
    return (get_language(), type(form).__qualname__, form.prefix, form.auto_id, tuple(fields))


@register.filter
def crispy_blank(form: forms.BaseForm) -> SafeString:
    if form.is_bound:
        return as_crispy_form(form)
    key = blank_form_key(form)
    html = _KEPT.get(key)
    if html is None:
        if len(_KEPT) >= KEPT_MAX:
            _KEPT.clear()
        html = _KEPT[key] = as_crispy_form(form)
    return html
