"""The reviewer's page of publication decisions: its filters and its decision."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils import timezone

from registry.forms import with_any
from registry.publication import (
    NOTICE_IN_THE_PAST,
    publication_notice_days,
    publication_relationship_choices,
)
from registry.web.arguments import is_row_id

APPROVE, REJECT = "approve", "reject"
CHOOSE_ACTION = "Choose “Approve for the public list” or “Reject”."


class DecisionFilterForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=200)
    relationship = forms.ChoiceField(
        label="Relationship", required=False, choices=with_any(publication_relationship_choices())
    )
    processor = forms.CharField(
        label="Processor (it, or who engaged it)", required=False, max_length=200
    )


class PartyIdsField(forms.Field):
    """The ticked checkboxes: party ids, as many as ticked (at most one page)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[int]:
        values = value if isinstance(value, list | tuple) else [value] if value else []
        if len(values) > 500:
            raise forms.ValidationError("Decide on at most 500 parties at a time.")
        try:
            ids = sorted({int(v) for v in values})
        except (TypeError, ValueError):
            ids = [0]
        if not all(is_row_id(pk) for pk in ids):
            raise forms.ValidationError("Tick parties of the list only.")
        return ids


class DecisionForm(forms.Form):
    """One decision on the ticked parties: approve them for the public list with one notice
    date and note, or reject them."""

    action = forms.ChoiceField(
        choices=[(APPROVE, "Approve"), (REJECT, "Reject")],
        error_messages={"invalid_choice": CHOOSE_ACTION, "required": CHOOSE_ACTION},
    )
    parties = PartyIdsField(required=False)
    notice_on = forms.DateField(
        label="Notice date",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The day customers are told.",
    )
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=2000,
        widget=forms.TextInput(),
        help_text="Why, for the record (the public list does not show it).",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        days = publication_notice_days()
        self.fields[
            "notice_on"
        ].help_text = f"The day customers are told; the change takes effect {days} days later."

    def clean_parties(self) -> list[int]:
        chosen: list[int] = self.cleaned_data["parties"]
        if not chosen:
            raise forms.ValidationError("Tick at least one party to decide on.")
        return chosen

    def clean_notice_on(self) -> date:
        notice_on: date | None = self.cleaned_data["notice_on"]
        today = timezone.localdate()
        if notice_on is None:
            return today
        if notice_on < today:
            raise forms.ValidationError(NOTICE_IN_THE_PAST)
        return notice_on
