"""Forms of legal review: the queue's filters, a reviewer's decision, a decision on many
findings, a second reviewer's answer, and the findings list's filters with the state."""

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.http import QueryDict

from flows.choices import ReviewDecision
from flows.engine.records import SEVERITIES
from flows.forms import FindingCriteriaForm, FindingFilterForm
from flows.reviews.marks import FINDING_STATES
from flows.reviews.selectors import QUEUE_STATES, person
from flows.reviews.services import BULK_DECISIONS
from registry.forms import with_any

ME = "me"
"""The assignee filter's value for the user who asks: "Assigned to me"."""


def editors() -> QuerySet[Any]:
    """Users who may change the register: those a change can be assigned to."""
    users = get_user_model().objects.filter(is_active=True)
    editor_perm = Q(groups__permissions__codename="change_party") | Q(
        user_permissions__codename="change_party"
    )
    return users.filter(editor_perm | Q(is_superuser=True)).distinct().order_by("username")


class ReviewQueueFilterForm(FindingCriteriaForm):
    field_order = ["state", "severity", "assignee", "waiting_days"]

    state = forms.ChoiceField(
        label="Review state", required=False, choices=list(QUEUE_STATES.items())
    )
    severity = forms.ChoiceField(
        label="Severity", required=False, choices=with_any([(s, s.title()) for s in SEVERITIES])
    )
    assignee = forms.ChoiceField(label="Change assigned to", required=False, choices=())
    waiting_days = forms.IntegerField(
        label="Waiting more than (days)", required=False, min_value=0, max_value=36500
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assignee"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            ("", "Anyone"),
            (ME, "Me"),
            *((u.get_username(), person(u)) for u in editors()),
        ]


class FindingStateFilterForm(FindingFilterForm):
    field_order = ["as_of", "severity", "state"]

    state = forms.ChoiceField(
        label="Review state", required=False, choices=list(FINDING_STATES.items())
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Decision", choices=ReviewDecision.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label="Reason or comment",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        help_text="Why the risk is acceptable, why the finding does not apply, or what to change.",
    )
    review_by = forms.DateField(
        label="Review by (accepted risk)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    assignee = forms.ModelChoiceField(
        label="Assign to editor (change request)",
        required=False,
        queryset=get_user_model().objects.none(),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assignee"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = editors()


class BulkDecisionForm(forms.Form):
    """One decision over the ticked rows of the queue; the rows are `RULE:flow id`."""

    decision = forms.ChoiceField(
        label="Decision for the ticked findings",
        choices=[(d.value, d.label) for d in BULK_DECISIONS],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label="Reason (the same for every ticked finding)",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=4000,
    )
    review_by = forms.DateField(
        label="Review by (accepted risk)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ticked: list[tuple[str, int]] = []
        self.bad: list[str] = []
        if self.is_bound:
            data = self.data
            keys = data.getlist("key") if isinstance(data, QueryDict) else data.get("key", [])
            self.ticked, self.bad = _keys(list(keys))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.bad:
            raise forms.ValidationError(f"Not a finding of the queue: {', '.join(self.bad)}.")
        if not self.ticked:
            raise forms.ValidationError("Tick at least one finding.")
        return cleaned


def _keys(values: list[str]) -> tuple[list[tuple[str, int]], list[str]]:
    keys, bad = [], []
    for value in values[:1000]:
        rule, _, flow = value.partition(":")
        if rule and flow.isdigit() and len(rule) <= 64:
            keys.append((rule, int(flow)))
        else:
            bad.append(value[:80])
    return keys, bad


class ConfirmForm(forms.Form):
    """A second reviewer's answer to an accepted risk."""

    answer = forms.ChoiceField(
        label="Your answer",
        choices=[("confirm", "Confirm the accepted risk"), ("refuse", "Refuse it")],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label="Reason or comment (needed to refuse)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=4000,
    )
