"""The Art. 30 records as tables (the review pack: pack.py).

Each table is a header and rows generated one at a time from the records
(flows.engine.records) and the few facts the records do not carry (flows.reports.lookups);
flows.reports.writing writes them as CSV or XLSX while they are generated, so that no whole
table is ever held in memory.

The controller's record (GDPR Art. 30(1)) is kept by each controller: one sheet for the own
company and one for each affiliate that acts as a controller on some flow, with the UK ICO
documentation template's 30 activity columns. The processor's record (Art. 30(2)) has one
row for each controller a processor acts for, with the template's six core columns.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from flows.choices import Art9Condition, LawfulBasis, Role
from flows.engine.records import FlowRecord
from flows.reports.lookups import NOT_RECORDED, Lookups, ReportInput
from flows.reports.writing import Meter, Table
from registry.choices import Relationship
from registry.web.progress import Progress, no_progress

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
"""The ICO processor template's core columns (GDPR Art. 30(2))."""

# Columns the register adds so that each row can be traced back to it.
CONTROLLER_LEAD = "Controller"
"""The first column of the controller record as one CSV table (the XLSX has a sheet each)."""
PROCESSOR_LEAD = "Name and contact details of processor"
TRACE = ["From", "To", "Recipient's role", "Register flow reference", "Active from"]
PROCESSOR_TRACE = [
    "Link to contract with controller",
    "Location of personal data",
    "Role on the flow",
    "Register flow reference",
    "Active from",
]

_GROUP = (Relationship.OWN, Relationship.AFFILIATE)
_CONTROLLING = (Role.CONTROLLER, Role.JOINT_CONTROLLER)
_PROCESSING = (Role.PROCESSOR, Role.SUBPROCESSOR)


# --- GDPR Art. 30(1) -----------------------------------------------------------------------


@dataclass(frozen=True)
class Activity:
    """A row of one controller's record: a flow it sends, or one it receives as a
    controller (then the source of the data is the sender)."""

    controller: str
    flow: FlowRecord
    received: bool = False


def _recipients(ctx: Lookups, flow: FlowRecord) -> str:
    target = ctx.party(flow.target)
    role = ctx.label(Role, flow.role)
    if target is not None and target.relationship in _GROUP:
        kind = f"Group company ({role.lower()})"
    elif flow.role in _PROCESSING:
        kind = role
    elif flow.role == Role.JOINT_CONTROLLER:
        kind = "Joint controller"
    else:
        kind = "Independent controller"
    return f"{kind}: {ctx.name(flow.target)} ({ctx.countries(ctx.locations(flow))})"


def _security(ctx: Lookups, activity: Activity) -> str:
    flow = activity.flow
    own = ctx.security(activity.controller)
    parts = [f"{ctx.name(activity.controller)}: {own}" if own else NOT_RECORDED]
    if not activity.received and flow.role in _PROCESSING and ctx.security(flow.target):
        parts.append(f"{ctx.name(flow.target)} (processor): {ctx.security(flow.target)}")
    return "\n".join(parts)


def _art9(ctx: Lookups, flow: FlowRecord, special: bool) -> str:
    condition = ctx.label(Art9Condition, flow.art9_condition)
    if condition:
        return condition
    if special:
        return "None recorded, although special category data is processed"
    return "Not applicable: no special category data"


def _controller_values(ctx: Lookups, activity: Activity) -> list[Any]:
    """The 30 ICO columns for one activity. The lawful basis and the Art. 9 condition are
    each written from the flow's one recorded value: the DPA 2018 Schedule 1 record repeats
    the Art. 6 basis only where special category data makes that record needed."""
    flow = activity.flow
    special = ctx.special(flow)
    basis = ctx.label(LawfulBasis, flow.lawful_basis) or "None recorded"
    received = activity.received
    transfers = [] if received else ctx.transfers(flow)
    joint = ""
    if flow.role == Role.JOINT_CONTROLLER:
        joint = ctx.contact(flow.source if received else flow.target)
    source = ""
    if received:
        source = f"Received from {ctx.name(flow.source)} ({ctx.country_of(flow.source)})"
    interests = ""
    if flow.lawful_basis == LawfulBasis.LEGITIMATE_INTERESTS:
        interests = ctx.purpose(flow)
    return [
        ctx.business_function(flow),
        ctx.purpose(flow),
        joint,
        ctx.subjects(flow),
        ctx.categories(flow),
        "" if received else _recipients(ctx, flow),
        ctx.contracts(flow) if flow.role in _PROCESSING and not received else "",
        ctx.third_countries(transfers),
        ctx.safeguards(flow, transfers) if not received else "",
        ctx.retention(flow),
        _security(ctx, activity),
        basis,
        _art9(ctx, flow, special),
        interests,
        "",
        ctx.rights(flow),
        "",
        source,
        "",
        ctx.countries(ctx.locations(flow)),
        "", "", "", "", "", "",
        basis if special else "",
        "", "", "",
    ]  # fmt: skip


