"""The registers handed out: the Art. 30 records and the review pack. pandas lives here only.

Tables are built with pandas from records (flows.engine.records) and the few extra facts the
records do not carry (contacts, data subjects), then written as CSV or, with openpyxl, as
XLSX. Column headings of the Art. 30 records follow the UK ICO documentation templates
(controller: sheet "Template", row 9, 30 columns; processor: the six Art. 30(2) columns,
unverified against the ICO workbook).
Every text cell that a spreadsheet would read as a formula (= + - @, tab, CR) is escaped.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import pandas as pd
from django_countries import countries as country_names
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from flows.choices import Art9Condition, LawfulBasis, Role, TransferMechanism
from flows.engine.fingerprint import AgreementIndex
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
from registry.choices import AgreementKind, PartyStatus, Relationship, SubprocessorAuthorisation

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

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_GROUP = (Relationship.OWN, Relationship.AFFILIATE)
_SPECIAL_FLAGS = frozenset({"special_category", "criminal"})
"""GDPR Art. 9 (special categories) and Art. 10 (criminal offence data)."""


def escape_formula(value: Any) -> Any:
    """A text a spreadsheet would evaluate (=, +, -, @, tab, CR first) gets a leading quote."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def escape_frame(frame: pd.DataFrame) -> pd.DataFrame:
    escaped = frame.copy()
    for column in escaped.columns:
        escaped[column] = [escape_formula(v) for v in escaped[column]]
    escaped.columns = [escape_formula(c) for c in escaped.columns]
    return escaped


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


def _country(code: str) -> str:
    return str(country_names.name(code)) or code


def _countries(codes: Iterable[str]) -> str:
    return ", ".join(_country(c) for c in sorted(set(codes)) if c)


def _label(choices: Any, value: str) -> str:
    return dict(choices.choices).get(value, value) if value else ""


def agreement_status(agreement: AgreementRecord, day: date) -> str:
    """records.agreement_state in the words of the registers: "in effect", "expired"..."""
    state = agreement_state(agreement, day)
    return "in effect" if state is AgreementState.IN_FORCE else str(state)


class _Context:
    """Look-ups shared by the tables of one report."""

    def __init__(self, data: ReportInput) -> None:
        self.data = data
        register = data.register
        self.parties = register.parties
        self.jurisdictions = Jurisdictions.from_register(register)
        self.agreements = AgreementIndex(register.agreements)
        self.flows = [f for f in register.flows if is_active(f, data.as_of)]
        self.taxonomy = Taxonomy(register.categories)
        self.purposes = Taxonomy(register.purposes)
        self.snapshot = self.jurisdictions.on(data.as_of)

    def party(self, slug: str) -> PartyRecord | None:
        return self.parties.get(slug)

    def name(self, slug: str | None) -> str:
        party = self.parties.get(slug or "")
        return party.name if party else (slug or "")

    def contact(self, slug: str) -> str:
        party = self.parties.get(slug)
        if party is None:
            return slug
        parts = [party.legal_name or party.name, _country(party.country)]
        if self.data.contacts.get(slug):
            parts.append(self.data.contacts[slug])
        return ", ".join(parts)

    def contracts(self, flow: FlowRecord) -> str:
        found = [
            f"{a.reference} ({_label(AgreementKind, a.kind)}, "
            f"{agreement_status(a, self.data.as_of)})"
            for a in sorted(
                self.agreements.between(flow.source, flow.target), key=lambda a: a.reference
            )
        ]
        return "; ".join(found) or "None recorded"

    def categories(self, flow: FlowRecord) -> str:
        names = []
        for key in flow.categories:
            record = self.data.register.categories.get(key)
            names.append(f"{record.name} ({key})" if record and record.name else key)
        return "; ".join(names)

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

    def transfers(self, flow: FlowRecord) -> list[tuple[str, str, tuple[str, ...], bool]]:
        """(regime code, regime name, destination countries, restricted) of each transfer
        out of the exporter's zone on the date: restricted ones need a mechanism, the others
        go to countries an adequacy decision covers (Art. 30(1)(e) lists both)."""
        source = self.parties.get(flow.source)
        if source is None:
            return []
        restricted = {
            t.regime: set(t.countries)
            for t in self.jurisdictions.restricted_transfers(
                flow, source, self.parties.get(flow.target), self.data.as_of
            )
        }
        snapshot = self.snapshot
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

    def third_countries(self, flow: FlowRecord) -> str:
        return "; ".join(
            f"{_countries(codes)} ("
            + (
                f"restricted transfer under the {name}"
                if restricted
                else f"adequate for the {name}"
            )
            + ")"
            for _, name, codes, restricted in self.transfers(flow)
        )

    def safeguards(self, flow: FlowRecord) -> str:
        if not flow.transfer_mechanism:
            restricted = any(r for *_, r in self.transfers(flow))
            return "None recorded" if restricted else ""
        parts = [_label(TransferMechanism, flow.transfer_mechanism)]
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


