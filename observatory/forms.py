from __future__ import annotations

from django import forms


class FilterForm(forms.Form):
    questionnaire = forms.IntegerField(required=False, min_value=1)
    period = forms.IntegerField(required=False, min_value=0, max_value=9999)
