"""The facts a finding was computed from, as a flat snapshot with a fingerprint. Pure: no ORM.

A reviewer's decision on a finding is tied to these facts: the flow's fields and categories,
every agreement that binds its source and target (and its transfer agreement, and the SCCs
a UK Addendum among them amends), and the
certifications, countries and status of the parties involved. When the fingerprint of the
facts today differs from the one stored with the decision, the decision lapses; the stored
snapshot lets the reviewer see what changed.

The snapshot is a flat mapping of readable keys ("flow.lawful_basis",
"agreement dpa-x.expires_on", "party nimbus.status") to strings, so that it stores as JSON
and compares key by key.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from flows.engine.records import (
    AgreementRecord,
    EngagementRecord,
    FlowRecord,
    PartyRecord,
    Register,
)

Snapshot = dict[str, str]

_FLOW_FIELDS = (
    "source", "target", "categories", "purpose", "role", "started_on", "ended_on",
    "lawful_basis", "art9_condition", "processing_countries", "transfer_mechanism",
    "transfer_agreement", "tia_on",
)  # fmt: skip
_AGREEMENT_FIELDS = (
    "kind", "parties", "signed_on", "effective_on", "expires_on", "terminated_on",
    "categories", "flowdown", "subprocessor_authorisation",
)  # fmt: skip
_PARTY_FIELDS = (
    "relationship", "country", "processing_countries", "status", "dpf_certified_until",
    "pci_attested_on", "parent",
)  # fmt: skip
_ENGAGEMENT_FIELDS = (
    "noticed_on", "objected_on", "authorised_on", "evidence", "evidenced_on", "ended_on",
)  # fmt: skip
# Facts added later, each with the value a record has when it is not recorded: a fact joins
# the snapshot only when recorded, so a decision taken before it existed keeps its
# fingerprint until the fact is recorded (then the facts changed, and it lapses).
_FLOW_LATER = (("derogation_justification", ""), ("art10_authority", ""))
_AGREEMENT_LATER = (("objection_days", 30), ("amends", None))
_PARTY_LATER = (("dpf_uk_certified_until", None), ("dpf_swiss_certified_until", None))


def _later(prefix: str, record: object, fields: tuple[tuple[str, object], ...]) -> Snapshot:
    """The facts of `fields` that `record` records (those that differ from the unrecorded
    value)."""
    facts: Snapshot = {}
    for name, unrecorded in fields:
        value = getattr(record, name)
        if value != unrecorded:
            facts[f"{prefix}.{name}"] = _text(value)
    return facts


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, frozenset | tuple | list | set):
        return ", ".join(sorted(str(v) for v in value))
    return str(value)


class AgreementIndex:
    """Agreements by party slug, and engagements by sub-processor, built once for many
    snapshots."""

    def __init__(
        self,
        agreements: Iterable[AgreementRecord],
        engagements: Iterable[EngagementRecord] = (),
    ) -> None:
        self.by_party: dict[str, list[AgreementRecord]] = {}
        self.by_reference: dict[str, AgreementRecord] = {}
        for agreement in agreements:
            self.by_reference[agreement.reference] = agreement
            for slug in agreement.parties:
                self.by_party.setdefault(slug, []).append(agreement)
        self.engaging: dict[str, list[EngagementRecord]] = {}
        for engagement in engagements:
            self.engaging.setdefault(engagement.subprocessor, []).append(engagement)

    def between(self, a: str, b: str) -> list[AgreementRecord]:
        return [x for x in self.by_party.get(a, ()) if b in x.parties]


def facts_snapshot(
    flow: FlowRecord,
    parties: Mapping[str, PartyRecord],
    agreements: AgreementIndex,
    path: Iterable[str] = (),
) -> Snapshot:
    """The facts behind findings on `flow`; `path` adds the parties of an onward chain."""
    snapshot: Snapshot = {f"flow.{name}": _text(getattr(flow, name)) for name in _FLOW_FIELDS}
    snapshot.update(_later("flow", flow, _FLOW_LATER))
    chosen = {a.reference: a for a in agreements.between(flow.source, flow.target)}
    if flow.transfer_agreement and flow.transfer_agreement in agreements.by_reference:
        chosen[flow.transfer_agreement] = agreements.by_reference[flow.transfer_agreement]
    for amended in [a.amends for a in chosen.values() if a.amends]:  # a UK Addendum's SCCs
        if amended in agreements.by_reference:
            chosen.setdefault(amended, agreements.by_reference[amended])
    for reference, agreement in chosen.items():
        for name in _AGREEMENT_FIELDS:
            snapshot[f"agreement {reference}.{name}"] = _text(getattr(agreement, name))
        snapshot.update(_later(f"agreement {reference}", agreement, _AGREEMENT_LATER))
    # The engagements of the flow's ends: of its target by its source, and of its source
    # by whoever engaged it (a sub-processor hop is judged through them).
    for slug in (flow.source, flow.target):
        for e in agreements.engaging.get(slug, ()):
            where = f"engagement {e.processor} → {e.subprocessor} #{e.id or ''}"
            for name in _ENGAGEMENT_FIELDS:
                snapshot[f"{where}.{name}"] = _text(getattr(e, name))
    for slug in sorted({flow.source, flow.target, *path}):
        party = parties.get(slug)
        if party is None:
            snapshot[f"party {slug}"] = "missing"
            continue
        for name in _PARTY_FIELDS:
            snapshot[f"party {slug}.{name}"] = _text(getattr(party, name))
        snapshot.update(_later(f"party {slug}", party, _PARTY_LATER))
    return dict(sorted(snapshot.items()))


def register_snapshot(register: Register, flow_id: int, path: Iterable[str] = ()) -> Snapshot:
    """The snapshot for one flow of a register; empty when the flow is no longer in it."""
    flow = next((f for f in register.flows if f.id == flow_id), None)
    if flow is None:
        return {}
    index = AgreementIndex(register.agreements, register.engagements)
    return facts_snapshot(flow, register.parties, index, path)


def fingerprint(snapshot: Mapping[str, str]) -> str:
    """A SHA-256 of the snapshot in a canonical form."""
    canonical = json.dumps(dict(sorted(snapshot.items())), separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class FactChange:
    """One fact that differs between the decision and now ("" = absent)."""

    fact: str
    before: str
    after: str

    @property
    def kind(self) -> str:
        if not self.before and self.after and self.fact.count(".") == 1:
            return "added"
        return "changed"


def diff_snapshots(before: Mapping[str, str], after: Mapping[str, str]) -> list[FactChange]:
    """The facts whose values differ, in key order; a fact missing on one side is ''."""
    return [
        FactChange(key, before.get(key, ""), after.get(key, ""))
        for key in sorted(set(before) | set(after))
        if before.get(key, "") != after.get(key, "")
    ]
