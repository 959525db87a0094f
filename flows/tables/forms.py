"""The forms of the jurisdiction tables: the models' own fields, checked by the models'
own rules (ModelForm runs full_clean: the unique periods and the dates in order)."""

from __future__ import annotations

from typing import Any

from django import forms
from django_countries import countries

from flows.choices import Regime
from flows.models import AdequacyDecision, MechanismValidity, ZoneMembership
from registry.web.pickers import PickOne

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _country_picker(form: forms.ModelForm[Any]) -> None:
    # 249 countries: a searchable list rather than a select to scroll.
    if "country" in form.fields:
        field = form.fields["country"]
        field.widget = PickOne(choices=list(countries), search_label="Search the countries")
        field.choices = list(countries)  # type: ignore[attr-defined]


class _TableForm(forms.ModelForm[Any]):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _country_picker(self)
        for field in self.fields.values():
            if isinstance(field, forms.DateField):
                field.widget = _DATE
                if not field.required:
                    field.help_text = field.help_text or "Empty for no limit."


class ZoneMembershipForm(_TableForm):
    class Meta:
        model = ZoneMembership
        fields = ["regime", "country", "valid_from", "valid_to", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}


class AdequacyDecisionForm(_TableForm):
    class Meta:
        model = AdequacyDecision
        fields = ["regime", "country", "instrument", "scope", "valid_from", "valid_to",
                  "notes", "verification"]  # fmt: skip
        widgets = {
            "notes": forms.Textarea(attrs={"rows": 3}),
            "verification": forms.Textarea(attrs={"rows": 3}),
        }


class MechanismValidityForm(_TableForm):
    class Meta:
        model = MechanismValidity
        fields = ["regime", "mechanism", "valid_from", "valid_to", "citation", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}


class TableFilterForm(forms.Form):
    """A table's rows by regime, and by a word of the country code, mechanism or notes."""

    regime = forms.ChoiceField(required=False, choices=[("", "Every regime"), *Regime.choices])
    q = forms.CharField(required=False, label="Search", max_length=100)
