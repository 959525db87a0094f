"""The review pack for a date: findings with their review decisions, flows, agreements with
their expiry, cross-border transfers and parties, one sheet each, rows generated one at a
time as flows.reports.writing writes them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from flows.choices import Art9Condition, LawfulBasis, Role, TransferMechanism
from flows.engine.records import FlowRecord, is_active
from flows.engine.rules import rule_title
from flows.reports.lookups import Lookups, ReportInput, agreement_status
from flows.reports.writing import Meter, Table
from flows.reviews.states import ACCEPT_RISK, REQUEST_CHANGE, WAIVE
from registry.choices import AgreementKind, PartyStatus, Relationship, SubprocessorAuthorisation
from registry.web.progress import Progress, no_progress

DECISIONS = {ACCEPT_RISK: "Risk accepted", WAIVE: "Waived", REQUEST_CHANGE: "Change requested"}
"""A decision as the pack records it: what the reviewer decided, in the past tense."""

FINDING_COLUMNS = [
    "Severity", "Rule", "Flow", "From", "To", "Data categories", "What is wrong", "Legal basis",
    "What to do", "Path", "Review state", "Decision", "Reason or comment", "Decided by",
    "Decided at", "Review by", "Assigned to",
]  # fmt: skip


def flow_columns(as_of: date) -> list[str]:
    return [
        "Reference", "From", "To", "Recipient's role", "Purpose", "Data categories",
        "Data subjects", "Lawful basis", "Art. 9 condition", "Processed in",
        "Transfer mechanism", "Transfer agreement", "TIA date", "Retention", "Started on",
        "Ended on", f"Active on {as_of.isoformat()}", "Findings",
    ]  # fmt: skip


def transfer_columns(as_of: date) -> list[str]:
    return [
        "Flow", "Exporter", "Exporter's country", "Importer", "Regime", "Destination",
        "Restricted transfer", "Mechanism", f"Mechanism valid on {as_of.isoformat()}",
        "Transfer agreement", "TIA date", "Findings",
    ]  # fmt: skip


def agreement_columns(as_of: date) -> list[str]:
    return [
        "Reference", "Title", "Kind", "Parties", "Signed on", "Effective on", "Expires on",
        "Terminated on", f"Status on {as_of.isoformat()}", "Days to expiry",
        "Data categories covered", "Flows obligations down", "Sub-processor authorisation",
    ]  # fmt: skip


PARTY_COLUMNS = [
    "Name", "Slug", "Legal name", "Relationship", "Country", "Processes data in",
    "Parent company", "Engaged by", "Onboarding status", "EU-US DPF certified until",
    "UK Extension certified until", "Swiss-US DPF certified until", "PCI DSS attested on",
    "Security measures",
]  # fmt: skip


class _Pack:
    """The rows of each sheet of the review pack, one generator a sheet."""

    def __init__(self, data: ReportInput, meter: Meter) -> None:
        self.ctx = Lookups(data)
        self.data = data
        self.meter = meter
        self.references = {f.id: f.reference for f in data.register.flows}
        self.flagged: dict[int | None, set[str]] = {}
        for f in data.findings:
            self.flagged.setdefault(f.flow, set()).add(f.rule)
        self.flows = sorted(data.register.flows, key=lambda f: f.reference)

    def rules_on(self, flow: FlowRecord) -> str:
        return "; ".join(sorted(rule_title(r) for r in self.flagged.get(flow.id, ())))

    def findings(self) -> Iterator[list[Any]]:
        ctx = self.ctx
        for f in self.meter.each(self.data.findings):
            d = self.data.decisions.get((f.rule, f.flow or 0), {})
            yield [
                f.severity.capitalize(),
                rule_title(f.rule),
                self.references.get(f.flow or 0, ""),
                ctx.name(f.source),
                ctx.name(f.target),
                ctx.category_names(f.categories),
                f.message,
                f.citation,
                f.remedy,
                " → ".join(ctx.name(slug) for slug in f.path),
                d.get("state_label", "Open"),
                DECISIONS.get(d.get("decision", ""), d.get("decision", "")),
                d.get("reason", ""),
                d.get("decided_by", ""),
                d.get("decided_at", None),
                d.get("review_by", None),
                d.get("assignee", ""),
            ]

    def flow_rows(self) -> Iterator[list[Any]]:
        ctx, as_of = self.ctx, self.data.as_of
        for flow in self.meter.each(self.flows):
            yield [
                flow.reference,
                ctx.name(flow.source),
                ctx.name(flow.target),
                ctx.label(Role, flow.role),
                ctx.purpose(flow),
                ctx.categories(flow),
                "; ".join(self.data.subjects.get(flow.id, ())),
                ctx.label(LawfulBasis, flow.lawful_basis) or "None recorded",
                ctx.label(Art9Condition, flow.art9_condition),
                ctx.countries(ctx.locations(flow)),
                ctx.label(TransferMechanism, flow.transfer_mechanism),
                ctx.agreement_named(flow.transfer_agreement) if flow.transfer_agreement else "",
                flow.tia_on,
                self.data.retention.get(flow.id, ""),
                flow.started_on,
                flow.ended_on,
                "yes" if is_active(flow, as_of) else "no",
                self.rules_on(flow),
            ]

    def transfers(self) -> Iterator[list[Any]]:
        ctx, as_of = self.ctx, self.data.as_of
        for flow in self.meter.each(self.flows):
            if not is_active(flow, as_of):
                continue
            source = ctx.party(flow.source)
            mechanism = ctx.label(TransferMechanism, flow.transfer_mechanism)
            for regime_code, regime, codes, restricted in ctx.transfers(flow):
                valid = ""
                if flow.transfer_mechanism and restricted:
                    ok = ctx.snapshot.mechanism_valid(regime_code, flow.transfer_mechanism)
                    valid = "yes" if ok else "no"
                shown = mechanism
                if not restricted and not mechanism:
                    shown = "Adequacy decision (no mechanism needed)"
                yield [
                    flow.reference,
                    ctx.name(flow.source),
                    ctx.country(source.country) if source else "",
                    ctx.name(flow.target),
                    regime,
                    ctx.countries(codes),
                    "yes" if restricted else "no",
                    shown or "None recorded",
                    valid,
                    ctx.agreement_named(flow.transfer_agreement) if flow.transfer_agreement else "",
                    flow.tia_on,
                    self.rules_on(flow),
                ]

    def agreements(self) -> Iterator[list[Any]]:
        ctx, as_of = self.ctx, self.data.as_of
        ordered = sorted(self.data.register.agreements, key=lambda a: a.reference)
        for a in self.meter.each(ordered):
            yield [
                a.reference,
                self.data.agreement_titles.get(a.reference, ""),
                ctx.label(AgreementKind, a.kind),
                ", ".join(sorted(ctx.name(p) for p in a.parties)),
                a.signed_on,
                a.effective_on or a.signed_on,
                a.expires_on,
                a.terminated_on,
                agreement_status(a, as_of),
                (a.expires_on - as_of).days if a.expires_on else None,
                ctx.category_names(sorted(a.categories)) or "All categories",
                "yes" if a.flowdown else "no",
                ctx.label(SubprocessorAuthorisation, a.subprocessor_authorisation),
            ]

    def parties(self) -> Iterator[list[Any]]:
        ctx = self.ctx
        ordered = sorted(self.data.register.parties.values(), key=lambda p: (p.name, p.slug))
        as_of = self.data.as_of
        engaging: dict[str, list[str]] = {}
        for e in self.data.register.engagements:
            if e.ended_on is None or e.ended_on >= as_of:
                engaging.setdefault(e.subprocessor, []).append(ctx.name(e.processor))
        for p in self.meter.each(ordered):
            yield [
                p.name,
                p.slug,
                p.legal_name,
                ctx.label(Relationship, p.relationship),
                ctx.country(p.country),
                ctx.countries(p.countries),
                ctx.name(p.parent) if p.parent else "",
                ", ".join(sorted(engaging.get(p.slug, ()))),
                ctx.label(PartyStatus, p.status),
                p.dpf_certified_until,
                p.dpf_uk_certified_until,
                p.dpf_swiss_certified_until,
                p.pci_attested_on,
                ctx.security(p.slug),
            ]


def review_pack(data: ReportInput, progress: Progress = no_progress) -> dict[str, Table]:
    """The sheets of the review pack for a date: findings with decisions, flows, agreements
    with expiry, cross-border transfers, parties."""
    register = data.register
    # The flows are walked twice: once for their sheet, once for their transfers.
    total = len(data.findings) + 2 * len(register.flows)
    meter = Meter(total + len(register.agreements) + len(register.parties), progress)
    pack = _Pack(data, meter)
    as_of = data.as_of
    return {
        "Findings": Table(FINDING_COLUMNS, pack.findings()),
        "Flows": Table(flow_columns(as_of), pack.flow_rows()),
        "Agreements": Table(agreement_columns(as_of), pack.agreements()),
        "Transfers": Table(transfer_columns(as_of), pack.transfers()),
        "Parties": Table(PARTY_COLUMNS, pack.parties()),
    }
