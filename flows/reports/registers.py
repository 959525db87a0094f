"""The registers handed out: the Art. 30 records as tables (the review pack: pack.py).

Each table is a header and rows generated one at a time from the records
(flows.engine.records) and the few facts the records do not carry (contacts, data subjects);
flows.reports.writing writes them as CSV or XLSX while they are generated, so that no whole
table is ever held in memory. Column headings of the Art. 30 records follow the UK ICO
documentation templates (controller: sheet "Template", row 9, 30 columns; processor: the six
Art. 30(2) columns, unverified against the ICO workbook).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import models
from django_countries import countries as country_names

from flows.choices import Art9Condition, LawfulBasis, Role, TransferMechanism
from flows.engine.graph import Taxonomy
from flows.engine.jurisdictions import REGIME_NAMES, Jurisdictions
from flows.engine.records import (
    AgreementRecord,
    AgreementState,
    Finding,
    FlowRecord,
    PartyRecord,
    Register,
    agreement_state,
    is_active,
)
from flows.reports.writing import Meter, Table
from registry.choices import AgreementKind, Relationship
from registry.web.progress import Progress, no_progress

NOT_RECORDED = "Not recorded in the register"

CONTROLLER_COLUMNS = [
    "Business function",
    "Purpose of processing",
    "Name and contact details of joint controller (if applicable)",
    "Categories of individuals",
    "Categories of personal data",
    "Categories of recipients",
    "Link to contract with processor",
    "Names of third countries or international organisations that personal data are "
    "transferred to (if applicable)",
    "Safeguards for exceptional transfers of personal data to third countries or "
    "international organisations (if applicable)",
    "Retention schedule (if possible)",
    "General description of technical and organisational security measures (if possible)",
    "Article 6 lawful basis for processing personal data",
    "Article 9 condition for processing special category data",
    "Legitimate interests for the processing (if applicable)",
    "Link to record of legitimate interests assessment (if applicable)",
    "Rights available to individuals",
    "Existence of automated decision-making, including profiling (if applicable)",
    "The source of the personal data (if applicable)",
    "Link to record of consent",
    "Location of personal data",
    "Data Protection Impact Assessment required?",
    "Data Protection Impact Assessment progress",
    "Link to Data Protection Impact Assessment",
    "Has a personal data breach occurred?",
    "Link to record of personal data breach",
    "Data Protection Act 2018 Schedule 1 Condition for processing",
    "GDPR Article 6 lawful basis for processing",
    "Link to retention and erasure policy document",
    "Is personal data retained and erased in accordance with the policy document?",
    "Reasons for not adhering to policy document (if applicable)",
]
"""The ICO controller template's activity table, in order (GDPR Art. 30(1))."""

PROCESSOR_COLUMNS = [
    "Name and contact details of controller",
    "Name and contact details of controller's representative (if applicable)",
    "Categories of processing",
    "Names of third countries or international organisations that personal data are "
    "transferred to (if applicable)",
    "Safeguards for exceptional transfers of personal data to third countries or "
    "international organisations (if applicable)",
    "General description of technical and organisational security measures (if possible)",
]
"""The ICO processor template's core columns (GDPR Art. 30(2); unverified against the ICO
workbook)."""

# Columns the register adds so that each row can be traced back to it.
CONTROLLER_LEAD = "Controller"
PROCESSOR_LEAD = "Name and contact details of processor"
TRACE = ["Recipient", "Recipient's role", "Register flow reference", "Active from"]
PROCESSOR_TRACE = [
    "Link to contract with controller",
    "Location of personal data",
    "Role on the flow",
    "Register flow reference",
    "Active from",
]

_GROUP = (Relationship.OWN, Relationship.AFFILIATE)
_SPECIAL_FLAGS = frozenset({"special_category", "criminal"})
"""GDPR Art. 9 (special categories) and Art. 10 (criminal offence data)."""

