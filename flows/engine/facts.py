"""The facts of one active flow on the evaluation date, as the context works them out once
for every rule (flows.engine.context), and the problems found with its transfer mechanism."""

from __future__ import annotations

from dataclasses import dataclass

from flows.engine.jurisdictions import RestrictedTransfer
from flows.engine.records import AgreementRecord, FlowRecord, PartyRecord


@dataclass(slots=True)
class FlowFacts:
    """An active flow and what the rules need to know about it on the evaluation date."""

    flow: FlowRecord
    source: PartyRecord | None
    target: PartyRecord | None
    flagged: dict[str, tuple[str, ...]]
    """Flag name -> the flow's categories that carry it (inherited from ancestors)."""
    qualifying: tuple[AgreementRecord, ...]
    lapsed: tuple[AgreementRecord, ...]
    """Fitting kind, both parties, covering the categories, but not effective on the date."""
    ndas: tuple[AgreementRecord, ...]
    restricted: tuple[RestrictedTransfer, ...]
    source_name: str
    target_name: str
    agreement_gap: str | None
    """Which of the three exclusive agreement rules applies: none when an agreement
    qualifies, else EXPIRED_AGREEMENT, else NDA_ONLY, else NO_AGREEMENT; never for a
    sub-processor flow (the chain rules judge its engagement instead:
    flows.engine.engagements)."""


@dataclass(frozen=True, slots=True)
class MechanismProblem:
    regime: str
    reason: str
