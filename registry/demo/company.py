"""The demo register: VoIPX International Inc., the US VoIP provider of the 2015 policy.

Its policy (shared/reference/000_58713a10f531be29.txt) shares customer data with "affiliated
group companies", "selected business partners", hosting, billing and other outsourced
providers, among the US, the EEA and Switzerland "under Safe Harbor". The demo holds flows
that comply and, on purpose, at least one flow that breaks each rule of the engine, so the
product shows what it is for as soon as it starts. Each deliberate breach says so in its
description.

Dates that must stay "recent" whenever the demo is loaded (a PCI attestation, an agreement
about to expire) are relative to the day of loading; the rest are fixed history.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import transaction

from flows.models import DataCategory, Purpose
from flows.services import flow_upsert
from registry.models import Party
from registry.services import agreement_upsert, party_upsert

D = date.fromisoformat


@dataclass(frozen=True)
class DemoParty:
    slug: str
    name: str
    relationship: str
    country: str
    legal_name: str = ""
    parent: str | None = None
    engaged_by: str | None = None
    processing_countries: tuple[str, ...] = ()
    website: str = ""
    contact_email: str = ""
    dpf_certified_until: date | None = None
    pci_attested_on: date | None = None
    status: str = "approved"
    notes: str = ""


@dataclass(frozen=True)
class DemoAgreement:
    reference: str
    kind: str
    parties: tuple[str, ...]
    title: str
    signed_on: date
    effective_on: date | None = None
    expires_on: date | None = None
    terminated_on: date | None = None
    categories: tuple[str, ...] = ()
    flowdown: bool = False
    subprocessor_authorisation: str = "none"
    notes: str = ""


@dataclass(frozen=True)
class DemoFlow:
    reference: str
    source: str
    target: str
    categories: tuple[str, ...]
    purpose: str
    role: str
    started_on: date
    lawful_basis: str = ""
    art9_condition: str = ""
    processing_countries: tuple[str, ...] = ()
    transfer_mechanism: str = ""
    transfer_agreement: str | None = None
    tia_on: date | None = None
    ended_on: date | None = None
    description: str = ""


@dataclass(frozen=True)
class DemoRegister:
    parties: tuple[DemoParty, ...]
    agreements: tuple[DemoAgreement, ...]
    flows: tuple[DemoFlow, ...] = field(default=())


CUSTOMER = (
    "user.contact.organization",
    "user.contact.address",
    "user.contact.phone_number",
    "user.contact.email",
)
BILLING = (
    "user.financial.bank_account",
    "user.government_id.tax_id",
    "user.account.account_number",
)
CARD = ("user.financial.credit_card",)
BROWSING = ("user.behavior.browsing_history", "user.device.cookie_id")
LOGIN = ("user.authorization.credentials", "user.authorization.password")


def build_demo(today: date) -> DemoRegister:
    """The demo register as plain data, with the recent dates counted from `today`."""
    parties = (
        DemoParty(
            "voipx",
            "VoIPX International",
            "own",
            "US",
            legal_name="VoIPX International Inc.",
            website="https://voipx.example",
            contact_email="legal@voipx.example",
            notes="3 Seabro Avenue, Suite B, Amityville, NY 11701.",
        ),
        DemoParty(
            "voipx-ireland",
            "VoIPX Europe",
            "affiliate",
            "IE",
            parent="voipx",
            legal_name="VoIPX Europe Limited",
            contact_email="dpo@voipx.example",
        ),
        DemoParty(
            "voipx-switzerland",
            "VoIPX Schweiz",
            "affiliate",
            "CH",
            parent="voipx",
            legal_name="VoIPX Schweiz GmbH",
        ),
        DemoParty(
            "voipx-uk",
            "VoIPX UK",
            "affiliate",
            "GB",
            parent="voipx-ireland",
            legal_name="VoIPX UK Ltd",
        ),
        DemoParty(
            "nimbus-hosting",
            "Nimbus Hosting",
            "processor",
            "US",
            legal_name="Nimbus Hosting LLC",
            processing_countries=("US", "IE"),
            website="https://nimbus.example",
            dpf_certified_until=today + timedelta(days=300),
            notes="Hosts the VoIP platform and the web site.",
        ),
        DemoParty(
            "coldvault-storage",
            "Coldvault Storage",
            "subprocessor",
            "US",
            legal_name="Coldvault Storage Inc.",
            engaged_by="nimbus-hosting",
            dpf_certified_until=today + timedelta(days=200),
            notes="Off-site backups for Nimbus Hosting.",
        ),
        DemoParty(
            "ledgerline-billing",
            "Ledgerline Billing",
            "processor",
            "US",
            legal_name="Ledgerline Billing Inc.",
            dpf_certified_until=D("2025-08-31"),
            pci_attested_on=D("2024-05-01"),
            notes="Billing and invoicing. DPF certification lapsed; PCI AOC out of date.",
        ),
        DemoParty(
            "printmail-services",
            "Printmail Services",
            "subprocessor",
            "MX",
            legal_name="Printmail Servicios S.A. de C.V.",
            engaged_by="ledgerline-billing",
            notes="Prints and posts paper invoices for Ledgerline.",
        ),
        DemoParty(
            "paywell-payments",
            "Paywell Payments",
            "processor",
            "NL",
            legal_name="Paywell Payments B.V.",
            pci_attested_on=today - timedelta(days=120),
            notes="Card acquiring and payment processing.",
        ),
        DemoParty(
            "mailspring-marketing",
            "Mailspring Marketing",
            "processor",
            "US",
            legal_name="Mailspring Marketing Inc.",
            notes="Marketing e-mail with unsubscribe. Not DPF-certified.",
        ),
        DemoParty(
            "postbox-relay",
            "Postbox Relay",
            "subprocessor",
            "FR",
            legal_name="Postbox Relay SAS",
            engaged_by="mailspring-marketing",
            status="under_review",
            notes="E-mail delivery for Mailspring.",
        ),
        DemoParty(
            "clicktrace-analytics",
            "Clicktrace Analytics",
            "processor",
            "GB",
            legal_name="Clicktrace Analytics Ltd",
            notes="Web analytics: cookies and web beacons.",
        ),
        DemoParty(
            "callbridge-support",
            "Callbridge Support",
            "processor",
            "PH",
            legal_name="Callbridge Support Inc.",
            notes="Outsourced customer support desk in Manila.",
        ),
        DemoParty(
            "voxtranscribe",
            "VoxTranscribe",
            "subprocessor",
            "IN",
            legal_name="VoxTranscribe Private Limited",
            engaged_by="callbridge-support",
            notes="Transcribes support calls for Callbridge.",
        ),
        DemoParty(
            "voiceprint-security",
            "VoicePrint Security",
            "processor",
            "IL",
            legal_name="VoicePrint Security Ltd",
            notes="Caller voice verification against account takeover.",
        ),
        DemoParty(
            "partnerhub-resellers",
            "PartnerHub Resellers",
            "third_party",
            "US",
            legal_name="PartnerHub Resellers LLC",
            notes="'Selected business partners' who resell VoIPX plans.",
        ),
        DemoParty(
            "adreach-network",
            "AdReach Network",
            "third_party",
            "US",
            legal_name="AdReach Network Inc.",
            notes="Advertising network.",
        ),
        DemoParty(
            "bright-classroom",
            "Bright Classroom",
            "third_party",
            "US",
            legal_name="Bright Classroom Inc.",
            notes="Runs the school conferencing programme.",
        ),
        DemoParty(
            "confera-events",
            "Confera Events",
            "joint_controller",
            "DE",
            legal_name="Confera Events GmbH",
            notes="Co-hosts customer webinars.",
        ),
    )
    agreements = (
        DemoAgreement(
            "iga-voipx-2014",
            "intra_group",
            ("voipx", "voipx-ireland", "voipx-switzerland"),
            "Intra-group data transfer agreement (Safe Harbor)",
            D("2014-03-01"),
            notes="Relies on VoIPX's Safe Harbor self-certification for EU and "
            "Swiss data sent to New York. Never updated since.",
        ),
        DemoAgreement(
            "iga-voipx-uk-2021",
            "intra_group",
            ("voipx-ireland", "voipx-uk"),
            "Intra-group agreement Ireland-UK",
            D("2021-01-15"),
        ),
        DemoAgreement(
            "dpa-nimbus-2019",
            "dpa",
            ("voipx", "nimbus-hosting"),
            "Hosting DPA",
            D("2019-04-01"),
            expires_on=today + timedelta(days=60),
            subprocessor_authorisation="general",
            flowdown=True,
        ),
        DemoAgreement(
            "dpa-nimbus-eu-2023",
            "dpa",
            ("voipx-ireland", "nimbus-hosting"),
            "Hosting DPA (EU customers)",
            D("2023-09-01"),
            subprocessor_authorisation="general",
            flowdown=True,
        ),
        DemoAgreement(
            "dpa-nimbus-coldvault-2019",
            "dpa",
            ("nimbus-hosting", "coldvault-storage"),
            "Backup sub-processing agreement",
            D("2019-06-01"),
            flowdown=True,
        ),
        DemoAgreement(
            "dpa-ledgerline-2016",
            "dpa",
            ("voipx", "ledgerline-billing"),
            "Billing services DPA",
            D("2016-02-01"),
            subprocessor_authorisation="general",
        ),
        DemoAgreement(
            "dpa-ledgerline-eu-2018",
            "dpa",
            ("voipx-ireland", "ledgerline-billing"),
            "Billing services DPA (EU)",
            D("2018-05-25"),
        ),
        DemoAgreement(
            "scc-2010-ledgerline",
            "scc_2010_c2p",
            ("voipx-ireland", "ledgerline-billing"),
            "Standard contractual clauses 2010/87/EU",
            D("2018-05-25"),
            notes="Never replaced by the 2021 clauses.",
        ),
        DemoAgreement(
            "dpa-paywell-2020",
            "dpa",
            ("voipx", "voipx-ireland", "paywell-payments"),
            "Payment processing DPA",
            D("2020-01-10"),
        ),
        DemoAgreement(
            "pci-paywell-2020",
            "pci_responsibility",
            ("voipx", "paywell-payments"),
            "PCI DSS responsibility matrix",
            D("2020-01-10"),
        ),
        DemoAgreement(
            "dpa-mailspring-2022",
            "dpa",
            ("voipx", "voipx-ireland", "mailspring-marketing"),
            "E-mail marketing DPA",
            D("2022-03-01"),
            subprocessor_authorisation="none",
        ),
        DemoAgreement(
            "scc-2021-m2-mailspring",
            "scc_2021_m2",
            ("voipx-ireland", "mailspring-marketing"),
            "SCCs 2021, module 2",
            D("2022-03-01"),
        ),
        DemoAgreement(
            "dpa-mailspring-postbox-2023",
            "dpa",
            ("mailspring-marketing", "postbox-relay"),
            "Delivery sub-processing agreement",
            D("2023-01-10"),
            flowdown=True,
        ),
        DemoAgreement(
            "dpa-clicktrace-2020",
            "dpa",
            ("voipx", "clicktrace-analytics"),
            "Web analytics DPA",
            D("2020-07-01"),
            expires_on=D("2025-06-30"),
            notes="Expired; renewal stuck in procurement.",
        ),
        DemoAgreement(
            "dpa-callbridge-2021",
            "dpa",
            ("voipx", "voipx-ireland", "voipx-switzerland", "callbridge-support"),
            "Customer support DPA",
            D("2021-09-01"),
            subprocessor_authorisation="general",
        ),
        DemoAgreement(
            "scc-2021-m1-callbridge",
            "scc_2021_m1",
            ("voipx-switzerland", "callbridge-support"),
            "SCCs 2021 signed with the wrong module",
            D("2021-09-01"),
        ),
        DemoAgreement(
            "dpa-callbridge-vox-2022",
            "dpa",
            ("callbridge-support", "voxtranscribe"),
            "Transcription services agreement",
            D("2022-02-01"),
            flowdown=False,
            notes="No Art. 28(4) flow-down clause.",
        ),
        DemoAgreement(
            "dpa-voiceprint-2024",
            "dpa",
            ("voipx-ireland", "voiceprint-security"),
            "Voice verification DPA",
            D("2024-02-01"),
        ),
        DemoAgreement(
            "nda-partnerhub-2015",
            "nda",
            ("voipx", "partnerhub-resellers"),
            "Mutual non-disclosure agreement",
            D("2015-05-01"),
        ),
        DemoAgreement(
            "c2c-bright-classroom-2023",
            "c2c_sharing",
            ("voipx", "bright-classroom"),
            "School programme data sharing",
            D("2023-08-15"),
        ),
        DemoAgreement(
            "jca-confera-2024",
            "joint_controller_arrangement",
            ("voipx-ireland", "confera-events"),
            "Webinar joint-controller arrangement",
            D("2024-01-20"),
        ),
    )
    flows = (
        # The headline: EU customer data to New York "under Safe Harbor", still in place.
        DemoFlow(
            "ie-to-hq-customer-records",
            "voipx-ireland",
            "voipx",
            CUSTOMER + BILLING,
            "essential.service.operations",
            "controller",
            D("2014-03-01"),
            lawful_basis="contract",
            transfer_mechanism="safe_harbor",
            transfer_agreement="iga-voipx-2014",
            description="Breach on purpose: Safe Harbor, invalid since 2015-10-06.",
        ),
        DemoFlow(
            "ch-to-hq-customer-records",
            "voipx-switzerland",
            "voipx",
            CUSTOMER,
            "essential.service.operations",
            "controller",
            D("2014-06-01"),
            lawful_basis="contract",
            transfer_mechanism="privacy_shield",
            transfer_agreement="iga-voipx-2014",
            description="Breach on purpose: Swiss-US Privacy Shield, dead since 2020.",
        ),
        DemoFlow(
            "hq-to-ie-customer-records",
            "voipx",
            "voipx-ireland",
            CUSTOMER,
            "essential.service.operations",
            "controller",
            D("2014-03-01"),
            lawful_basis="contract",
            description="Compliant: intra-group, no EU transfer out of the EEA.",
        ),
        DemoFlow(
            "ie-to-uk-support",
            "voipx-ireland",
            "voipx-uk",
            CUSTOMER,
            "essential.service.operations.support",
            "controller",
            D("2021-02-01"),
            lawful_basis="legitimate_interests",
            description="Compliant: the UK is adequate for the EU.",
        ),
        DemoFlow(
            "hq-to-nimbus-hosting",
            "voipx",
            "nimbus-hosting",
            CUSTOMER + LOGIN,
            "essential.service",
            "processor",
            D("2019-04-01"),
            lawful_basis="contract",
            description="Compliant, but its DPA expires within 90 days.",
        ),
        DemoFlow(
            "ie-to-nimbus-hosting",
            "voipx-ireland",
            "nimbus-hosting",
            CUSTOMER,
            "essential.service",
            "processor",
            D("2023-09-01"),
            lawful_basis="contract",
            transfer_mechanism="dpf",
            description="Compliant: Nimbus is DPF-certified, so the US is adequate.",
        ),
        DemoFlow(
            "nimbus-to-coldvault-backups",
            "nimbus-hosting",
            "coldvault-storage",
            CUSTOMER,
            "essential.service.operations",
            "subprocessor",
            D("2019-06-01"),
            description="Compliant sub-processing with general authorisation.",
        ),
        DemoFlow(
            "hq-to-ledgerline-billing",
            "voipx",
            "ledgerline-billing",
            CUSTOMER + BILLING + CARD,
            "essential.service.payment_processing",
            "processor",
            D("2016-02-01"),
            lawful_basis="contract",
            description="Breach on purpose: card data to a vendor whose PCI attestation "
            "is out of date; its printing sub-processor has no agreement.",
        ),
        DemoFlow(
            "ie-to-ledgerline-billing",
            "voipx-ireland",
            "ledgerline-billing",
            CUSTOMER + BILLING,
            "essential.service.payment_processing",
            "processor",
            D("2018-05-25"),
            lawful_basis="contract",
            transfer_mechanism="scc_2010",
            transfer_agreement="scc-2010-ledgerline",
            description="Breach on purpose: the 2010 SCCs lapsed on 2022-12-27.",
        ),
        DemoFlow(
            "ledgerline-to-printmail",
            "ledgerline-billing",
            "printmail-services",
            CUSTOMER + ("user.account.account_number",),
            "essential.service.payment_processing",
            "subprocessor",
            D("2019-01-01"),
            description="Breach on purpose: no agreement at all.",
        ),
        DemoFlow(
            "hq-to-paywell-cards",
            "voipx",
            "paywell-payments",
            CUSTOMER + CARD,
            "essential.service.payment_processing",
            "processor",
            D("2020-01-10"),
            lawful_basis="contract",
            description="Compliant: DPA and a current PCI DSS attestation.",
        ),
        DemoFlow(
            "ie-to-paywell-cards",
            "voipx-ireland",
            "paywell-payments",
            CUSTOMER + CARD,
            "essential.service.payment_processing",
            "processor",
            D("2020-01-10"),
            lawful_basis="contract",
            description="Compliant: inside the EEA.",
        ),
        DemoFlow(
            "hq-to-mailspring-newsletters",
            "voipx",
            "mailspring-marketing",
            ("user.contact.email", "user.name"),
            "marketing.communications.email",
            "processor",
            D("2022-03-01"),
            lawful_basis="consent",
            description="Compliant: consented marketing e-mail.",
        ),
        DemoFlow(
            "ie-to-mailspring-newsletters",
            "voipx-ireland",
            "mailspring-marketing",
            ("user.contact.email", "user.name"),
            "marketing.communications.email",
            "processor",
            D("2022-03-01"),
            lawful_basis="consent",
            transfer_mechanism="scc_2021",
            transfer_agreement="scc-2021-m2-mailspring",
            description="Breach on purpose: SCCs without a transfer impact assessment.",
        ),
        DemoFlow(
            "mailspring-to-postbox",
            "mailspring-marketing",
            "postbox-relay",
            ("user.contact.email",),
            "marketing.communications.email",
            "subprocessor",
            D("2023-01-10"),
            description="Breach on purpose: the DPA allows no sub-processors.",
        ),
        DemoFlow(
            "hq-to-clicktrace-analytics",
            "voipx",
            "clicktrace-analytics",
            BROWSING,
            "analytics.reporting",
            "processor",
            D("2020-07-01"),
            lawful_basis="legitimate_interests",
            description="Breach on purpose: the DPA expired on 2025-06-30.",
        ),
        DemoFlow(
            "ie-to-callbridge-support",
            "voipx-ireland",
            "callbridge-support",
            CUSTOMER,
            "essential.service.operations.support",
            "processor",
            D("2021-09-01"),
            lawful_basis="contract",
            description="Breach on purpose: support in the Philippines, no mechanism.",
        ),
        DemoFlow(
            "ch-to-callbridge-support",
            "voipx-switzerland",
            "callbridge-support",
            CUSTOMER,
            "essential.service.operations.support",
            "processor",
            D("2021-09-01"),
            lawful_basis="contract",
            transfer_mechanism="scc_2021",
            transfer_agreement="scc-2021-m1-callbridge",
            tia_on=D("2021-08-20"),
            description="Breach on purpose: module 1 signed where module 2 is needed.",
        ),
        DemoFlow(
            "callbridge-to-voxtranscribe",
            "callbridge-support",
            "voxtranscribe",
            CUSTOMER,
            "essential.service.operations.support",
            "subprocessor",
            D("2022-02-01"),
            description="Breach on purpose: no flow-down of obligations.",
        ),
        DemoFlow(
            "ie-to-voiceprint-verification",
            "voipx-ireland",
            "voiceprint-security",
            ("user.biometric.voice", "user.contact.phone_number"),
            "essential.fraud_detection",
            "processor",
            D("2024-02-01"),
            lawful_basis="legitimate_interests",
            description="Breach on purpose: voice biometrics without an Art. 9 condition.",
        ),
        DemoFlow(
            "hq-to-partnerhub-leads",
            "voipx",
            "partnerhub-resellers",
            CUSTOMER,
            "third_party_sharing",
            "controller",
            D("2015-05-01"),
            lawful_basis="legitimate_interests",
            description="Breach on purpose: shares customers with resellers under an "
            "NDA only, without consent.",
        ),
        DemoFlow(
            "hq-to-adreach-ads",
            "voipx",
            "adreach-network",
            BROWSING,
            "marketing.advertising.third_party.targeted",
            "controller",
            D("2018-01-01"),
            description="Breach on purpose: no agreement, no lawful basis, no consent.",
        ),
        DemoFlow(
            "hq-to-bright-classroom",
            "voipx",
            "bright-classroom",
            ("user.childrens", "user.name"),
            "essential.service",
            "controller",
            D("2023-09-01"),
            lawful_basis="contract",
            description="Breach on purpose: children's data without parental consent.",
        ),
        DemoFlow(
            "ie-to-confera-webinars",
            "voipx-ireland",
            "confera-events",
            ("user.name", "user.contact.email", "user.contact.organization"),
            "marketing.communications",
            "joint_controller",
            D("2024-01-20"),
            lawful_basis="consent",
            description="Compliant: joint-controller arrangement.",
        ),
    )
    return DemoRegister(parties=parties, agreements=agreements, flows=flows)


@transaction.atomic
def seed_demo(today: date) -> DemoRegister:
    """Load the demo register; running it again changes nothing but the relative dates."""
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
            engaged_by=parties.get(p.engaged_by or ""),
            processing_countries=p.processing_countries,
            website=p.website,
            contact_email=p.contact_email,
            dpf_certified_until=p.dpf_certified_until,
            pci_attested_on=p.pci_attested_on,
            status=p.status,
            notes=p.notes,
        )
    keys = {c for f in demo.flows for c in f.categories} | {
        c for a in demo.agreements for c in a.categories
    }
    categories = {c.key: c for c in DataCategory.objects.filter(key__in=keys)}
    purposes = {p.key: p for p in Purpose.objects.filter(key__in={f.purpose for f in demo.flows})}
    agreements = {}
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
        )
    from registry.demo.onboarding import seed_onboarding_demo

    seed_onboarding_demo(today)
    return demo