Transfer = tuple[str, str, tuple[str, ...], bool]
"""(regime code, regime name, destination countries, restricted)."""


@dataclass(frozen=True)
class ReportInput:
    """The register as records plus what the records leave out, for one date."""

    register: Register
    as_of: date
    contacts: Mapping[str, str] = field(default_factory=dict)
    """Party slug -> privacy contact e-mail."""
    subjects: Mapping[int, Sequence[str]] = field(default_factory=dict)
    """Flow id -> names of its data subject categories."""
    findings: Sequence[Finding] = ()
    decisions: Mapping[tuple[str, int], Mapping[str, Any]] = field(default_factory=dict)
    """(rule, flow) -> state, decision, reason, decided_by, decided_at, review_by, assignee."""


def agreement_status(agreement: AgreementRecord, day: date) -> str:
    """records.agreement_state in the words of the registers: "in effect", "expired"..."""
    state = agreement_state(agreement, day)
    return "in effect" if state is AgreementState.IN_FORCE else str(state)


class Lookups:
    """Look-ups shared by the tables of one report. Most answers repeat from flow to flow
    (the same parties, categories and countries), so each is worked out once and kept."""

    def __init__(self, data: ReportInput) -> None:
        self.data = data
        register = data.register
        self.as_of = data.as_of
        self.parties = register.parties
        self.jurisdictions = Jurisdictions.from_register(register)
        self.snapshot = self.jurisdictions.on(data.as_of)
        self.flows = [f for f in register.flows if is_active(f, data.as_of)]
        self.taxonomy = Taxonomy(register.categories)
        self.purposes = Taxonomy(register.purposes)
        # Agreements by pair of parties: a group company may sign thousands, and scanning
        # them all for each of its flows made the registers quadratic.
        self.agreements: dict[tuple[str, str], list[AgreementRecord]] = {}
        for agreement in sorted(register.agreements, key=lambda a: a.reference):
            for a in agreement.parties:
                for b in agreement.parties:
                    self.agreements.setdefault((a, b), []).append(agreement)
        self._labels: dict[type[models.Choices], dict[str, str]] = {}
        self._country: dict[str, str] = {}
        self._countries: dict[tuple[str, ...], str] = {}
        self._contact: dict[str, str] = {}
        self._categories: dict[tuple[str, ...], str] = {}

    def label(self, choices: type[models.Choices], value: str) -> str:
        labels = self._labels.get(choices)
        if labels is None:
            labels = self._labels[choices] = {v: str(k) for v, k in choices.choices}
        return labels.get(value, value) if value else ""

    def country(self, code: str) -> str:
        name = self._country.get(code)
        if name is None:
            name = self._country[code] = str(country_names.name(code)) or code
        return name

    def countries(self, codes: Iterable[str]) -> str:
        key = tuple(codes)
        text = self._countries.get(key)
        if text is None:
            text = ", ".join(self.country(c) for c in sorted(set(key)) if c)
            self._countries[key] = text
        return text

    def party(self, slug: str) -> PartyRecord | None:
        return self.parties.get(slug)

    def name(self, slug: str | None) -> str:
        party = self.parties.get(slug or "")
        return party.name if party else (slug or "")

    def contact(self, slug: str) -> str:
        text = self._contact.get(slug)
        if text is None:
            party = self.parties.get(slug)
            if party is None:
                return slug
            parts = [party.legal_name or party.name, self.country(party.country)]
            if self.data.contacts.get(slug):
                parts.append(self.data.contacts[slug])
            text = self._contact[slug] = ", ".join(parts)
        return text

    def contracts(self, flow: FlowRecord) -> str:
        found = [
            f"{a.reference} ({self.label(AgreementKind, a.kind)}, "
            f"{agreement_status(a, self.as_of)})"
            for a in self.agreements.get((flow.source, flow.target), ())
        ]
        return "; ".join(found) or "None recorded"

    def categories(self, flow: FlowRecord) -> str:
        text = self._categories.get(flow.categories)
        if text is None:
            names = []
            for key in flow.categories:
                record = self.data.register.categories.get(key)
                names.append(f"{record.name} ({key})" if record and record.name else key)
            text = self._categories[flow.categories] = "; ".join(names)
        return text

    def purpose(self, flow: FlowRecord) -> str:
        record = self.data.register.purposes.get(flow.purpose)
        return record.name if record and record.name else flow.purpose

    def business_function(self, flow: FlowRecord) -> str:
        top = self.purposes.lineage(flow.purpose)[-1]
        record = self.data.register.purposes.get(top)
        return record.name if record and record.name else top

    def locations(self, flow: FlowRecord) -> tuple[str, ...]:
        target = self.parties.get(flow.target)
        return flow.processing_countries or (target.countries if target else ())

    def transfers(self, flow: FlowRecord) -> list[Transfer]:
        """Each transfer out of the exporter's zone on the date: restricted ones need a
        mechanism, the others go to countries an adequacy decision covers (Art. 30(1)(e)
        lists both)."""
        source = self.parties.get(flow.source)
        if source is None:
            return []
        snapshot = self.snapshot
        restricted = {
            t.regime: set(t.countries)
            for t in snapshot.restricted_transfers(flow, source, self.parties.get(flow.target))
        }
        found = []
        for regime in snapshot.zone_regimes(source.country):
            outside = sorted({c for c in self.locations(flow) if not snapshot.in_zone(regime, c)})
            blocked = restricted.get(regime, set())
            name = REGIME_NAMES.get(regime, regime)
            if blocked:
                found.append((regime, name, tuple(sorted(blocked)), True))
            adequate = tuple(c for c in outside if c not in blocked)
            if adequate:
                found.append((regime, name, adequate, False))
        return found

    def third_countries(self, transfers: list[Transfer]) -> str:
        return "; ".join(
            f"{self.countries(codes)} ("
            + (
                f"restricted transfer under the {name}"
                if restricted
                else f"adequate for the {name}"
            )
            + ")"
            for _, name, codes, restricted in transfers
        )

    def safeguards(self, flow: FlowRecord, transfers: list[Transfer]) -> str:
        if not flow.transfer_mechanism:
            return "None recorded" if any(r for *_, r in transfers) else ""
        parts = [self.label(TransferMechanism, flow.transfer_mechanism)]
        if flow.transfer_agreement:
            parts.append(f"agreement {flow.transfer_agreement}")
        if flow.tia_on:
            parts.append(f"transfer impact assessment {flow.tia_on.isoformat()}")
        return "; ".join(parts)

    def special(self, flow: FlowRecord) -> bool:
        """Special-category or criminal offence data, flagged on a category or an ancestor."""
        return any(
            not self.taxonomy.flags(key).isdisjoint(_SPECIAL_FLAGS) for key in flow.categories
        )


