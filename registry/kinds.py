"""Parties and agreements as import kinds: their columns, and the rules of their models
called on each row (registry.apps registers both kinds)."""

from __future__ import annotations

from functools import partial

from registry.choices import AgreementKind as AgreementKindChoice
from registry.choices import PartyStatus, Relationship, SubprocessorAuthorisation
from registry.importing import cells as cell
from registry.importing.engine import Column, Kind, Row
from registry.models import (
    Agreement,
    Party,
    agreement_parties_problems,
    agreement_problems,
    ancestry_problems,
    own_company_problems,
    party_problems,
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
        # A party brought in from a spreadsheet is a known vendor, as in party_upsert.
        Column("status", cell.choice(PartyStatus, "status"), default=PartyStatus.APPROVED),
        Column("notes", cell.text(10_000)),
    )

    def check_row(self, row: Row) -> None:
        final = row.final
        self.report(
            row,
            party_problems(
                key=row.key, relationship=final["relationship"], engaged_by=final["engaged_by"]
            ),
        )

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
        if not self.has_error(row, "parties"):  # an unknown party is reported already
            self.report(row, agreement_parties_problems(f["parties"]))
        problems = agreement_problems(
            signed_on=f["signed_on"],
            effective_on=f["effective_on"],
            expires_on=f["expires_on"],
            terminated_on=f["terminated_on"],
        )
        self.report(row, problems)
