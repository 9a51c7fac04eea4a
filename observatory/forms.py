from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Region
from accounts.validators import IDCC_RE
from documents.exports import ExportForm


class FilterForm(forms.Form):
    # Labelled as the filters' template labels them, for the messages that name them.
    questionnaire = forms.IntegerField(
        label=_("Questionnaire version"), required=False, min_value=1
    )
    period = forms.IntegerField(
        label=_("Period (year of submission)"), required=False, min_value=0, max_value=9999
    )
    region = forms.ChoiceField(
        label=_("Region"), required=False, choices=[("", _("Every region")), *Region.choices]
    )
    # Any IDCC is well formed here; one the page does not offer falls back to every branch.
    branch = forms.RegexField(
        label=_("Branch (collective agreement)"),
        required=False,
        regex=IDCC_RE,
        error_messages={"invalid": _("An IDCC has exactly 4 digits, for example 3248.")},
    )


class TableExportForm(FilterForm, ExportForm):
    table = forms.ChoiceField(
        choices=[("needs", _("Training needs")), ("funding", _("Funding forecast"))]
    )
