from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Action


class LogFilterForm(forms.Form):
    action = forms.ChoiceField(
        label=_("Event"), required=False, choices=[("", _("All events")), *Action.choices]
    )
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
