from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.validators import MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import HeadcountBand

from .models import FUNDING_REQUEST_FIELDS, PLAN_LINE_FIELDS, ActionPlan, PlanItem


class EditedFieldsMixin:
    """A form for a plan line, which the company's admins and its advisors may edit at
    the same time. Each field carries the value the page showed (Django's hidden initial
    value), so that `edited()` gives only what this person changed: a change someone else
    saved meanwhile, on another field or line, is kept instead of being overwritten with
    what the page showed."""

    fields: dict[str, forms.Field]
    cleaned_data: dict[str, Any]
    changed_data: list[str]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        for field in self.fields.values():
            field.show_hidden_initial = True

    def edited(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.changed_data}


def posted_lines(data: Any, prefix: str, pks: Any) -> list[int]:
    """The lines of `pks` whose fields are in the posted `data`: a line added since the
    page was loaded is not in it, and stays as it is."""
    posted = {key.split("-", 2)[1] for key in data if key.startswith(f"{prefix}-")}
    return [pk for pk in pks if str(pk) in posted]


class PlanItemForm(EditedFieldsMixin, forms.ModelForm):
    target_quarter = forms.RegexField(
        label=_("Target quarter"),
        regex=r"^20[2-9][0-9]-T[1-4]$",
        required=False,
        error_messages={"invalid": _("Write the quarter as 2027-T1 (year, T and 1 to 4).")},
        widget=forms.TextInput(attrs={"placeholder": "2027-T1", "size": 8}),
    )
    people = forms.IntegerField(label=_("People to train"), min_value=1, max_value=10000)
    priority = forms.TypedChoiceField(
        label=_("Priority"), coerce=int, choices=[(1, "P1"), (2, "P2"), (3, "P3")]
    )

    funding_requested_on = forms.DateField(
        label=_("Filed on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Write the date as 2027-01-15 (year, month, day).")},
    )
    funding_granted = forms.IntegerField(
        label=_("Amount granted (€)"),
        required=False,
        min_value=0,
        max_value=10_000_000,
    )

    class Meta:
        model = PlanItem
        fields = [*PLAN_LINE_FIELDS, *FUNDING_REQUEST_FIELDS]
        labels = {"funding_reference": _("OPCO file no.")}
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            css = "form-select" if name in ("status", "horizon", "priority") else "form-control"
            field.widget.attrs["class"] = css

    def clean_people(self) -> int:
        """No more people to train than the company has employees, by its headcount band."""
        people = self.cleaned_data["people"]
        company = self.instance.plan.company if self.instance.pk else None
        ceiling = HeadcountBand.ceiling(company.headcount_band) if company else None
        # Checked when typed: a line saved before under another headcount blocks nothing.
        if ceiling is not None and people > ceiling and "people" in self.changed_data:
            raise forms.ValidationError(
                _(
                    "The company has at most %(n)s employees (%(band)s in its profile): train "
                    "at most %(n)s people, or correct the headcount in the company's profile."
                )
                % {"n": ceiling, "band": company.get_headcount_band_display()}
            )
        return people

    def clean_funding_requested_on(self) -> date | None:
        filed = self.cleaned_data["funding_requested_on"]
        if filed is not None and filed > timezone.localdate():
            raise forms.ValidationError(_("The request cannot be filed after today."))
        return filed

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if (
            data.get("funding_requested_on") is None
            and "funding_requested_on" not in self.errors
            and (data.get("funding_reference") or data.get("funding_granted") is not None)
        ):
            self.add_error(
                "funding_requested_on",
                _("Give the day the request was filed, before its file number or agreement."),
            )
        return data


class PlanSettingsForm(forms.ModelForm):
    class Meta:
        model = ActionPlan
        fields = ["hourly_salary_cost"]
        widgets = {
            "hourly_salary_cost": forms.NumberInput(
                attrs={"class": "form-control", "step": "0.01", "min": "0", "max": "999"}
            )
        }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["hourly_salary_cost"]
        field.min_value = 0
        field.validators.append(MinValueValidator(0))
        field.widget.attrs["aria-describedby"] = f"{self['hourly_salary_cost'].id_for_label}-help"
