"""The demo tells its own history: each record's first version is dated on the day it really
began, so the register as recorded on a past day holds what existed then."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.management import call_command
from django.utils import timezone

from flows.engine.rules import evaluate
from flows.findings import stored_findings
from flows.history.as_of import register_as_of
from flows.loading import register_load
from flows.models import Flow
from registry.models import Agreement, Party

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 28)


@pytest.fixture
def demo(db):
    call_command("seed_demo", today=TODAY)


def _first_day(model, **key) -> date:
    obj = model.objects.get(**key)
    first = obj.history.order_by("history_date", "history_id").first()
    assert first.history_type == "+"
    return timezone.localdate(first.history_date)


def test_each_record_is_first_recorded_on_its_real_day(demo):
    assert _first_day(Flow, reference="ie-to-hq-customer-records") == date(2014, 3, 1)
    assert _first_day(Flow, reference="ch-to-hq-customer-records") == date(2017, 1, 12)
    assert _first_day(Flow, reference="ie-to-voiceprint-verification") == date(2024, 2, 1)
    assert _first_day(Agreement, reference="iga-voipx-2014") == date(2014, 3, 1)
    # Signed on 2015-12-15, in force from 2016: recorded when signed.
    assert _first_day(Agreement, reference="scc-2004-voipx-ch-2015") == date(2015, 12, 15)
    # A party is recorded with the first agreement or flow it takes part in.
    assert _first_day(Party, slug="voipx") == date(2014, 3, 1)
    assert _first_day(Party, slug="voipx-switzerland") == date(2014, 3, 1)
    assert _first_day(Party, slug="ledgerline-billing") == date(2016, 2, 1)


def test_no_flow_is_recorded_before_its_parties_or_its_transfer_agreement(demo):
    for flow in Flow.objects.filter(proposed=False).select_related("transfer_agreement"):
        day = _first_day(Flow, pk=flow.pk)
        assert _first_day(Party, pk=flow.source_id) <= day, flow.reference
        assert _first_day(Party, pk=flow.target_id) <= day, flow.reference
        if flow.transfer_agreement is not None:
            assert _first_day(Agreement, pk=flow.transfer_agreement.pk) <= day, flow.reference


def test_the_register_as_recorded_in_october_2015_holds_what_existed_then(demo):
    for day in (date(2015, 10, 5), date(2015, 10, 6)):
        state = register_as_of(day=day)
        flows = {f.reference for f in state.flows}
        assert flows == {
            "ie-to-hq-customer-records",
            "hq-to-ie-customer-records",
            "ch-to-hq-customer-records-2014",
            "hq-to-partnerhub-leads",
        }
        parties = {p.slug for p in state.parties}
        assert parties == {"voipx", "voipx-ireland", "voipx-switzerland", "partnerhub-resellers"}
        assert not state.before_history
    assert register_as_of(day=date(2014, 2, 28)).before_history


def test_the_swiss_transfer_is_three_successive_flows_one_tool_each(demo):
    swiss = Flow.objects.filter(source__slug="voipx-switzerland", target__slug="voipx")
    tools = [(f.transfer_mechanism, f.started_on, f.ended_on) for f in swiss.order_by("started_on")]
    assert tools == [
        ("safe_harbor", date(2014, 6, 1), date(2015, 12, 31)),
        ("scc_2004", date(2016, 1, 1), date(2017, 1, 11)),
        ("privacy_shield", date(2017, 1, 12), None),
    ]


def test_loading_again_moves_no_history_and_the_store_equals_a_full_evaluation(demo):
    dates = sorted(Flow.history.values_list("history_id", "history_date"))
    call_command("seed_demo", today=TODAY)
    assert sorted(Flow.history.values_list("history_id", "history_date")) == dates
    today = date.today()
    assert sorted(stored_findings(), key=lambda f: f.sort_key()) == sorted(
        evaluate(register_load(), today), key=lambda f: f.sort_key()
    )


def test_the_offboarded_vendor_is_recorded_approved_until_the_day_after_its_dpa_lapsed(demo):
    def status(day: date) -> str | None:
        parties = {p.slug: p for p in register_as_of(day=day).parties}
        party = parties.get("feedbackly-surveys")
        return party.status if party is not None else None

    # Its DPA (dpa-feedbackly-2021) ran from 2021-04-01 to 2025-09-30.
    assert status(date(2021, 3, 31)) is None
    assert status(date(2021, 4, 1)) == status(date(2025, 9, 30)) == "approved"
    assert status(date(2025, 10, 1)) == "offboarded"
    assert Party.objects.get(slug="feedbackly-surveys").status == "offboarded"
    versions = Party.history.filter(slug="feedbackly-surveys").count()
    call_command("seed_demo", today=TODAY)
    assert Party.history.filter(slug="feedbackly-surveys").count() == versions