# --- GDPR Art. 30(1) -----------------------------------------------------------------------


def _controller_row(ctx: Lookups, flow: FlowRecord) -> list[Any]:
    target = ctx.party(flow.target)
    subjects = ctx.data.subjects.get(flow.id, ())
    basis = ctx.label(LawfulBasis, flow.lawful_basis) or "None recorded"
    special = ctx.special(flow)
    art9 = ctx.label(Art9Condition, flow.art9_condition)
    processor = flow.role in (Role.PROCESSOR, Role.SUBPROCESSOR)
    recipient_kind = ctx.label(Relationship, target.relationship) if target else ""
    locations = ctx.countries(ctx.locations(flow))
    transfers = ctx.transfers(flow)
    values = [
        ctx.business_function(flow),
        ctx.purpose(flow),
        ctx.contact(flow.target) if flow.role == Role.JOINT_CONTROLLER else "",
        "; ".join(subjects) or NOT_RECORDED,
        ctx.categories(flow),
        f"{recipient_kind}: {ctx.name(flow.target)} ({locations})",
        ctx.contracts(flow) if processor else "",
        ctx.third_countries(transfers),
        ctx.safeguards(flow, transfers),
        NOT_RECORDED,
        NOT_RECORDED,
        basis,
        art9 or ("None recorded (special category data)" if special else ""),
        ctx.purpose(flow) if flow.lawful_basis == LawfulBasis.LEGITIMATE_INTERESTS else "",
        "",
        "",
        "",
        "",
        "",
        locations,
        "", "", "", "", "", "",
        basis if special else "",
        "", "", "",
    ]  # fmt: skip
    trace = [ctx.name(flow.target), ctx.label(Role, flow.role), flow.reference, flow.started_on]
    return [ctx.contact(flow.source), *values, *trace]


