"""Forms that parse the filters of the flow pages; bad values are reported, not obeyed."""

from typing import Any

from django import forms

from flows.choices import Role, TransferMechanism
from flows.engine.records import SEVERITIES
from flows.engine.rules import RULES
from registry.forms import choice_field, with_any
from registry.web.arguments import SupportedDateField


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


class FindingCriteriaForm(forms.Form):
    """The criteria every list of findings filters on: rule, party, data category."""

    rule = forms.ChoiceField(label="Rule", required=False, choices=())
    party = forms.SlugField(label="Party (slug)", required=False, max_length=100)
    category = forms.CharField(label="Data category", required=False, max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "rule").choices = with_any(
            [(r.identifier, r.identifier) for r in sorted(RULES, key=lambda r: r.identifier)]
        )


class FindingFilterForm(FindingCriteriaForm):
    field_order = ["as_of", "severity"]

    as_of = SupportedDateField(label="As of", required=False, help_text="Empty means today.")
    severity = forms.ChoiceField(
        label="Severity", required=False, choices=with_any([(s, s.title()) for s in SEVERITIES])
    )


class ReachForm(forms.Form):
    category = forms.CharField(label="Data category", max_length=200)
    as_of = SupportedDateField(label="As of", required=False)
