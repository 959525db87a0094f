"""The prediction of a write: what it adds to and clears from today's findings, exactly,
with the write rolled back."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

import flows.findings.scope
from flows.editing.prediction import predict
from flows.findings import today_status
from flows.findings.refresh import findings_refresh_all
from flows.models import FindingsState, Flow, StoredFinding
from flows.services import flow_create, flow_update
from registry.models import Party
from registry.services import party_create
from tests.factories import category, make_agreement, make_flow, purpose

pytestmark = pytest.mark.django_db

EMAIL = "user.contact.email"


@pytest.fixture
def dpa(voipx, acme):
    """Acme works under a DPA: a flow to it lacks only a transfer mechanism."""
    return make_agreement([voipx, acme], reference="dpa-acme", kind="dpa")


def _new_flow(voipx, acme, **extra):
    values = {
        "source": voipx,
        "target": acme,
        "categories": [category(EMAIL)],
        "purpose": purpose(),
        "role": "processor",
        "lawful_basis": "contract",
        "started_on": date(2024, 1, 1),
    }
    values.update(extra)
    return lambda: flow_create(**values)


def _snapshot():
    return (
        Flow.objects.count(),
        Flow.history.count(),
        list(StoredFinding.objects.values_list("rule", "flow_id", "message")),
    )


def test_a_flow_to_india_without_a_mechanism_is_predicted_and_nothing_is_saved(voipx, acme, dpa):
    today_status(date.today())
    before = _snapshot()
    prediction = predict(_new_flow(voipx, acme))
    assert prediction.summary == (
        "Saving adds 1 critical: NO_TRANSFER_MECHANISM on VoIPX Europe → Acme Support (IN)."
    )
    [added] = prediction.added_described
    assert added.message.startswith("Restricted transfer with no transfer mechanism: VoIPX Europe")
    assert _snapshot() == before


def test_a_fix_is_predicted_to_clear_the_finding(voipx, acme, dpa):
    scc = make_agreement([voipx, acme], reference="scc-acme", kind="scc_2021_m2")
    flow = make_flow(voipx, acme, reference="tickets")
    prediction = predict(
        lambda: flow_update(
            flow=flow,
            source=voipx,
            target=acme,
            categories=[category(EMAIL)],
            purpose=purpose(),
            role="processor",
            lawful_basis="contract",
            started_on=date(2020, 1, 1),
            transfer_mechanism="scc_2021",
            transfer_agreement=scc,
            tia_on=date(2024, 1, 1),
        )
    )
    assert prediction.summary == (
        "Saving clears 1 critical: NO_TRANSFER_MECHANISM on VoIPX Europe → Acme Support (IN)."
    )
    assert Flow.objects.get(pk=flow.pk).transfer_mechanism == ""


def test_a_write_that_changes_no_finding_says_so(voipx, acme):
    prediction = predict(
        lambda: party_create(slug="sister", name="Sister", relationship="affiliate", country="FR")
    )
    assert prediction.summary == "Saving adds no finding and clears none."
    assert not Party.objects.filter(slug="sister").exists()


def test_the_refusal_of_the_service_reaches_the_caller(voipx):
    with pytest.raises(ValidationError) as refused:
        predict(_new_flow(voipx, voipx))
    assert refused.value.message_dict["target"] == ["A flow cannot go from a party to itself."]


def test_a_change_too_large_to_follow_is_evaluated_in_full(voipx, acme, dpa, settings, monkeypatch):
    """Over the inline limit the write asks for a background refresh; the prediction
    evaluates the whole register instead, and gives the same answer."""
    today_status(date.today())
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.FINDINGS_INLINE_FLOWS = 0
    monkeypatch.setattr(flows.findings.scope, "INLINE_LIMIT", 0)
    make_flow(voipx, acme, reference="existing", transfer_mechanism="scc_2021")
    assert FindingsState.objects.get().refresh_requested_at is not None
    findings_refresh_all()  # what the background task does
    assert FindingsState.objects.get().refresh_requested_at is None
    prediction = predict(_new_flow(voipx, acme))
    assert prediction.summary == (
        "Saving adds 1 critical: NO_TRANSFER_MECHANISM on VoIPX Europe → Acme Support (IN)."
    )
    assert FindingsState.objects.get().refresh_requested_at is None