def _trace(ctx: Lookups, flow: FlowRecord) -> list[Any]:
    return [
        ctx.name(flow.source),
        ctx.name(flow.target),
        ctx.label(Role, flow.role),
        flow.reference,
        flow.started_on,
    ]


def controller_activities(ctx: Lookups) -> dict[str, list[Activity]]:
    """Each group company acting as a controller on some flow, the own company first and
    then by name, with its activities by purpose and counterpart: the flows it sends
    (sub-processing apart, which is the processors' record) and those it receives as a
    controller or joint controller."""
    found: dict[str, list[Activity]] = {}
    for flow in ctx.flows:
        source, target = ctx.party(flow.source), ctx.party(flow.target)
        if source is not None and source.relationship in _GROUP and flow.role != Role.SUBPROCESSOR:
            found.setdefault(flow.source, []).append(Activity(flow.source, flow))
        if target is not None and target.relationship in _GROUP and flow.role in _CONTROLLING:
            found.setdefault(flow.target, []).append(Activity(flow.target, flow, received=True))

    def other(a: Activity) -> str:
        return ctx.name(a.flow.source if a.received else a.flow.target)

    for activities in found.values():
        activities.sort(
            key=lambda a: (ctx.business_function(a.flow), ctx.purpose(a.flow), a.received,
                           other(a), a.flow.reference)
        )  # fmt: skip

    def order(slug: str) -> tuple[bool, str, str]:
        party = ctx.party(slug)
        return (party is None or party.relationship != Relationship.OWN, ctx.name(slug), slug)

    return {slug: found[slug] for slug in sorted(found, key=order)}


def controller_sheets(
    data: ReportInput, progress: Progress = no_progress
) -> list[tuple[str, Table]]:
    """GDPR Art. 30(1): one table for each controller (slug, table), with the ICO
    template's columns and traceability columns after them."""
    ctx = Lookups(data)
    found = controller_activities(ctx)
    meter = Meter(sum(len(a) for a in found.values()), progress)

    def rows(activities: list[Activity]) -> Iterator[list[Any]]:
        for activity in meter.each(activities):
            yield [*_controller_values(ctx, activity), *_trace(ctx, activity.flow)]

    return [
        (slug, Table([*CONTROLLER_COLUMNS, *TRACE], rows(activities)))
        for slug, activities in found.items()
    ]


def controller_record(data: ReportInput, progress: Progress = no_progress) -> Table:
    """The controller record as one table (the CSV): each controller's rows in turn, a
    Controller column first."""
    ctx = Lookups(data)
    found = controller_activities(ctx)
    meter = Meter(sum(len(a) for a in found.values()), progress)

    def rows() -> Iterator[list[Any]]:
        for slug, activities in found.items():
            lead = ctx.contact(slug)
            for activity in meter.each(activities):
                values = _controller_values(ctx, activity)
                yield [lead, *values, *_trace(ctx, activity.flow)]

    return Table([CONTROLLER_LEAD, *CONTROLLER_COLUMNS, *TRACE], rows())


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

    chosen = [f for f in ctx.flows if f.role in _PROCESSING]
    chosen.sort(key=lambda f: (ctx.contact(f.target), controllers(f), f.reference))

    def processing(flow: FlowRecord) -> str:
        subjects = ctx.data.subjects.get(flow.id, ())
        about = f" (data subjects: {', '.join(subjects)})" if subjects else ""
        return f"{ctx.purpose(flow)}: {ctx.categories(flow)}{about}"

    def row(flow: FlowRecord) -> list[Any]:
        transfers = ctx.transfers(flow)
        values = [
            controllers(flow),
            NOT_RECORDED,
            processing(flow),
            ctx.third_countries(transfers),
            ctx.safeguards(flow, transfers),
            ctx.security(flow.target) or NOT_RECORDED,
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