def controller_record(data: ReportInput) -> pd.DataFrame:
    """GDPR Art. 30(1): one row for each active flow a group company sends as controller,
    with the ICO controller template's columns; a Controller column leads, traceability
    columns follow."""
    ctx = _Context(data)
    rows = []
    for flow in ctx.flows:
        source = ctx.party(flow.source)
        if source is None or source.relationship not in _GROUP:
            continue
        if flow.role == Role.SUBPROCESSOR:
            continue
        target = ctx.party(flow.target)
        subjects = data.subjects.get(flow.id, ())
        basis = _label(LawfulBasis, flow.lawful_basis) or "None recorded"
        special = ctx.special(flow)
        art9 = _label(Art9Condition, flow.art9_condition)
        processor = flow.role in (Role.PROCESSOR, Role.SUBPROCESSOR)
        recipient_kind = _label(Relationship, target.relationship) if target else ""
        values = [
            ctx.business_function(flow),
            ctx.purpose(flow),
            ctx.contact(flow.target) if flow.role == Role.JOINT_CONTROLLER else "",
            "; ".join(subjects) or NOT_RECORDED,
            ctx.categories(flow),
            f"{recipient_kind}: {ctx.name(flow.target)} ({_countries(ctx.locations(flow))})",
            ctx.contracts(flow) if processor else "",
            ctx.third_countries(flow),
            ctx.safeguards(flow),
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
            _countries(ctx.locations(flow)),
            "", "", "", "", "", "",
            basis if special else "",
            "", "", "",
        ]  # fmt: skip
        trace = [
            ctx.name(flow.target),
            _label(Role, flow.role),
            flow.reference,
            flow.started_on,
        ]
        rows.append([ctx.contact(flow.source), *values, *trace])
    frame = pd.DataFrame(rows, columns=[CONTROLLER_LEAD, *CONTROLLER_COLUMNS, *TRACE])
    return frame.sort_values([CONTROLLER_LEAD, "Purpose of processing", "Recipient"]).reset_index(
        drop=True
    )


def processor_record(data: ReportInput) -> pd.DataFrame:
    """GDPR Art. 30(2): one row for each active flow to a processor or sub-processor, naming
    the processor and each controller on whose behalf it acts (for a sub-processor, the
    controllers that send the data to the processor that engaged it)."""
    ctx = _Context(data)
    upstream: dict[str, set[str]] = {}
    for flow in ctx.flows:
        if flow.role == Role.PROCESSOR:
            upstream.setdefault(flow.target, set()).add(flow.source)
    rows = []
    for flow in ctx.flows:
        if flow.role not in (Role.PROCESSOR, Role.SUBPROCESSOR):
            continue
        if flow.role == Role.PROCESSOR:
            controllers = ctx.contact(flow.source)
        else:
            names = sorted(upstream.get(flow.source, ()))
            controllers = (
                "; ".join(f"{ctx.contact(s)} (via {ctx.name(flow.source)})" for s in names)
                or f"Not recorded (engaged by {ctx.name(flow.source)})"
            )
        values = [
            controllers,
            NOT_RECORDED,
            f"{ctx.purpose(flow)}: {ctx.categories(flow)}",
            ctx.third_countries(flow),
            ctx.safeguards(flow),
            NOT_RECORDED,
        ]
        extra = [
            ctx.contracts(flow),
            _countries(ctx.locations(flow)),
            _label(Role, flow.role),
            flow.reference,
            flow.started_on,
        ]
        rows.append([ctx.contact(flow.target), *values, *extra])
    columns = [
        PROCESSOR_LEAD,
        *PROCESSOR_COLUMNS,
        "Link to contract with controller",
        "Location of personal data",
        "Role on the flow",
        "Register flow reference",
        "Active from",
    ]
    frame = pd.DataFrame(rows, columns=columns)
    return frame.sort_values([PROCESSOR_LEAD, PROCESSOR_COLUMNS[0]]).reset_index(drop=True)


