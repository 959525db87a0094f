"""Parties, agreements and engagements as import kinds: their columns, and the rules of
their models called on each row (registry.apps registers the kinds)."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from functools import partial
from typing import Any

from django.db import models

from registry.choices import AgreementKind as AgreementKindChoice
from registry.choices import (
    EngagementEvidence,
    PartyStatus,
    Relationship,
    SubprocessorAuthorisation,
)
from registry.engagements import (
    ENGAGEMENT_FIELDS,
    engagement_create,
    engagement_record,
    engagement_update,
)
from registry.importing import cells as cell
from registry.importing.engine import Column, ImportReport, Kind, Progress, Row
from registry.importing.tabular import Table, escape_formula
from registry.models import (
    PUBLISHED_RELATIONSHIPS,
    Agreement,
    Engagement,
    Party,
    agreement_parties_problems,
    agreement_problems,
    amendment_problems,
    ancestry_problems,
    engagement_problems,
    own_company_problems,
    reserved_key_problems,
)


class PartyKind(Kind):
    name = "parties"
    model = Party
    key = "slug"
    lookups = {"party": ("registry.Party", "slug")}
    self_ref = "party"
    apart = frozenset({"engaged_by"})
    columns = (
        Column("slug", cell.slug(100), required=True),
        Column("name", cell.text(200), required=True),
        Column("legal_name", cell.text(300)),
        Column("relationship", cell.choice(Relationship, "relationship"), required=True),
        Column("country", cell.country, required=True),
        Column("processing_countries", cell.countries),
        Column("parent", ref="party"),
        # Not a field: the processors engaging the party (open engagements), `;`-separated;
        # a processor the file adds records an engagement (registry.engagements).
        Column("engaged_by", ref="party", many=True),
        Column("website", cell.url),
        Column("contact_email", cell.email),
        Column("dpf_certified_until", cell.iso_date, default=None),
        Column("dpf_uk_certified_until", cell.iso_date, default=None),
        Column("dpf_swiss_certified_until", cell.iso_date, default=None),
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

    def load(self) -> None:
        super().load()
        engaging = _open_engagers(None)
        for values in self.existing.values():
            values["engaged_by"] = frozenset(engaging.get(values["id"], ()))

    def merge(self, rows: list[Row]) -> None:
        # `engaged_by` adds processors: one the file leaves out still engages the party (an
        # engagement ends through the engagements kind or its page, with a date).
        for row in rows:
            before = self.existing.get(row.key)
            added = row.values.get("engaged_by")
            if before is not None and added is not None:
                row.values["engaged_by"] = added | before["engaged_by"]
        super().merge(rows)
        for row in rows:
            if row.final:
                self.held_back(row)

    def write(self, rows: list[Row], progress: Progress | None, user: Any = None) -> None:
        super().write(rows, progress, user)
        wanted = [
            (processor, row.key)
            for row in rows
            if "engaged_by" in row.changed
            for processor in sorted(
                row.final["engaged_by"] - self.existing.get(row.key, {}).get("engaged_by", set())
            )
        ]
        if not wanted:
            return
        slugs = {slug for pair in wanted for slug in pair}
        parties = Party.objects.in_bulk(list(slugs), field_name="slug")
        for processor, subprocessor in wanted:
            engagement_record(
                processor=parties[processor],
                subprocessor=parties[subprocessor],
                notice_source=ENGAGED_BY_COLUMN,
                user=user,
            )

    @classmethod
    def apart_cells(cls, column: Column, queryset: models.QuerySet[Any] | None) -> dict[Any, str]:
        """The processors of each party's open engagements, by slug, `;`-separated."""
        return {
            pk: escape_formula(";".join(slugs)) for pk, slugs in _open_engagers(queryset).items()
        }

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
        if row.key in final["engaged_by"]:
            problems = engagement_problems(processor=row.key, subprocessor=row.key)
            self.report(row, [replace(p, field="engaged_by") for p in problems])
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
    lookups = {
        "party": ("registry.Party", "slug"),
        "category": ("flows.DataCategory", "key"),
        "agreement": ("registry.Agreement", "reference"),
    }
    self_ref = "agreement"
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
        Column("objection_days", cell.days, default=30),
        Column("amends", ref="agreement"),
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

    def check_rows(self, rows: list[Row]) -> None:
        """A UK Addendum amends SCCs 2021 binding its parties, in the register or in the
        file (a row may name SCCs that another row of the same file adds or changes)."""
        kinds = {key: values["kind"] for key, values in self.existing.items()}
        parties = {key: values["parties"] for key, values in self.existing.items()}
        for row in rows:
            if row.final:
                kinds[row.key], parties[row.key] = row.final["kind"], row.final["parties"]
        for row in rows:
            amends = row.final.get("amends") if row.final else None
            if amends and not self.has_error(row, "parties"):
                problems = amendment_problems(
                    kind=row.final["kind"],
                    amends=amends,
                    amends_kind=kinds.get(amends),
                    parties=row.final["parties"],
                    amends_parties=parties.get(amends, frozenset()),
                )
                self.report(row, problems)


