"""Plain, read-only records of the register: what the rules, the graph and the diagrams read.

Nothing here knows about the ORM. flows.loading reads the rows and flows.engine.rows turns
them into these records, once;
the pure core (jurisdictions, graph, rules, diagram) works on them alone, so it can be
tested without a database and run over 100,000 flows quickly.

Records are read-only. Most are frozen dataclasses; the four built by the ten thousand
(parties, agreements, flows, findings) are plain slotted dataclasses that nothing assigns to,
hashable as before: a frozen dataclass's __init__ sets each field through
object.__setattr__, which makes building them several times slower.

Questions that the engine, the reports and the pages all ask of records have their one
answer here: `is_active` (does a flow run on a day), `agreement_state` (is an agreement in
force on a day, and if not why) and `Finding.sort_key` (the order of findings).
`flows.models.active_on` asks `is_active` in SQL; a test holds the two to the same answers.

Enumerated fields hold the same stable string values as the model choices
(`registry.choices`, `flows.choices`); an empty string means "not recorded".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

SEVERITIES: tuple[str, ...] = ("critical", "high", "medium", "low", "info")
"""Severities from the worst down; a finding's rank is its index here."""


_RANKS: dict[str, int] = {severity: rank for rank, severity in enumerate(SEVERITIES)}


def severity_rank(severity: str) -> int:
    """0 for critical, 4 for info: lower is worse."""
    return _RANKS[severity]


@dataclass(slots=True, unsafe_hash=True)  # read-only: see the module docstring
class PartyRecord:
    slug: str
    name: str
    relationship: str
    country: str
    processing_countries: tuple[str, ...] = ()
    parent: str | None = None
    status: str = "approved"
    dpf_certified_until: date | None = None
    """End of the EU-US DPF certification."""
    pci_attested_on: date | None = None
    legal_name: str = ""
    id: int | None = None
    dpf_uk_certified_until: date | None = None
    """End of the UK Extension to the EU-US DPF (which needs the EU-US certification too)."""
    dpf_swiss_certified_until: date | None = None
    """End of the Swiss-US DPF certification."""

    @property
    def countries(self) -> tuple[str, ...]:
        """Where the party processes data: its list, else its own country."""
        return self.processing_countries or (self.country,)


@dataclass(slots=True, unsafe_hash=True)  # read-only: see the module docstring
class AgreementRecord:
    reference: str
    kind: str
    parties: frozenset[str]
    signed_on: date | None = None
    effective_on: date | None = None
    expires_on: date | None = None
    terminated_on: date | None = None
    categories: frozenset[str] = frozenset()
    """Category keys covered; empty means every category."""
    flowdown: bool = False
    subprocessor_authorisation: str = "none"
    id: int | None = None
    objection_days: int = 30
    """Under a general authorisation, the days we have to object after a processor's notice
    of a new sub-processor."""
    amends: str | None = None
    """For a UK Addendum: the reference of the SCCs 2021 it amends."""

    @property
    def starts_on(self) -> date | None:
        return self.effective_on or self.signed_on


class AgreementState(StrEnum):
    """Where an agreement stands on a day: in force, or the reason it is not."""

    IN_FORCE = "in force"
    UNDATED = "undated"
    NOT_YET_EFFECTIVE = "not yet effective"
    TERMINATED = "terminated"
    EXPIRED = "expired"


def agreement_state(agreement: AgreementRecord, day: date) -> AgreementState:
    """Whether the agreement governs processing on `day` (GDPR Art. 28(3): the contract must
    bind the processor while it processes), and if not, why.

    In force from effective_on (else signed_on) through expires_on, and until terminated_on:
    an agreement terminated on a day no longer governs that day. Without either start date it
    is never in force. When it both expired and was terminated before `day`, the end that came
    first is the reason; a termination the day after the expiry counts as the termination.
    """
    start = agreement.starts_on
    if start is None:
        return AgreementState.UNDATED
    if start > day:
        return AgreementState.NOT_YET_EFFECTIVE
    terminated = agreement.terminated_on
    expires = agreement.expires_on
    if terminated is not None and terminated <= day:
        if expires is None or terminated <= expires + timedelta(days=1):
            return AgreementState.TERMINATED
    if expires is not None and expires < day:
        return AgreementState.EXPIRED
    return AgreementState.IN_FORCE


@dataclass(frozen=True, slots=True)
class CategoryRecord:
    """A data category with the flags set on it directly (descendants inherit them)."""

    key: str
    name: str = ""
    parent: str | None = None
    special_category: bool = False
    criminal: bool = False
    children: bool = False
    payment_card: bool = False
    credentials: bool = False