def review_pack(data: ReportInput) -> dict[str, pd.DataFrame]:
    """The sheets of the review pack for a date: findings with decisions, flows, agreements
    with expiry, cross-border transfers, parties."""
    ctx = _Context(data)
    references = {f.id: f.reference for f in data.register.flows}
    findings = []
    for f in data.findings:
        d = data.decisions.get((f.rule, f.flow or 0), {})
        findings.append(
            {
                "Severity": f.severity,
                "Rule": f.rule,
                "Flow": references.get(f.flow or 0, ""),
                "From": ctx.name(f.source),
                "To": ctx.name(f.target),
                "Data categories": ", ".join(f.categories),
                "What is wrong": f.message,
                "Legal basis": f.citation,
                "What to do": f.remedy,
                "Path": " -> ".join(f.path),
                "Review state": d.get("state_label", "Open"),
                "Decision": d.get("decision", ""),
                "Reason or comment": d.get("reason", ""),
                "Decided by": d.get("decided_by", ""),
                "Decided at": d.get("decided_at", None),
                "Review by": d.get("review_by", None),
                "Assigned to": d.get("assignee", ""),
            }
        )
    flows = []
    transfers = []
    flagged: dict[int | None, set[str]] = {}
    for f in data.findings:
        flagged.setdefault(f.flow, set()).add(f.rule)
    for flow in sorted(data.register.flows, key=lambda f: f.reference):
        active = is_active(flow, data.as_of)
        flows.append(
            {
                "Reference": flow.reference,
                "From": ctx.name(flow.source),
                "To": ctx.name(flow.target),
                "Recipient's role": _label(Role, flow.role),
                "Purpose": ctx.purpose(flow),
                "Data categories": ctx.categories(flow),
                "Lawful basis": _label(LawfulBasis, flow.lawful_basis) or "None recorded",
                "Art. 9 condition": _label(Art9Condition, flow.art9_condition),
                "Processed in": _countries(ctx.locations(flow)),
                "Transfer mechanism": _label(TransferMechanism, flow.transfer_mechanism),
                "Transfer agreement": flow.transfer_agreement or "",
                "TIA date": flow.tia_on,
                "Started on": flow.started_on,
                "Ended on": flow.ended_on,
                f"Active on {data.as_of.isoformat()}": "yes" if active else "no",
                "Findings": ", ".join(sorted(flagged.get(flow.id, ()))),
            }
        )
        if not active:
            continue
        source = ctx.party(flow.source)
        for regime_code, regime, codes, restricted in ctx.transfers(flow):
            valid = ""
            if flow.transfer_mechanism and restricted:
                ok = ctx.jurisdictions.mechanism_valid(
                    regime_code, flow.transfer_mechanism, data.as_of
                )
                valid = "yes" if ok else "no"
            mechanism = _label(TransferMechanism, flow.transfer_mechanism)
            if not restricted and not mechanism:
                mechanism = "Adequacy decision (no mechanism needed)"
            transfers.append(
                {
                    "Flow": flow.reference,
                    "Exporter": ctx.name(flow.source),
                    "Exporter's country": _country(source.country) if source else "",
                    "Importer": ctx.name(flow.target),
                    "Regime": regime,
                    "Destination": _countries(codes),
                    "Restricted transfer": "yes" if restricted else "no",
                    "Mechanism": mechanism or "None recorded",
                    f"Mechanism valid on {data.as_of.isoformat()}": valid,
                    "Transfer agreement": flow.transfer_agreement or "",
                    "TIA date": flow.tia_on,
                    "Findings": ", ".join(sorted(flagged.get(flow.id, ()))),
                }
            )
    agreements = [
        {
            "Reference": a.reference,
            "Kind": _label(AgreementKind, a.kind),
            "Parties": ", ".join(sorted(ctx.name(p) for p in a.parties)),
            "Signed on": a.signed_on,
            "Effective on": a.effective_on or a.signed_on,
            "Expires on": a.expires_on,
            "Terminated on": a.terminated_on,
            f"Status on {data.as_of.isoformat()}": agreement_status(a, data.as_of),
            "Days to expiry": (a.expires_on - data.as_of).days if a.expires_on else None,
            "Data categories covered": ", ".join(sorted(a.categories)) or "all",
            "Flows obligations down": "yes" if a.flowdown else "no",
            "Sub-processor authorisation": _label(
                SubprocessorAuthorisation, a.subprocessor_authorisation
            ),
        }
        for a in sorted(data.register.agreements, key=lambda a: a.reference)
    ]
    parties = [
        {
            "Slug": p.slug,
            "Name": p.name,
            "Legal name": p.legal_name,
            "Relationship": _label(Relationship, p.relationship),
            "Country": _country(p.country),
            "Processes data in": _countries(p.countries),
            "Parent company": ctx.name(p.parent) if p.parent else "",
            "Engaged by": ctx.name(p.engaged_by) if p.engaged_by else "",
            "Onboarding status": _label(PartyStatus, p.status),
            "DPF certified until": p.dpf_certified_until,
            "PCI DSS attested on": p.pci_attested_on,
        }
        for p in sorted(data.register.parties.values(), key=lambda p: (p.name, p.slug))
    ]
    return {
        "Findings": pd.DataFrame(findings, columns=_FINDING_COLUMNS),
        "Flows": pd.DataFrame(flows),
        "Agreements": pd.DataFrame(agreements),
        "Transfers": pd.DataFrame(transfers, columns=_transfer_columns(data.as_of)),
        "Parties": pd.DataFrame(parties),
    }