ENGAGED_BY_COLUMN = "Parties import (column engaged_by)"
"""The notice source of an engagement recorded by the parties kind's `engaged_by` column."""


def _open_engagers(parties: models.QuerySet[Any] | None) -> dict[int, list[str]]:
    """Party id -> the slugs of the processors of its open engagements, in slug order (one
    query); of the parties of `parties` when given."""
    engagements = Engagement.objects.filter(ended_on__isnull=True)
    if parties is not None:
        engagements = engagements.filter(subprocessor__in=parties.values("pk"))
    found: dict[int, list[str]] = {}
    rows = engagements.order_by("processor__slug").values_list("subprocessor_id", "processor__slug")
    for party, slug in rows:
        found.setdefault(party, []).append(slug)
    return found


def _engagement_key(processor: str, subprocessor: str, ended_on: Any) -> str:
    """An engagement's key in an import: its pair, and its end once it ended (a pair has
    one open engagement at a time, and ended ones on record)."""
    key = f"{processor} → {subprocessor}"
    return f"{key}, ended {ended_on.isoformat()}" if ended_on else key


class EngagementKind(Kind):
    """Engagements of sub-processors by processors. A row without `ended_on` is the open
    engagement of its pair (created or brought up to date); a row with one ends the open
    engagement, or is the ended engagement with that end date."""

    name = "engagements"
    model = Engagement
    key = "processor"
    lookups = {"party": ("registry.Party", "slug")}
    order = ("processor__slug", "subprocessor__slug", "ended_on", "id")
    columns = (
        Column("processor", ref="party", required=True),
        Column("subprocessor", ref="party", required=True),
        Column("noticed_on", cell.iso_date, default=None),
        Column("notice_source", cell.text(500)),
        Column("objected_on", cell.iso_date, default=None),
        Column("objection", cell.text(10_000)),
        Column("authorised_on", cell.iso_date, default=None),
        Column("evidence", cell.choice(EngagementEvidence, "evidence")),
        Column("evidenced_on", cell.iso_date, default=None),
        Column("ended_on", cell.iso_date, default=None),
        Column("notes", cell.text(10_000)),
    )

    def load(self) -> None:
        self.keys["party"] = dict(Party.objects.values_list("slug", "pk"))
        slug_by_pk = {pk: slug for slug, pk in self.keys["party"].items()}
        rows = Engagement.objects.order_by("id").values(
            "id", "processor_id", "subprocessor_id", *ENGAGEMENT_FIELDS
        )
        for values in rows:
            values["processor"] = slug_by_pk[values["processor_id"]]
            values["subprocessor"] = slug_by_pk[values["subprocessor_id"]]
            key = _engagement_key(values["processor"], values["subprocessor"], values["ended_on"])
            self.existing[key] = values

    def row_key(self, line: int, values: dict[str, Any]) -> str | None:
        processor, subprocessor = values.get("processor"), values.get("subprocessor")
        if not processor or not subprocessor:
            return None  # an error says why
        open_key = _engagement_key(processor, subprocessor, None)
        ended = values.get("ended_on")
        if ended:
            ended_key = _engagement_key(processor, subprocessor, ended)
            if ended_key in self.existing or open_key not in self.existing:
                return ended_key
        return open_key

    def check_row(self, row: Row) -> None:
        f = row.final
        problems = engagement_problems(
            processor=f["processor"],
            subprocessor=f["subprocessor"],
            noticed_on=f["noticed_on"],
            ended_on=f["ended_on"],
        )
        self.report(row, problems)

    def write(self, rows: list[Row], progress: Progress | None, user: Any = None) -> None:
        """Through the services, row by row (engagements are few): each keeps its history
        and its findings current. Changes first, so that an engagement a row ends frees its
        pair before another row opens one."""
        slugs = {row.final[side] for row in rows for side in ("processor", "subprocessor")}
        parties = Party.objects.in_bulk(list(slugs), field_name="slug")
        changed = [r for r in rows if not r.is_new]
        by_pk = Engagement.objects.in_bulk([self.existing[r.key]["id"] for r in changed])
        for row in [*changed, *(r for r in rows if r.is_new)]:
            fields = {name: row.final[name] for name in ENGAGEMENT_FIELDS}
            if row.is_new:
                engagement_create(
                    processor=parties[row.final["processor"]],
                    subprocessor=parties[row.final["subprocessor"]],
                    user=user,
                    **fields,
                )
            else:
                engagement = by_pk[self.existing[row.key]["id"]]
                engagement_update(engagement=engagement, user=user, **fields)


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
