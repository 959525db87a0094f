"""What the registers are built from: the register as records on a date, plus the contacts,
data subjects, findings and decisions that the records leave out. Few, fixed queries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import date
from typing import Any

from django.utils import timezone

from flows.findings import findings_as_of
from flows.models import Flow
from flows.reports import pack, writing
from flows.reports import registers as reports
from flows.reviews.selectors import reviewed_findings
from registry.choices import Relationship
from registry.models import Party
from registry.web.progress import Progress, no_progress

KINDS = ("controller", "processor", "pack")


def report_input(*, as_of: date, with_findings: bool = False) -> reports.ReportInput:
    register, findings = findings_as_of(as_of)
    contacts = dict(Party.objects.exclude(contact_email="").values_list("slug", "contact_email"))
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
                    decided_by=d.decided_by,
                    decided_at=timezone.localtime(d.decided_at),
                    review_by=d.review_by,
                    assignee=d.assignee,
                )
            decisions[item.key] = entry
    return reports.ReportInput(
        register=register,
        as_of=as_of,
        contacts=contacts,
        subjects=dict(subjects),
        findings=findings if with_findings else (),
        decisions=decisions,
    )


def _own_block(data: reports.ReportInput, title: str) -> list[tuple[str, Any]]:
    own = next(
        (p for p in data.register.parties.values() if p.relationship == Relationship.OWN), None
    )
    name = (own.legal_name or own.name) if own else reports.NOT_RECORDED
    email = data.contacts.get(own.slug, "") if own else ""
    return [
        (title, ""),
        ("Organisation", name),
        ("Email", email or reports.NOT_RECORDED),
        ("Data Protection Officer", reports.NOT_RECORDED),
        ("Representative", reports.NOT_RECORDED),
        ("As of", data.as_of),
    ]


def build_register(*, kind: str, as_of: date, progress: Progress = no_progress) -> writing.Report:
    """A register ready to be written once: controller, processor, or the review pack.

    The rows are generated while the report is written; `progress` hears how far that got.
    """
    if kind not in KINDS:
        raise ValueError(f"Unknown register '{kind}'; choose one of {', '.join(KINDS)}.")
    data = report_input(as_of=as_of, with_findings=kind == "pack")
    if kind == "controller":
        title = "Record of processing activities: controller (GDPR Art. 30(1))"
        return writing.Report(
            {"Template": reports.controller_record(data, progress)},
            {"Template": _own_block(data, title)},
        )
    if kind == "processor":
        title = "Record of processing activities: processors (GDPR Art. 30(2))"
        return writing.Report(
            {"Template": reports.processor_record(data, progress)},
            {"Template": _own_block(data, title)},
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

    return writing.Report(pack.review_pack(data, progress), summary=("About", about))