def controller_record(data: ReportInput, progress: Progress = no_progress) -> Table:
    """GDPR Art. 30(1): one row for each active flow a group company sends as controller,
    with the ICO controller template's columns; a Controller column leads, traceability
    columns follow. Sorted by controller, purpose and recipient."""
    ctx = Lookups(data)
    chosen = []
    for flow in ctx.flows:
        source = ctx.party(flow.source)
        if source is None or source.relationship not in _GROUP:
            continue
        if flow.role == Role.SUBPROCESSOR:
            continue
        chosen.append(flow)
    chosen.sort(key=lambda f: (ctx.contact(f.source), ctx.purpose(f), ctx.name(f.target)))
    meter = Meter(len(chosen), progress)
    return Table(
        [CONTROLLER_LEAD, *CONTROLLER_COLUMNS, *TRACE],
        (_controller_row(ctx, flow) for flow in meter.each(chosen)),
    )


# --- GDPR Art. 30(2) -----------------------------------------------------------------------


def processor_record(data: ReportInput, progress: Progress = no_progress) -> Table:
    """GDPR Art. 30(2): one row for each active flow to a processor or sub-processor, naming
    the processor and each controller on whose behalf it acts (for a sub-processor, the
    controllers that send the data to the processor that engaged it). Sorted by processor
    and controller."""
    ctx = Lookups(data)
    upstream: dict[str, set[str]] = {}
    for flow in ctx.flows:
        if flow.role == Role.PROCESSOR:
            upstream.setdefault(flow.target, set()).add(flow.source)
    # A sub-processor acts for the controllers of whoever engaged it: the same text for
    # every flow from that processor.
    via: dict[str, str] = {}

    def controllers(flow: FlowRecord) -> str:
        if flow.role == Role.PROCESSOR:
            return ctx.contact(flow.source)
        text = via.get(flow.source)
        if text is None:
            names = sorted(upstream.get(flow.source, ()))
            text = via[flow.source] = "; ".join(
                f"{ctx.contact(s)} (via {ctx.name(flow.source)})" for s in names
            ) or (f"Not recorded (engaged by {ctx.name(flow.source)})")
        return text

    chosen = [f for f in ctx.flows if f.role in (Role.PROCESSOR, Role.SUBPROCESSOR)]
    chosen.sort(key=lambda f: (ctx.contact(f.target), controllers(f)))

    def row(flow: FlowRecord) -> list[Any]:
        transfers = ctx.transfers(flow)
        values = [
            controllers(flow),
            NOT_RECORDED,
            f"{ctx.purpose(flow)}: {ctx.categories(flow)}",
            ctx.third_countries(transfers),
            ctx.safeguards(flow, transfers),
            NOT_RECORDED,
        ]
        extra = [
            ctx.contracts(flow),
            ctx.countries(ctx.locations(flow)),
            ctx.label(Role, flow.role),
            flow.reference,
            flow.started_on,
        ]
        return [ctx.contact(flow.target), *values, *extra]

    meter = Meter(len(chosen), progress)
    return Table(
        [PROCESSOR_LEAD, *PROCESSOR_COLUMNS, *PROCESSOR_TRACE],
        (row(flow) for flow in meter.each(chosen)),
    )
