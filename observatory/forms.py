from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

FORMATS = [("csv", "CSV"), ("xlsx", "XLSX")]


class FilterForm(forms.Form):
    questionnaire = forms.IntegerField(required=False, min_value=1)
    period = forms.IntegerField(required=False, min_value=0, max_value=9999)


class ExportForm(forms.Form):
    format = forms.ChoiceField(
        label=_("File format"), choices=FORMATS, initial="csv", required=False
    )


class TableExportForm(FilterForm, ExportForm):
    table = forms.ChoiceField(
        choices=[("needs", _("Training needs")), ("funding", _("Funding forecast"))]
    )
