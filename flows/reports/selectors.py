"""What the registers are built from: the register as records on a date, plus the contacts,
data subjects, findings and decisions that the records leave out. Few, fixed queries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import date
from typing import Any

from django.utils import timezone
from django_countries import countries as country_names

from flows.findings import findings_as_of
from flows.models import Flow
from flows.reports import lookups, pack, registers, writing
from flows.reports.picture import register_picture
from flows.reviews.selectors import reviewed_findings
from registry.choices import Relationship
from registry.models import Agreement, Party
from registry.web.progress import Progress, no_progress

KINDS = ("controller", "processor", "pack")


def report_input(*, as_of: date, with_findings: bool = False) -> lookups.ReportInput:
    register, findings = findings_as_of(as_of)
    contacts = dict(Party.objects.exclude(contact_email="").values_list("slug", "contact_email"))
    security = dict(
        Party.objects.exclude(security_measures="").values_list("slug", "security_measures")
    )
    retention = dict(Flow.objects.exclude(retention="").values_list("id", "retention"))
    titles = dict(Agreement.objects.exclude(title="").values_list("reference", "title"))
    subjects: dict[int, list[str]] = defaultdict(list)
    for flow_id, name in Flow.data_subjects.through.objects.values_list(
        "flow_id", "datasubject__name"
    ).order_by("flow_id", "datasubject__name"):
        subjects[flow_id].append(name)
    decisions: dict[tuple[str, int], dict[str, Any]] = {}
    if with_findings:
        for item in reviewed_findings(register, findings, as_of):
            entry: dict[str, Any] = {"state_label": item.state_label}
            if item.decision is not None:
                d = item.decision
                entry.update(
                    decision=d.decision,
                    reason=d.reason,
                    decided_by=d.decided_by_name or d.decided_by,
                    decided_at=timezone.localtime(d.decided_at),
                    review_by=d.review_by,
                    assignee=d.assignee_name or d.assignee,
                )
            decisions[item.key] = entry
    return lookups.ReportInput(
        register=register,
        as_of=as_of,
        contacts=contacts,
        subjects=dict(subjects),
        retention=retention,
        security=security,
        agreement_titles=titles,
        findings=findings if with_findings else (),
        decisions=decisions,
    )


_SHEET_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})


def sheet_titles(names: list[str]) -> list[str]:
    """Names as spreadsheet sheet titles: at most 31 characters, none of []:*?/\\, each
    distinct (a number after those that would repeat one)."""
    titles: list[str] = []
    taken: set[str] = set()
    for name in names:
        stem = " ".join(name.translate(_SHEET_FORBIDDEN).split())[:31] or "Controller"
        title, n = stem, 1
        while title.lower() in taken:
            n += 1
            suffix = f" ({n})"
            title = stem[: 31 - len(suffix)] + suffix
        taken.add(title.lower())
        titles.append(title)
    return titles


def _contact_block(
    data: lookups.ReportInput, title: str, slug: str | None, role: str
) -> list[tuple[str, Any]]:
    """The template's block above the table (Art. 30(1)(a), 30(2)(a)): who keeps the
    record and how to reach them."""
    party = data.register.parties.get(slug or "")
    name = (party.legal_name or party.name) if party else lookups.NOT_RECORDED
    email = data.contacts.get(party.slug, "") if party else ""
    country = str(country_names.name(party.country)) if party else ""
    return [
        (title, ""),
        (role, name),
        ("Country", country or lookups.NOT_RECORDED),
        ("Email", email or lookups.NOT_RECORDED),
        ("Data Protection Officer", lookups.NOT_RECORDED),
        ("Representative", lookups.NOT_RECORDED),
        ("As of", data.as_of),
    ]


def _own(data: lookups.ReportInput) -> str | None:
    return next(
        (p.slug for p in data.register.parties.values() if p.relationship == Relationship.OWN),
        None,
    )


def _controller_report(data: lookups.ReportInput, progress: Progress) -> writing.Report:
    sheets = registers.controller_sheets(data, progress)
    parties = data.register.parties
    titles = sheet_titles([parties[slug].name for slug, _ in sheets])
    heading = "Record of processing activities: controller (GDPR Art. 30(1))"
    return writing.Report(
        {title: table for title, (_, table) in zip(titles, sheets, strict=True)},
        {
            title: _contact_block(data, heading, slug, "Controller")
            for title, (slug, _) in zip(titles, sheets, strict=True)
        },
        flat=registers.controller_record(data, progress),
    )


def build_register(*, kind: str, as_of: date, progress: Progress = no_progress) -> writing.Report:
    """A register ready to be written once: controller, processor, or the review pack.

    The rows are generated while the report is written; `progress` hears how far that got.
    """
    if kind not in KINDS:
        raise ValueError(f"Unknown register '{kind}'; choose one of {', '.join(KINDS)}.")
    data = report_input(as_of=as_of, with_findings=kind == "pack")
    if kind == "controller":
        return _controller_report(data, progress)
    if kind == "processor":
        title = "Record of processing activities: processors (GDPR Art. 30(2))"
        return writing.Report(
            {"Processors": registers.processor_record(data, progress)},
            {"Processors": _contact_block(data, title, _own(data), "Register kept by")},
        )
    generated = timezone.localtime().replace(microsecond=0)

    def about(counts: Mapping[str, int]) -> writing.Table:
        return writing.Table(
            ["Item", "Value"],
            [
                ("Review pack as of", as_of.isoformat()),
                ("Generated", generated.strftime("%Y-%m-%d %H:%M %Z")),
                ("Findings", counts["Findings"]),
                ("Flows", counts["Flows"]),
                ("Agreements", counts["Agreements"]),
                ("Cross-border transfers", counts["Transfers"]),
                ("Parties", counts["Parties"]),
                (
                    "Note",
                    "Findings are computed from the register for the date; decisions are the "
                    "latest on each finding, with their state today against the facts now. "
                    "Not legal advice.",
                ),
            ],
        )

    return writing.Report(
        pack.review_pack(data, progress),
        summary=("About", about),
        images={"Diagram": register_picture(data)},
    )