@dataclass(frozen=True, slots=True)
class PurposeRecord:
    key: str
    name: str = ""
    parent: str | None = None
    sale_or_share: bool = False


@dataclass(slots=True, unsafe_hash=True)  # read-only: see the module docstring
class FlowRecord:
    id: int
    source: str
    target: str
    categories: tuple[str, ...]
    purpose: str
    role: str
    started_on: date
    ended_on: date | None = None
    lawful_basis: str = ""
    art9_condition: str = ""
    processing_countries: tuple[str, ...] = ()
    """Where the target processes this flow's data; empty means the target's countries."""
    transfer_mechanism: str = ""
    transfer_agreement: str | None = None
    """Reference of the agreement that implements the transfer mechanism."""
    tia_on: date | None = None
    reference: str = ""
    """The flow's stable name in the register, for reports."""
    derogation_justification: str = ""
    """For a transfer on an Art. 49 derogation: why it applies."""
    art10_authority: str = ""
    """For criminal-offence data: the authority or law it is processed under (Art. 10)."""


def is_active(flow: FlowRecord, day: date) -> bool:
    """The flow runs on `day`: it started on or before it and did not end before it (a flow
    that ends on a day still runs that day). `flows.models.active_on` is the same test in SQL."""
    return flow.started_on <= day and (flow.ended_on is None or flow.ended_on >= day)


@dataclass(slots=True, unsafe_hash=True)  # read-only: see the module docstring
class EngagementRecord:
    """A processor engaging a sub-processor (GDPR Art. 28(2), 28(4)); evidence is "copy",
    "attestation", "statement" or empty (nothing evidences the sub-processing agreement)."""

    processor: str
    subprocessor: str
    noticed_on: date | None = None
    notice_source: str = ""
    objected_on: date | None = None
    authorised_on: date | None = None
    evidence: str = ""
    evidenced_on: date | None = None
    ended_on: date | None = None
    id: int | None = None


@dataclass(frozen=True, slots=True)
class ZoneRecord:
    """A country inside a regime's zone (EU: the EEA) from valid_from to valid_to."""

    regime: str
    country: str
    valid_from: date | None = None
    valid_to: date | None = None


@dataclass(frozen=True, slots=True)
class AdequacyRecord:
    """An adequacy decision; scope 'dpf' means only DPF-certified recipients benefit."""

    regime: str
    country: str
    valid_from: date
    valid_to: date | None = None
    scope: str = "whole"
    instrument: str = ""


@dataclass(frozen=True, slots=True)
class MechanismRecord:
    """The period in which a transfer mechanism may be relied on under a regime."""

    regime: str
    mechanism: str
    valid_from: date | None = None
    valid_to: date | None = None
    citation: str = ""


@dataclass(frozen=True, slots=True)
class Register:
    """Everything the rules need, loaded once."""

    parties: Mapping[str, PartyRecord]
    flows: tuple[FlowRecord, ...]
    agreements: tuple[AgreementRecord, ...] = ()
    categories: Mapping[str, CategoryRecord] = field(default_factory=dict)
    purposes: Mapping[str, PurposeRecord] = field(default_factory=dict)
    zones: tuple[ZoneRecord, ...] = ()
    adequacy: tuple[AdequacyRecord, ...] = ()
    mechanisms: tuple[MechanismRecord, ...] = ()
    engagements: tuple[EngagementRecord, ...] = ()


@dataclass(slots=True, unsafe_hash=True)  # read-only: see the module docstring
class Finding:
    """Something wrong with a flow (or a party) on a date, in words a reviewer can act on."""

    rule: str
    severity: str
    message: str
    citation: str
    remedy: str
    flow: int | None = None
    source: str | None = None
    target: str | None = None
    categories: tuple[str, ...] = ()
    path: tuple[str, ...] = ()

    def sort_key(
        self,
    ) -> tuple[int, str, int, str, str, tuple[str, ...], tuple[str, ...], str]:
        """Worst first, then by rule, flow, source and target; the remaining fields break
        ties, so that the order never depends on the order in which rules yielded findings."""
        return (
            _RANKS[self.severity],
            self.rule,
            self.flow if self.flow is not None else -1,
            self.source or "",
            self.target or "",
            self.categories,
            self.path,
            self.message,
        )

    def as_dict(self) -> dict[str, object]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "flow": self.flow,
            "source": self.source,
            "target": self.target,
            "categories": list(self.categories),
            "message": self.message,
            "citation": self.citation,
            "remedy": self.remedy,
            "path": list(self.path),
        }
