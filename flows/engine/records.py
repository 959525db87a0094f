"""Plain, read-only records of the register: what the rules, the graph and the diagrams read.

Nothing here knows about the ORM. Selectors turn database rows into these records once;
the pure core (jurisdictions, graph, rules, diagram) works on them alone, so it can be
tested without a database and run over 100,000 flows quickly.

Records are read-only. Most are frozen dataclasses; the four built by the ten thousand
(parties, agreements, flows, findings) are plain slotted dataclasses that nothing assigns to,
hashable as before, because a frozen dataclass's __init__ sets each field through
object.__setattr__: building 100,000 flow records took 0.39 s frozen against 0.10 s plain
(measured on the benchmark machine), a tenth of the whole load-and-evaluate budget. Their
__init__ is written out rather than generated (init=False): in the compiled core
(flows/compiled_core.py) a written-out __init__ becomes C, a generated one stays Python,
and building 100,000 records takes 0.015 s against 0.066 s.

Enumerated fields hold the same stable string values as the model choices
(`registry.choices`, `flows.choices`); an empty string means "not recorded".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

SEVERITIES: tuple[str, ...] = ("critical", "high", "medium", "low", "info")
"""Severities from the worst down; a finding's rank is its index here."""


def severity_rank(severity: str) -> int:
    """0 for critical, 4 for info: lower is worse."""
    return SEVERITIES.index(severity)


@dataclass(slots=True, unsafe_hash=True)  # read-only: see the module docstring
class PartyRecord:
    slug: str
    name: str
    relationship: str
    country: str
    processing_countries: tuple[str, ...] = ()
    parent: str | None = None
    engaged_by: str | None = None
    status: str = "approved"
    dpf_certified_until: date | None = None
    pci_attested_on: date | None = None
    legal_name: str = ""
    id: int | None = None

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

    @property
    def starts_on(self) -> date | None:
        return self.effective_on or self.signed_on


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

    def sort_key(self) -> tuple[int, str, int, str, str]:
        return (
            severity_rank(self.severity),
            self.rule,
            self.flow if self.flow is not None else -1,
            self.source or "",
            self.target or "",
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
