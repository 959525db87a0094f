"""The register loads into records faithfully, and findings follow every change."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from flows.engine.records import AgreementRecord, FlowRecord, PartyRecord
from flows.findings import findings_as_of
from flows.loading import Part, register_load
from flows.models import Flow
from tests.factories import category, make_agreement, make_flow, make_own_party, make_party

pytestmark = pytest.mark.django_db
DAY = date(2026, 11, 28)


def _rules_for(flow_id: int) -> set[str]:
    _, findings = findings_as_of(DAY)
    return {f.rule for f in findings if f.flow == flow_id}


def test_every_field_of_a_flow_reaches_its_record():
    own = make_own_party(country="IE")
    vendor = make_party("vendor", country="US", processing_countries=["US", "IN"])
    scc = make_agreement([own, vendor], reference="scc", kind="scc_2021_m2")
    flow = make_flow(
        own, vendor, reference="payroll",
        categories=[category("user.name"), category("user.biometric.voice")],
        role="processor", started_on=date(2022, 1, 2), ended_on=date(2030, 1, 1),
        lawful_basis="contract", art9_condition="employment",
        processing_countries=["IN"], transfer_mechanism="scc_2021",
        transfer_agreement=scc, tia_on=date(2022, 1, 1),
    )  # fmt: skip
    register = register_load()
    assert register.flows == (
        FlowRecord(
            id=flow.pk, source=own.slug, target="vendor",
            categories=("user.biometric.voice", "user.name"), purpose="essential.service",
            role="processor", started_on=date(2022, 1, 2), ended_on=date(2030, 1, 1),
            lawful_basis="contract", art9_condition="employment", processing_countries=("IN",),
            transfer_mechanism="scc_2021", transfer_agreement="scc", tia_on=date(2022, 1, 1),
            reference="payroll",
        ),
    )  # fmt: skip
    assert register.parties["vendor"] == PartyRecord(
        slug="vendor", name="Vendor", relationship="processor", country="US",
        processing_countries=("IN", "US"), parent=None, status="approved",
        dpf_certified_until=None, pci_attested_on=None, legal_name="", id=vendor.pk,
    )  # fmt: skip
    assert register.agreements == (
        AgreementRecord(
            reference="scc", kind="scc_2021_m2", parties=frozenset({own.slug, "vendor"}),
            signed_on=date(2020, 1, 1), effective_on=None, expires_on=None, terminated_on=None,
            categories=frozenset(), flowdown=False, subprocessor_authorisation="none", id=scc.pk,
        ),
    )  # fmt: skip
    assert register.categories["user.biometric"].special_category
    assert any(z.regime == "EU" and z.country == "IE" for z in register.zones)


def test_loading_takes_the_same_number_of_queries_for_any_size():
    own = make_own_party()
    make_flow(own, make_party("v0"))
    with CaptureQueriesContext(connection) as small:
        register_load()
    for i in range(1, 20):
        vendor = make_party(f"v{i}")
        make_agreement([own, vendor])
        make_flow(own, vendor)
    with CaptureQueriesContext(connection) as large:
        register_load()
    assert len(large.captured_queries) == len(small.captured_queries)


def test_a_finding_disappears_once_the_flow_is_fixed():
    own, vendor = make_own_party(), make_party("vendor")
    make_agreement([own, vendor], reference="dpa")
    flow = make_flow(own, vendor, reference="f", lawful_basis="")
    assert "NO_LAWFUL_BASIS" in _rules_for(flow.pk)
    make_flow(own, vendor, reference="f", lawful_basis="contract")
    assert "NO_LAWFUL_BASIS" not in _rules_for(flow.pk)


def test_changing_only_the_categories_an_agreement_covers_reopens_a_finding():
    own, vendor = make_own_party(), make_party("vendor")
    make_agreement([own, vendor], reference="dpa")
    flow = make_flow(own, vendor, reference="f")
    assert _rules_for(flow.pk) == set()
    make_agreement([own, vendor], reference="dpa", categories=[category("user.name")])
    assert "NO_AGREEMENT" in _rules_for(flow.pk)


def test_editing_a_jurisdiction_table_changes_the_findings():
    from flows.models import MechanismValidity

    own = make_own_party(country="IE")
    vendor = make_party("vendor", country="US")
    make_agreement([own, vendor], reference="dpa")
    flow = make_flow(own, vendor, reference="f", transfer_mechanism="safe_harbor")
    assert "INVALID_TRANSFER_MECHANISM" in _rules_for(flow.pk)
    row = MechanismValidity.objects.get(regime="EU", mechanism="safe_harbor")
    row.valid_to = None  # a reviewer's (wrong) edit in the admin
    row.save()
    assert "INVALID_TRANSFER_MECHANISM" not in _rules_for(flow.pk)


def test_the_transfer_tool_fields_reach_their_records():
    own = make_own_party(country="GB")
    vendor = make_party(
        "vendor", country="US", dpf_certified_until=date(2027, 3, 31),
        dpf_uk_certified_until=date(2027, 2, 28), dpf_swiss_certified_until=date(2026, 12, 31),
    )  # fmt: skip
    scc = make_agreement([own, vendor], reference="scc", kind="scc_2021_m2", objection_days=14)
    make_agreement([own, vendor], reference="addendum", kind="uk_addendum", amends=scc)
    make_flow(
        own, vendor, reference="f", transfer_mechanism="derogation",
        derogation_justification="Art. 49(1)(b): one contract's performance",
        art10_authority="Rehabilitation of Offenders Act 1974",
    )  # fmt: skip
    register = register_load()
    party = register.parties["vendor"]
    assert (party.dpf_certified_until, party.dpf_uk_certified_until) == (
        date(2027, 3, 31),
        date(2027, 2, 28),
    )
    assert party.dpf_swiss_certified_until == date(2026, 12, 31)
    assert register.parties[own.slug].dpf_uk_certified_until is None
    by_reference = {a.reference: a for a in register.agreements}
    assert (by_reference["scc"].objection_days, by_reference["scc"].amends) == (14, None)
    assert (by_reference["addendum"].objection_days, by_reference["addendum"].amends) == (
        30,
        "scc",
    )
    (flow,) = register.flows
    assert flow.derogation_justification == "Art. 49(1)(b): one contract's performance"
    assert flow.art10_authority == "Rehabilitation of Offenders Act 1974"


def test_a_part_of_the_register_holds_the_scc_an_addendum_it_names_amends():
    """A flow may name an Addendum between other parties: the rules still read its SCCs."""
    own, vendor = make_own_party(country="GB"), make_party("vendor")
    a, b = make_party("a", country="GB"), make_party("b")
    scc = make_agreement([a, b], reference="scc-a-b", kind="scc_2021_m2")
    addendum = make_agreement([a, b], reference="addendum-a-b", kind="uk_addendum", amends=scc)
    flow = make_flow(own, vendor, transfer_mechanism="uk_addendum", transfer_agreement=addendum)
    with CaptureQueriesContext(connection) as one:
        part = register_load(Part([flow.pk]))
    assert {x.reference for x in part.agreements} == {"scc-a-b", "addendum-a-b"}
    for i in range(5):
        other = make_party(f"v{i}")
        make_agreement([own, other])
        make_flow(own, other, transfer_mechanism="uk_addendum", transfer_agreement=addendum)
    every = list(Flow.objects.values_list("pk", flat=True))
    with CaptureQueriesContext(connection) as many:
        register_load(Part(every))
    assert len(many.captured_queries) == len(one.captured_queries)
