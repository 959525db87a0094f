"""Parties and agreements as import kinds: their columns and the rules of their models."""

from __future__ import annotations

from registry.choices import AgreementKind as AgreementKindChoice
from registry.choices import PartyStatus, Relationship, SubprocessorAuthorisation
from registry.importing import cells as cell
from registry.importing.engine import Column, Kind, Row
from registry.models import Agreement, Party


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
        if final["relationship"] == Relationship.SUBPROCESSOR and not final["engaged_by"]:
            self.error(
                row.line, "engaged_by", "",
                "a sub-processor must name the processor that engaged it (column engaged_by)",
            )  # fmt: skip
        if final["engaged_by"] == row.key:
            self.error(row.line, "engaged_by", row.key, "a party cannot engage itself")

    def check_rows(self, rows: list[Row]) -> None:
        self.check_parent_cycles(rows, "a party")
        relationship = {key: values["relationship"] for key, values in self.existing.items()}
        for row in rows:
            if row.final:
                relationship[row.key] = row.final["relationship"]
        owners = sorted(k for k, r in relationship.items() if r == Relationship.OWN)
        if len(owners) > 1:
            for row in rows:
                if row.final and row.final["relationship"] == Relationship.OWN:
                    others = ", ".join(f"'{k}'" for k in owners if k != row.key)
                    self.error(
                        row.line, "relationship", "own",
                        f"there can be only one own company; {others} is one too",
                    )  # fmt: skip


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
        named_unknown = any(e.line == row.line and e.column == "parties" for e in self.errors)
        if len(f["parties"]) < 2 and not named_unknown:
            self.error(
                row.line, "parties", ";".join(sorted(f["parties"])),
                "an agreement binds two or more parties; list them separated by ';'",
            )  # fmt: skip
        if f["signed_on"] is None and f["effective_on"] is None:
            self.error(
                row.line, "signed_on", "",
                "an agreement needs a signature date (signed_on) or an effective date",
            )  # fmt: skip
        ends = (
            ("expires_on", "effective_on", "expire before it takes effect"),
            ("expires_on", "signed_on", "expire before it is signed"),
            ("terminated_on", "signed_on", "end before it is signed"),
        )
        for later, earlier, what in ends:
            if f[later] and f[earlier] and f[later] < f[earlier]:
                self.error(
                    row.line, later, f[later].isoformat(),
                    f"an agreement cannot {what} ({later} {f[later]} is before "
                    f"{earlier} {f[earlier]})",
                )  # fmt: skip
