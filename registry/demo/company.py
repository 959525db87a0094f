"""The demo register: VoIPX International Inc., the US VoIP provider of the 2015 policy.

Its privacy policy shares customer data with "affiliated group companies", "selected
business partners", hosting, billing and other outsourced providers, among the US, the EEA
and Switzerland "under Safe Harbor". The demo holds flows that comply and, on purpose, at
least one flow that breaks each rule of the engine, so the product shows what it is for as
soon as it starts. Each deliberate breach says so in its description.

Dates that must stay "recent" whenever the demo is loaded (a PCI attestation, an agreement
about to expire) are relative to the day of loading; the rest are fixed history.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction

from flows.models import DataCategory, DataSubject, Purpose
from flows.services import flow_upsert
from registry.demo.agreements import demo_agreements
from registry.demo.engagements import demo_engagements
from registry.demo.flows import demo_flows
from registry.demo.history import demo_history_backdate
from registry.demo.onboarding import seed_onboarding_demo
from registry.demo.parties import demo_parties
from registry.demo.publications import seed_publications
from registry.demo.records import DemoRegister
from registry.engagements import engagement_record, engagement_update
from registry.models import Agreement, Party
from registry.services import agreement_upsert, party_upsert
from registry.web.batches import write_batch


def build_demo(today: date) -> DemoRegister:
    """The demo register as plain data, with the recent dates counted from `today`."""
    return DemoRegister(
        parties=demo_parties(today),
        agreements=demo_agreements(today),
        flows=demo_flows(today),
        engagements=demo_engagements(today),
    )


@transaction.atomic
def seed_demo(today: date) -> DemoRegister:
    """Load the demo register; running it again changes nothing but the relative dates.
    One batch of writes: the stored findings follow the whole demo once, at the end."""
    with write_batch():
        return _seed_demo(today)


def _seed_demo(today: date) -> DemoRegister:
    demo = build_demo(today)
    parties: dict[str, Party] = {}
    # Parents and engaging processors first: the list is ordered so that they come earlier.
    for p in demo.parties:
        parties[p.slug] = party_upsert(
            slug=p.slug,
            name=p.name,
            relationship=p.relationship,
            country=p.country,
            legal_name=p.legal_name,
            parent=parties.get(p.parent or ""),
            processing_countries=p.processing_countries,
            website=p.website,
            contact_email=p.contact_email,
            dpf_certified_until=p.dpf_certified_until,
            dpf_uk_certified_until=p.dpf_uk_certified_until,
            dpf_swiss_certified_until=p.dpf_swiss_certified_until,
            pci_attested_on=p.pci_attested_on,
            status=p.status,
            notes=p.notes,
            security_measures=p.security_measures,
        )
    for e in demo.engagements:
        engagement = engagement_record(
            processor=parties[e.processor], subprocessor=parties[e.subprocessor]
        )
        engagement_update(
            engagement=engagement,
            noticed_on=e.noticed_on,
            notice_source=e.notice_source,
            evidence=e.evidence,
            evidenced_on=e.evidenced_on,
            authorised_on=e.authorised_on,
            ended_on=e.ended_on,
        )
    keys = {c for f in demo.flows for c in f.categories} | {
        c for a in demo.agreements for c in a.categories
    }
    categories = {c.key: c for c in DataCategory.objects.filter(key__in=keys)}
    subjects = {
        d.key: d
        for d in DataSubject.objects.filter(
            key__in={k for f in demo.flows for k in f.data_subjects}
        )
    }
    purposes = {p.key: p for p in Purpose.objects.filter(key__in={f.purpose for f in demo.flows})}
    agreements: dict[str, Agreement] = {}
    for a in demo.agreements:
        agreements[a.reference] = agreement_upsert(
            reference=a.reference,
            kind=a.kind,
            parties=[parties[s] for s in a.parties],
            title=a.title,
            signed_on=a.signed_on,
            effective_on=a.effective_on,
            expires_on=a.expires_on,
            terminated_on=a.terminated_on,
            categories=[categories[k] for k in a.categories],
            flowdown=a.flowdown,
            subprocessor_authorisation=a.subprocessor_authorisation,
            objection_days=a.objection_days,
            amends=agreements[a.amends] if a.amends else None,
            notes=a.notes,
        )
    for f in demo.flows:
        flow_upsert(
            reference=f.reference,
            source=parties[f.source],
            target=parties[f.target],
            categories=[categories[k] for k in f.categories],
            purpose=purposes[f.purpose],
            role=f.role,
            started_on=f.started_on,
            ended_on=f.ended_on,
            lawful_basis=f.lawful_basis,
            art9_condition=f.art9_condition,
            processing_countries=f.processing_countries,
            transfer_mechanism=f.transfer_mechanism,
            transfer_agreement=agreements[f.transfer_agreement] if f.transfer_agreement else None,
            tia_on=f.tia_on,
            description=f.description,
            data_subjects=[subjects[k] for k in f.data_subjects],
            retention=f.retention,
            derogation_justification=f.derogation_justification,
            art10_authority=f.art10_authority,
        )
    seed_publications(demo, parties, today)
    seed_onboarding_demo(today)
    demo_history_backdate(demo)
    return demo
