"""Forms that parse the filters of the flow pages; bad values are reported, not obeyed."""

import difflib
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q

from flows.choices import Role, TransferMechanism
from flows.engine.records import SEVERITIES
from flows.engine.rules import RULES
from flows.models import DataCategory
from registry.forms import choice_field, with_any
from registry.party_fields import PartyFilterField
from registry.web.arguments import SupportedDateField


class CategoryFilterField(forms.CharField):
    """A data category by its key or its name (any case), cleaned to its key; the filters
    match categories by key, with their ancestors and descendants."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", "Data category")
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 200)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> str:
        text = super().clean(value).strip()
        if not text:
            return ""
        found = DataCategory.objects.filter(Q(key=text) | Q(name__iexact=text))
        keys = sorted({key for key in found.values_list("key", flat=True)})
        if text in keys or len(keys) == 1:
            return text if text in keys else keys[0]
        if keys:
            raise ValidationError(f"Several categories are named “{text}”: {', '.join(keys)}.")
        names = list(DataCategory.objects.values_list("name", flat=True))
        close = difflib.get_close_matches(text, names, n=3, cutoff=0.6)
        hint = f" Did you mean {', '.join(f'“{n}”' for n in close)}?" if close else ""
        raise ValidationError(f"No data category is named “{text}”.{hint}")


class FlowFilterForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=200)
    party = PartyFilterField()
    role = forms.ChoiceField(label="Role", required=False, choices=with_any(Role.choices))
    transfer_mechanism = forms.ChoiceField(
        label="Transfer mechanism",
        required=False,
        choices=with_any(TransferMechanism.choices),
    )
    category = CategoryFilterField()


class FindingCriteriaForm(forms.Form):
    """The criteria every list of findings filters on: rule, party, data category."""

    rule = forms.ChoiceField(label="Rule", required=False, choices=())
    party = PartyFilterField()
    category = CategoryFilterField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "rule").choices = with_any(
            [(r.identifier, r.title) for r in sorted(RULES, key=lambda r: r.title)]
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
