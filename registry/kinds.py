"""Parties and agreements as import kinds: their columns, and the rules of their models
called on each row (registry.apps registers both kinds)."""

from __future__ import annotations

from collections import Counter
from functools import partial
from typing import Any

from registry.choices import AgreementKind as AgreementKindChoice
from registry.choices import PartyStatus, Relationship, SubprocessorAuthorisation
from registry.importing import cells as cell
from registry.importing.engine import Column, ImportReport, Kind, Progress, Row
from registry.importing.tabular import Table
from registry.models import (
    PUBLISHED_RELATIONSHIPS,
    Agreement,
    Party,
    agreement_parties_problems,
    agreement_problems,
    ancestry_problems,
    own_company_problems,
    party_problems,
    reserved_key_problems,
)


class PartyKind(Kind):
    name = "parties"
    model = Party
    key = "slug"
    lookups = {"party": ("registry.Party", "slug")}
    self_ref = "party"
    columns = (
        Column("slug", cell.slug(100), required=True),
        Column("name", cell.text(200), required=True),
        Column("legal_name", cell.text(300)),
        Column("relationship", cell.choice(Relationship, "relationship"), required=True),
        Column("country", cell.country, required=True),
        Column("processing_countries", cell.countries),
        Column("parent", ref="party"),
        Column("engaged_by", ref="party"),
        Column("website", cell.url),
        Column("contact_email", cell.email),
        Column("dpf_certified_until", cell.iso_date, default=None),
        Column("pci_attested_on", cell.iso_date, default=None),
        # A party brought in from a spreadsheet is a known vendor, as in party_upsert; but a
        # processor or sub-processor it marks approved is held back as submitted (held_back).
        Column("status", cell.choice(PartyStatus, "status"), default=PartyStatus.APPROVED),
        Column("notes", cell.text(10_000)),
        Column("security_measures", cell.text(10_000)),
    )

    def __init__(self) -> None:
        super().__init__()
        self.held: Counter[str] = Counter()

    def merge(self, rows: list[Row]) -> None:
        super().merge(rows)
        for row in rows:
            if row.final:
                self.held_back(row)

    def held_back(self, row: Row) -> None:
        """An import cannot publish (GDPR Art. 28(2): customers are told before a processor
        is added, and a reviewer decides): a processor or sub-processor the file marks
        approved arrives as submitted, for a reviewer to approve for the public list.
        Approved stays approved for parties no publication is about, and for a party already
        approved as a processor or sub-processor (the row leaves its status as it is)."""
        final, before = row.final, self.existing.get(row.key)
        if final["status"] != PartyStatus.APPROVED:
            return
        if final["relationship"] not in PUBLISHED_RELATIONSHIPS:
            return
        if (
            before is not None
            and before["status"] == PartyStatus.APPROVED
            and before["relationship"] in PUBLISHED_RELATIONSHIPS
        ):
            return
        final["status"] = PartyStatus.SUBMITTED
        if before is None or before["status"] != PartyStatus.SUBMITTED:
            row.changed.add("status")
        else:
            row.changed.discard("status")
        self.held[final["relationship"]] += 1

    def run(
        self,
        table: Table,
        *,
        dry_run: bool = False,
        progress: Progress | None = None,
        user: Any = None,
    ) -> ImportReport:
        report = super().run(table, dry_run=dry_run, progress=progress, user=user)
        if report.ok and self.held:
            report.warnings.append(held_back_message(self.held, dry_run=report.dry_run))
        return report

    def check_row(self, row: Row) -> None:
        final = row.final
        self.report(
            row,
            party_problems(
                key=row.key, relationship=final["relationship"], engaged_by=final["engaged_by"]
            ),
        )
        if row.key not in self.existing:
            self.report(row, reserved_key_problems(field="slug", key=row.key, noun="party"))

    def check_rows(self, rows: list[Row]) -> None:
        self.check_parent_cycles(rows, partial(ancestry_problems, noun="party"))
        relationship = {key: values["relationship"] for key, values in self.existing.items()}
        for row in rows:
            if row.final:
                relationship[row.key] = row.final["relationship"]
        owners = [k for k, r in relationship.items() if r == Relationship.OWN]
        for row in rows:
            if row.final:
                problems = own_company_problems(
                    key=row.key, relationship=row.final["relationship"], owners=owners
                )
                self.report(row, problems)


class AgreementKind(Kind):
    name = "agreements"
    model = Agreement
    key = "reference"
    lookups = {"party": ("registry.Party", "slug"), "category": ("flows.DataCategory", "key")}
    ref_names = {"category": "data category"}
    columns = (
        Column("reference", cell.slug(100), required=True),
        Column("title", cell.text(300)),
        Column("kind", cell.choice(AgreementKindChoice, "agreement kind"), required=True),
        Column("parties", ref="party", many=True, required=True),
        Column("signed_on", cell.iso_date, default=None),
        Column("effective_on", cell.iso_date, default=None),
        Column("expires_on", cell.iso_date, default=None),
        Column("terminated_on", cell.iso_date, default=None),
        Column("categories", ref="category", many=True),
        Column("flowdown", cell.boolean, default=False),
        Column(
            "subprocessor_authorisation",
            cell.choice(SubprocessorAuthorisation, "sub-processor authorisation"),
            default=SubprocessorAuthorisation.NONE,
        ),
        Column("notes", cell.text(10_000)),
    )

    def check_row(self, row: Row) -> None:
        f = row.final
        if row.key not in self.existing:
            self.report(
                row, reserved_key_problems(field="reference", key=row.key, noun="agreement")
            )
        if not self.has_error(row, "parties"):  # an unknown party is reported already
            self.report(row, agreement_parties_problems(f["parties"]))
        problems = agreement_problems(
            signed_on=f["signed_on"],
            effective_on=f["effective_on"],
            expires_on=f["expires_on"],
            terminated_on=f["terminated_on"],
        )
        self.report(row, problems)


def held_back_message(held: Counter[str], *, dry_run: bool = False) -> str:
    """'3 processors arrived as submitted: a reviewer approves them for the public list.'"""
    nouns = {Relationship.PROCESSOR: "processor", Relationship.SUBPROCESSOR: "sub-processor"}
    parts = [f"{held[r]} {nouns[r]}{'s' if held[r] != 1 else ''}" for r in nouns if held.get(r)]
    total = sum(held.values())
    verb = "would arrive" if dry_run else "arrived"
    return (
        f"{' and '.join(parts)} {verb} as submitted: a reviewer approves "
        f"{'them' if total != 1 else 'it'} for the public list (Sub-processor decisions, "
        "/subprocessors/decisions/)."
    )