_FINDING_COLUMNS = [
    "Severity", "Rule", "Flow", "From", "To", "Data categories", "What is wrong", "Legal basis",
    "What to do", "Path", "Review state", "Decision", "Reason or comment", "Decided by",
    "Decided at", "Review by", "Assigned to",
]  # fmt: skip


def _transfer_columns(as_of: date) -> list[str]:
    return [
        "Flow", "Exporter", "Exporter's country", "Importer", "Regime", "Destination",
        "Restricted transfer", "Mechanism", f"Mechanism valid on {as_of.isoformat()}",
        "Transfer agreement", "TIA date", "Findings",
    ]  # fmt: skip


# --- Writing -------------------------------------------------------------------------------


def _cell(value: Any) -> Any:
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)
    return escape_formula(value)


def to_csv(frame: pd.DataFrame) -> bytes:
    """UTF-8 with a byte-order mark, so that spreadsheet programs read the accents."""
    buffer = io.StringIO()
    escape_frame(frame).to_csv(buffer, index=False, quoting=csv.QUOTE_MINIMAL)
    return buffer.getvalue().encode("utf-8-sig")


_HEADER_FILL = PatternFill("solid", fgColor="DDE6F5")


def to_xlsx(
    sheets: Mapping[str, pd.DataFrame],
    preambles: Mapping[str, Sequence[tuple[str, Any]]] | None = None,
) -> bytes:
    """One sheet per table; a preamble (label, value rows) above a table, as the ICO
    template has its contact block above row 9."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, frame in sheets.items():
        sheet = workbook.create_sheet(title[:31])
        row = 1
        for label, value in (preambles or {}).get(title, ()):
            sheet.cell(row=row, column=1, value=escape_formula(label)).font = Font(bold=True)
            sheet.cell(row=row, column=2, value=_cell(value))
            row += 1
        if row > 1:
            # The ICO template's activity table starts on row 9, under the contact block.
            row = max(row + 1, 9)
        header_row = row
        for col, name in enumerate(frame.columns, start=1):
            cell = sheet.cell(row=header_row, column=col, value=escape_formula(str(name)))
            cell.font = Font(bold=True)
            cell.fill = _HEADER_FILL
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for values in frame.itertuples(index=False):
            row += 1
            for col, value in enumerate(values, start=1):
                cell = sheet.cell(row=row, column=col, value=_cell(value))
                if isinstance(cell.value, datetime):
                    cell.number_format = "yyyy-mm-dd hh:mm"
                elif isinstance(cell.value, date):
                    cell.number_format = "yyyy-mm-dd"
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        for col, name in enumerate(frame.columns, start=1):
            longest = max([len(str(name)) // 2, *(len(str(v)) for v in frame.iloc[:, col - 1])])
            sheet.column_dimensions[get_column_letter(col)].width = max(10, min(longest + 2, 60))
        sheet.freeze_panes = sheet.cell(row=header_row + 1, column=2)
        if len(frame.columns):
            last = get_column_letter(len(frame.columns))
            sheet.auto_filter.ref = f"A{header_row}:{last}{max(row, header_row)}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
