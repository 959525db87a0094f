"""Forms that parse the filters of the flow pages; bad values are reported, not obeyed."""

from django import forms

from flows.choices import Role, TransferMechanism
from registry.forms import with_any


class FlowFilterForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=200)
    party = forms.SlugField(label="Party (slug)", required=False, max_length=100)
    role = forms.ChoiceField(label="Role", required=False, choices=with_any(Role.choices))
    transfer_mechanism = forms.ChoiceField(
        label="Transfer mechanism",
        required=False,
        choices=with_any(TransferMechanism.choices),
    )
    category = forms.CharField(label="Data category", required=False, max_length=200)
