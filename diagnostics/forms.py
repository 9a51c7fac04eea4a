from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.i18n import current_language
from documents.parsing import format_number

from .definition import tr
from .models import Diagnostic, Questionnaire
from .scoring import AnswerValue

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from .definition import Question


@dataclass(frozen=True)
class PostedAnswer:
    """One question of a posted domain page, as typed, with the version it was based on."""

    values: list[str]
    dont_know: bool
    not_concerned: bool
    base_version: int


# The largest version an answer can have: Answer.version is a PostgreSQL integer.
MAX_ANSWER_VERSION = 2_147_483_647


def parse_version(text: str | None) -> int:
    """The answer version a page was loaded with, as it posted it (0: no answer yet).
    ValueError unless a whole number the version column can hold, so that a forged or
    garbled one is refused like any malformed version, not sent to the database."""
    version = int(text or "")
    if not 0 <= version <= MAX_ANSWER_VERSION:
        raise ValueError(f"answer version out of range: {version}")
    return version


class AnswerError(Exception):
    """An answer that cannot be stored, with a message for the respondent."""


class ReadOnceChoices(forms.models.ModelChoiceIterator):
    """A model choice field's choices, its query run once per form: a select's rendering
    walks its choices twice (for the `required` attribute, then for the options), and
    Django's iterator runs the query on each walk. The field's queryset keeps its rows
    after the first one."""

    def __iter__(self) -> Iterator[tuple[object, object]]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)


class QuestionnaireField(forms.ModelChoiceField):
    iterator = ReadOnceChoices


