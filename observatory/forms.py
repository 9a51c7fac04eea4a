from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Region
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


class TableExportForm(FilterForm, ExportForm):
    table = forms.ChoiceField(
        choices=[("needs", _("Training needs")), ("funding", _("Funding forecast"))]
    )
