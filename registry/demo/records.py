"""The demo register as plain data: its parties, agreements and flows before they are loaded."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

D = date.fromisoformat


@dataclass(frozen=True)
class DemoParty:
    slug: str
    name: str
    relationship: str
    country: str
    legal_name: str = ""
    parent: str | None = None
    processing_countries: tuple[str, ...] = ()
    website: str = ""
    contact_email: str = ""
    dpf_certified_until: date | None = None
    dpf_uk_certified_until: date | None = None
    dpf_swiss_certified_until: date | None = None
    pci_attested_on: date | None = None
    status: str = "approved"
    notes: str = ""
    security_measures: str = ""


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
    objection_days: int = 30
    amends: str | None = None
    """For a UK Addendum: the reference of the SCCs 2021 it amends (listed before it)."""


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
    data_subjects: tuple[str, ...] = ()
    retention: str = ""
    derogation_justification: str = ""
    art10_authority: str = ""


@dataclass(frozen=True)
class DemoEngagement:
    """A processor engaging a sub-processor: its notice, and the evidence of the
    sub-processing agreement ("statement": the processor's published statement)."""

    processor: str
    subprocessor: str
    noticed_on: date | None = None
    notice_source: str = ""
    evidence: str = ""
    evidenced_on: date | None = None
    authorised_on: date | None = None
    ended_on: date | None = None


@dataclass(frozen=True)
class DemoRegister:
    parties: tuple[DemoParty, ...]
    agreements: tuple[DemoAgreement, ...]
    flows: tuple[DemoFlow, ...] = field(default=())
    engagements: tuple[DemoEngagement, ...] = field(default=())


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
