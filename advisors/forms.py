"""Forms of the advisor's pages: the portfolio's filters, the review and the plan lines."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import HeadcountBand, Region
from diagnostics.definition import tr
from documents.exports import ExportForm
from documents.parsing import format_number
from reports.forms import EditedFieldsMixin
from reports.models import PlanItem, TrainingAction

# The sections of the French activity nomenclature (NAF rev. 2) and their divisions.
NAF_SECTIONS: dict[str, tuple[Any, range]] = {
    "A": (_("Agriculture, forestry and fishing"), range(1, 4)),
    "B": (_("Mining and quarrying"), range(5, 10)),
    "C": (_("Manufacturing"), range(10, 34)),
    "D": (_("Electricity, gas and steam supply"), range(35, 36)),
    "E": (_("Water supply, sewerage and waste"), range(36, 40)),
    "F": (_("Construction"), range(41, 44)),
    "G": (_("Wholesale and retail trade"), range(45, 48)),
    "H": (_("Transportation and storage"), range(49, 54)),
    "I": (_("Accommodation and food services"), range(55, 57)),
    "J": (_("Information and communication"), range(58, 64)),
    "K": (_("Financial and insurance activities"), range(64, 67)),
    "L": (_("Real estate activities"), range(68, 69)),
    "M": (_("Professional, scientific and technical activities"), range(69, 76)),
    "N": (_("Administrative and support services"), range(77, 83)),
    "O": (_("Public administration"), range(84, 85)),
    "P": (_("Education"), range(85, 86)),
    "Q": (_("Human health and social work"), range(86, 89)),
    "R": (_("Arts, entertainment and recreation"), range(90, 94)),
    "S": (_("Other service activities"), range(94, 97)),
    "T": (_("Households as employers"), range(97, 99)),
    "U": (_("Extraterritorial organisations"), range(99, 100)),
}


def naf_regex(sector: str) -> str:
    """The NAF codes of a section (a letter) or of a division (two digits)."""
    if sector.isdigit():
        return rf"^{sector}\."
    divisions = "|".join(f"{d:02d}" for d in NAF_SECTIONS[sector][1])
    return rf"^({divisions})\."


class ReviewState:
    NONE = "none"
    DRAFT = "draft"
    TO_REVIEW = "to_review"
    CHANGED = "changed"
    VALIDATED = "validated"
    CHOICES = (
        (NONE, _("No diagnostic")),
        (DRAFT, _("Diagnostic in progress")),
        (TO_REVIEW, _("To review")),
        (CHANGED, _("Plan changed since its validation")),
        (VALIDATED, _("Plan validated")),
    )


SORTS = {
    "name": _("Name"),
    "-last": _("Latest diagnostic first"),
    "last": _("Oldest diagnostic first"),
    "index": _("Lowest index first"),
    "-index": _("Highest index first"),
    "-change": _("Largest progress first"),
    "-remaining": _("Largest remaining cost first"),
    "-requests": _("Most funding requests to file first"),
    "-overdue": _("Most accepted lines past their quarter first"),
}


def _choices(pairs: Any) -> list[tuple[str, Any]]:
    return [("", _("All")), *pairs]


class PortfolioFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or SIRET"), required=False, max_length=100, strip=True)
    sector = forms.RegexField(
        label=_("Sector (NAF section or division)"),
        regex=r"^([A-U]|[0-9]{2})$",
        required=False,
        error_messages={
            "invalid": _("Give a NAF section (a letter from A to U) or a division (two digits).")
        },
    )
    region = forms.ChoiceField(label=_("Region"), required=False, choices=())
    band = forms.ChoiceField(label=_("Headcount"), required=False, choices=())
    status = forms.ChoiceField(label=_("Status"), required=False, choices=())
    since = forms.DateField(
        label=_("Latest diagnostic from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    until = forms.DateField(
        label=_("Latest diagnostic until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=())
    page = forms.IntegerField(required=False, min_value=1, max_value=100000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = _choices(Region.choices)
        self.fields["band"].choices = _choices(HeadcountBand.choices)
        self.fields["status"].choices = _choices(ReviewState.CHOICES)
        self.fields["sort"].choices = list(SORTS.items())
        for field in self.fields.values():
            css = "form-select" if isinstance(field, forms.ChoiceField) else "form-control"
            field.widget.attrs.setdefault("class", css)
        self.fields["sector"].widget.attrs.update({"list": "naf-sections", "size": 4})

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            raise forms.ValidationError(_("The start of the period comes after its end."))
        return data


class PortfolioExportForm(PortfolioFilterForm, ExportForm):
    """The portfolio's filters, and the file format of the export."""


class ReviewCommentForm(forms.Form):
    """The overall comment and one comment per domain of the questionnaire."""

    comment = forms.CharField(
        label=_("Overall comment for the company"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}),
    )

    def __init__(self, *args: Any, domains: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.domain_fields = []
        for code, title in domains:
            name = f"domain-{code}"
            self.fields[name] = forms.CharField(
                label=title,
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
            )
            self.domain_fields.append((code, name))

    def domain_comments(self) -> dict[str, str]:
        return {code: self.cleaned_data[name] for code, name in self.domain_fields}

    def domain_boundfields(self) -> list[forms.BoundField]:
        return [self[name] for _code, name in self.domain_fields]


PRIORITIES = [(1, "P1"), (2, "P2"), (3, "P3")]


class LineAdjustForm(EditedFieldsMixin, forms.Form):
    """The advisor's adjustment of one plan line: priority, horizon, or drop with a reason.

    Only what the advisor changed is applied (`edited()`): a line the company dropped
    meanwhile stays dropped, and one it dropped without a reason needs none from the
    advisor to save their other changes."""

    priority = forms.TypedChoiceField(label=_("Priority"), coerce=int, choices=PRIORITIES)
    horizon = forms.ChoiceField(label=_("Horizon"), choices=PlanItem.Horizon.choices)
    drop = forms.BooleanField(label=_("Drop this line"), required=False)
    drop_reason = forms.CharField(label=_("Reason"), required=False, max_length=500)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("priority", "horizon"):
            self.fields[name].widget.attrs["class"] = "form-select form-select-sm"
        self.fields["drop"].widget.attrs["class"] = "form-check-input"
        self.fields["drop_reason"].widget.attrs["class"] = "form-control form-control-sm"

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("drop") and "drop" in self.changed_data and not data.get("drop_reason"):
            self.add_error("drop_reason", _("Say why the line is dropped."))
        return data

    def edited(self) -> dict[str, Any]:
        edited = super().edited()
        if "drop" in edited:  # a line dropped now is dropped with its reason
            edited["drop_reason"] = self.cleaned_data["drop_reason"]
        return edited


class ActionChoiceField(forms.ModelChoiceField):
    language = "fr"

    def label_from_instance(self, obj: TrainingAction) -> str:
        hours = format_number(obj.duration_hours, self.language)
        return f"{tr(obj.title, self.language)} ({obj.code}, {hours} h)"


class AddLineForm(forms.Form):
    action = ActionChoiceField(label=_("Training action"), queryset=TrainingAction.objects.none())
    priority = forms.TypedChoiceField(
        label=_("Priority"), coerce=int, choices=PRIORITIES, initial=2
    )
    horizon = forms.ChoiceField(label=_("Horizon"), choices=PlanItem.Horizon.choices)

    def __init__(self, *args: Any, actions: Any, language: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["action"]
        field.queryset = actions
        field.language = language
        for name in ("action", "priority", "horizon"):
            # The fields sit inside the review's form but belong to the "add-line" form.
            self.fields[name].widget.attrs.update({"class": "form-select", "form": "add-line"})
