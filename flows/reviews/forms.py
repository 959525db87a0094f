"""Forms of legal review: the queue's filters and a reviewer's decision."""

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from flows.choices import ReviewDecision
from flows.forms import FindingCriteriaForm
from flows.reviews.selectors import QUEUE_STATES


class ReviewQueueFilterForm(FindingCriteriaForm):
    field_order = ["state"]

    state = forms.ChoiceField(
        label="Review state", required=False, choices=list(QUEUE_STATES.items())
    )


def editors() -> QuerySet[Any]:
    """Users who may change the register: those a change can be assigned to."""
    users = get_user_model().objects.filter(is_active=True)
    editor_perm = Q(groups__permissions__codename="change_party") | Q(
        user_permissions__codename="change_party"
    )
    return users.filter(editor_perm | Q(is_superuser=True)).distinct().order_by("username")


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