class StartDiagnosticForm(forms.Form):
    questionnaire = QuestionnaireField(
        label=gettext_lazy("Questionnaire"), queryset=Questionnaire.objects.none(), empty_label=None
    )
    mode = forms.ChoiceField(
        label=gettext_lazy("How will you answer?"),
        choices=Diagnostic.Mode.choices,
        initial=Diagnostic.Mode.COLLECTIVE,
        widget=forms.RadioSelect,
    )

    copy_previous = forms.BooleanField(
        label=gettext_lazy("Start from the answers of the last diagnostic"),
        help_text=gettext_lazy(
            "Each answer is copied marked “to confirm”: check it, change it if things have "
            "moved, and save. The diagnostic is submitted once every copied answer is "
            "confirmed."
        ),
        required=False,
    )

    def __init__(self, *args: object, company_id: int, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.company_id = company_id
        self.fields["questionnaire"].queryset = latest_questionnaires()
        previous = Diagnostic.objects.latest_submitted(company_id)
        if previous is None:
            del self.fields["copy_previous"]  # nothing to start from: a first diagnostic
        else:
            self.fields["copy_previous"].initial = True
            self.fields["mode"].initial = previous.mode

    def clean(self) -> dict[str, object]:
        cleaned = super().clean()
        cleaned["copy_from"] = None
        questionnaire = cleaned.get("questionnaire")
        if not cleaned.get("copy_previous") or questionnaire is None or "mode" not in cleaned:
            return cleaned
        previous = Diagnostic.objects.latest_submitted(self.company_id, key=questionnaire.key)
        if previous is None:
            self.add_error(
                "copy_previous",
                _(
                    "No diagnostic on this questionnaire was submitted yet: there is nothing to "
                    "start from."
                ),
            )
        elif previous.mode != cleaned["mode"]:
            self.add_error(
                "copy_previous",
                _(
                    "The last diagnostic on this questionnaire was answered “%(mode)s”: answer "
                    "the same way to start from its answers."
                )
                % {"mode": previous.get_mode_display()},
            )
        else:
            cleaned["copy_from"] = previous
        return cleaned


def latest_questionnaires() -> forms.models.QuerySet:
    """The newest published version of each questionnaire."""
    from django.db.models import OuterRef, Subquery

    newest = Questionnaire.objects.filter(key=OuterRef("key")).order_by("-version")
    return (
        Questionnaire.objects.filter(pk=Subquery(newest.values("pk")[:1]))
        .defer("definition", "source")  # a choice shows the title and version only
        .order_by("key")
    )


def parse_answer(
    question: Question, values: Sequence[str], dont_know: bool, not_concerned: bool = False
) -> AnswerValue:
    """Turn the submitted strings into a stored value, or refuse with a clear message."""
    if not_concerned:
        if not question.not_concerned:
            raise AnswerError(_("“Not concerned” is not offered for this question."))
        if dont_know:
            raise AnswerError(_("Choose either “Don't know” or “Not concerned”."))
        return AnswerValue(None, not_concerned=True)
    if dont_know:
        if not question.dont_know:
            raise AnswerError(_("“Don't know” is not offered for this question."))
        return AnswerValue(None, dont_know=True)
    values = [v.strip() for v in values if v is not None and v.strip() != ""]
    if not values:
        return AnswerValue(None)
    kind = question.kind
    if kind != "multiple" and len(values) > 1:
        raise AnswerError(_("This question takes a single answer."))
    raw = values[0]
    if kind == "maturity":
        if raw not in {"0", "1", "2", "3", "4"}:
            raise AnswerError(_("Choose one of the levels 0 to 4."))
        return AnswerValue(int(raw))
    if kind == "single":
        if question.choice(raw) is None:
            raise AnswerError(_("Choose one of the options offered."))
        return AnswerValue(raw)
    if kind == "multiple":
        known = [c.code for c in question.choices]
        if any(v not in known for v in values):
            raise AnswerError(_("Choose among the options offered."))
        exclusive = [c for c in question.choices if c.exclusive and c.code in values]
        if exclusive and len(set(values)) > 1:
            raise AnswerError(
                _("“%(choice)s” cannot be combined with other choices.")
                % {"choice": tr(exclusive[0].label, current_language())}
            )
        return AnswerValue([c for c in known if c in values])
    if kind == "yesno":
        if raw not in {"yes", "no"}:
            raise AnswerError(_("Answer yes or no."))
        return AnswerValue(raw)
    if kind == "number":
        try:
            number = float(raw.replace("\u202f", "").replace(" ", "").replace(",", "."))
        except ValueError:
            raise AnswerError(_("Type a number, for example 12 or 12,5.")) from None
        if not math.isfinite(number) or not (question.min <= number <= question.max):
            raise AnswerError(
                _("Type a number between %(min)s and %(max)s.")
                % {"min": _number(question.min), "max": _number(question.max)}
            )
        return AnswerValue(int(number) if number.is_integer() else number)
    if kind == "text":
        if len(raw) > question.max_length:
            raise AnswerError(
                _("Keep the answer under %(n)s characters (it has %(len)s).")
                % {"n": question.max_length, "len": len(raw)}
            )
        return AnswerValue(raw)
    raise AnswerError(_("This question cannot be answered."))


def _number(value: float | None) -> str:
    return "" if value is None else format_number(value, current_language())


def display_answer(
    question: Question, value: object, dont_know: bool, language: str, not_concerned: bool = False
) -> str:
    """The answer as a person reads it (for conflict messages and summaries)."""
    if dont_know:
        return _("Don't know")
    if not_concerned:
        return _("Not concerned")
    if value is None or value == "" or value == []:
        return _("no answer")
    if question.kind == "maturity":
        return f"{value} — {tr(question.levels[int(value)], language)}"
    if question.kind == "single":
        choice = question.choice(str(value))
        return tr(choice.label, language) if choice else str(value)
    if question.kind == "multiple":
        labels = [tr(c.label, language) for c in question.choices if c.code in value]
        return ", ".join(labels)
    if question.kind == "yesno":
        return _("Yes") if value == "yes" else _("No")
    if question.kind == "number":
        unit = tr(question.unit, language)
        return f"{format_number(value, language)} {unit}".strip()
    return str(value)
