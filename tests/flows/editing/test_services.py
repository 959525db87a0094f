"""The services behind the edit pages: what each creates, keeps and refuses."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from flows.models import Flow
from flows.services import flow_create, flow_end, flow_update, party_offboard
from registry.models import Agreement, Party
from registry.services import (
    VersionConflict,
    agreement_create,
    agreement_terminate,
    agreement_update,
    party_create,
    party_update,
    party_upsert,
    record_version,
    version_check,
)
from tests.factories import category, make_agreement, make_flow, make_party, make_user, purpose

pytestmark = pytest.mark.django_db


def _messages(error: ValidationError) -> list[str]:
    return [m for messages in error.message_dict.values() for m in messages]


def test_a_new_processor_waits_for_a_reviewer_and_an_affiliate_is_approved():
    vendor = party_create(slug="mailer", name="Mailer", relationship="processor", country="US")
    sub = party_create(slug="cloud", name="Cloud", relationship="subprocessor", country="US")
    sister = party_create(slug="sister", name="Sister", relationship="affiliate", country="FR")
    assert (vendor.status, sub.status, sister.status) == ("submitted", "submitted", "approved")


@pytest.mark.parametrize("slug", ["new", "search"])
def test_a_slug_that_is_a_page_is_refused_with_a_clear_message(slug):
    with pytest.raises(ValidationError) as refused:
        party_upsert(slug=slug, name="New", relationship="processor", country="US")
    assert _messages(refused.value) == [
        f"“{slug}” is the address of a page; choose another slug for the party."
    ]
    assert not Party.objects.exists()


def test_an_agreement_cannot_be_called_new(voipx, acme):
    with pytest.raises(ValidationError) as refused:
        agreement_create(
            reference="new", kind="dpa", parties=[voipx, acme], signed_on=date(2024, 1, 1)
        )
    assert "“new” is the address of a page" in _messages(refused.value)[0]


def test_a_taken_slug_is_refused_on_creation(acme):
    with pytest.raises(ValidationError) as refused:
        party_create(slug="acme", name="Other", relationship="processor", country="US")
    assert _messages(refused.value) == ["A party with the slug “acme” exists already."]
    assert Party.objects.get(slug="acme").name == "Acme Support"


def test_an_update_keeps_the_slug_and_the_status_and_writes_one_history_row(acme):
    acme.status = "approved"
    acme.save()
    rows = acme.history.count()
    saved = party_update(
        party=acme,
        version=record_version(acme),
        name="Acme Help",
        relationship="processor",
        country="IN",
    )
    assert (saved.slug, saved.name, saved.status) == ("acme", "Acme Help", "approved")
    assert acme.history.count() == rows + 1


def test_an_affiliate_that_becomes_a_processor_waits_for_a_reviewer_again():
    party = party_create(slug="sister", name="Sister", relationship="affiliate", country="FR")
    party_update(party=party, name="Sister", relationship="processor", country="FR")
    assert Party.objects.get(slug="sister").status == "submitted"


def test_a_save_over_a_newer_version_is_refused_with_what_changed(acme):
    seen = record_version(acme)
    alice = make_user("alice", first_name="Alice", last_name="Martin")
    party_upsert(slug="acme", name="Acme Help", relationship="processor", country="DE")
    acme.history.filter(history_id__gt=seen).update(history_user=alice)
    with pytest.raises(VersionConflict) as refused:
        party_update(party=acme, version=seen, name="Mine", relationship="processor", country="IN")
    [revision] = refused.value.revisions
    assert revision.who == "Alice Martin"
    changes = {c.label: (c.before, c.after) for c in revision.changes}
    assert changes == {
        "Name": ("Acme Support", "Acme Help"),
        "Country of establishment": ("India", "Germany"),
    }
    assert "Alice Martin saved it on" in refused.value.describe()
    assert "Name: Acme Support → Acme Help" in refused.value.describe()
    assert Party.objects.get(slug="acme").name == "Acme Help"


def test_the_changes_of_an_agreement_name_its_parties_and_categories(voipx, acme):
    agreement = make_agreement([voipx, acme], reference="dpa-acme")
    seen = record_version(agreement)
    other = make_party("other", name="Other Vendor")
    agreement_update(
        agreement=agreement,
        kind="scc_2021_m2",
        parties=[voipx, acme, other],
        signed_on=date(2020, 1, 1),
        categories=[category("user.contact.email")],
    )
    with pytest.raises(VersionConflict) as refused:
        version_check(instance=agreement, version=seen)
    changes = {c.label: (c.before, c.after) for c in refused.value.revisions[0].changes}
    assert changes["Kind"] == (
        "Data processing agreement (GDPR Art. 28)",
        "SCCs 2021, module 2 (controller to processor)",
    )
    assert changes["Parties"] == (
        "VoIPX Europe, Acme Support",
        "VoIPX Europe, Acme Support, Other Vendor",
    )
    assert "(user.contact.email)" in changes["Data categories covered"][1]


def test_the_latest_version_passes(acme):
    version_check(instance=acme, version=record_version(acme))


def test_a_new_flow_gets_a_reference_from_its_parties_and_purpose(voipx, acme):
    values: dict[str, Any] = {
        "categories": [category("user.contact.email")],
        "purpose": purpose("essential.service"),
        "role": "processor",
        "started_on": date(2024, 1, 1),
    }
    first = flow_create(source=voipx, target=acme, **values)
    second = flow_create(source=voipx, target=acme, **values)
    assert first.reference == "voipx-to-acme-essential-service"
    assert second.reference == "voipx-to-acme-essential-service-2"
    assert first.history.count() == 1


def test_a_flow_update_keeps_its_reference_and_writes_one_history_row(voipx, acme):
    flow = make_flow(voipx, acme, reference="support-tickets")
    flow_update(
        flow=flow,
        version=record_version(flow),
        source=voipx,
        target=acme,
        categories=[category("user.contact.email"), category("user.name")],
        purpose=purpose(),
        role="processor",
        started_on=date(2020, 1, 1),
    )
    flow = Flow.objects.get(pk=flow.pk)
    assert flow.reference == "support-tickets"
    assert flow.history.count() == 2
    assert sorted(flow.categories.values_list("key", flat=True)) == [
        "user.contact.email",
        "user.name",
    ]


def test_ending_a_flow_sets_its_last_day_and_refuses_a_day_before_it_starts(voipx, acme):
    flow = make_flow(voipx, acme, started_on=date(2024, 1, 1))
    with pytest.raises(ValidationError) as refused:
        flow_end(flow=flow, on=date(2023, 12, 31))
    assert _messages(refused.value) == ["A flow cannot end before it starts."]
    flow_end(flow=Flow.objects.get(pk=flow.pk), on=date(2024, 6, 30))
    assert Flow.objects.get(pk=flow.pk).ended_on == date(2024, 6, 30)


def test_terminating_an_agreement_refuses_a_day_before_its_signature(voipx, acme):
    agreement = make_agreement([voipx, acme], signed_on=date(2022, 1, 1))
    with pytest.raises(ValidationError) as refused:
        agreement_terminate(agreement=agreement, on=date(2021, 1, 1))
    assert _messages(refused.value) == ["An agreement cannot end before it is signed."]
    agreement_terminate(agreement=Agreement.objects.get(pk=agreement.pk), on=date(2024, 1, 1))
    assert Agreement.objects.get(pk=agreement.pk).terminated_on == date(2024, 1, 1)


def test_offboarding_ends_every_live_flow_of_the_party_on_that_day(voipx, acme):
    out = make_flow(voipx, acme, started_on=date(2020, 1, 1))
    back = make_flow(acme, voipx, started_on=date(2021, 1, 1))
    ended = make_flow(voipx, acme, started_on=date(2020, 1, 1), ended_on=date(2022, 1, 1))
    party_offboard(party=acme, on=date(2025, 3, 31))
    assert Party.objects.get(pk=acme.pk).status == "offboarded"
    ends = dict(Flow.objects.values_list("pk", "ended_on"))
    assert ends == {
        out.pk: date(2025, 3, 31),
        back.pk: date(2025, 3, 31),
        ended.pk: date(2022, 1, 1),
    }


def test_offboarding_is_all_or_nothing(voipx, acme):
    make_flow(voipx, acme, started_on=date(2020, 1, 1))
    late = make_flow(voipx, acme, reference="later-one", started_on=date(2026, 6, 1))
    with pytest.raises(ValidationError) as refused:
        party_offboard(party=acme, on=date(2025, 3, 31))
    assert _messages(refused.value) == [
        "1 of its flows start after 2025-03-31: later-one (from 2026-06-01). Choose a later "
        "day, or end those flows first."
    ]
    assert Party.objects.get(pk=acme.pk).status != "offboarded"
    assert not Flow.objects.filter(ended_on__isnull=False).exists()
    assert late.history.count() == 1
