"""Forms that parse the filters of the list pages; bad values are reported, not obeyed."""

from django import forms
from django_countries import countries

from registry.choices import AgreementKind, PartyStatus, Relationship
from registry.party_fields import PartyFilterField


def with_any(choices: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [("", "Any")] + list(choices)


def choice_field(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    """The form's own copy of the choice field `name`, for choices filled in at run time."""
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField), f"{name} is not a choice field"
    return field


class PartyFilterForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=200)
    relationship = forms.ChoiceField(
        label="Relationship", required=False, choices=with_any(Relationship.choices)
    )
    status = forms.ChoiceField(
        label="Status", required=False, choices=with_any(PartyStatus.choices)
    )
    country = forms.ChoiceField(label="Country", required=False, choices=with_any(list(countries)))


class AgreementFilterForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=200)
    kind = forms.ChoiceField(label="Kind", required=False, choices=with_any(AgreementKind.choices))
    party = PartyFilterField()
