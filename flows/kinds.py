"""Flows, data categories and purposes as import kinds: their columns, and the rules of their
models called on each row (flows.apps registers the three kinds).

A flow's natural key is its `reference`. Files written by people rarely have one, so when
the column is absent or empty the reference is derived from the source, target, purpose and
categories: importing the same file twice finds the same flows.
"""

from __future__ import annotations

import hashlib
from functools import partial
from typing import Any

from django.utils.text import slugify

from flows.choices import Art9Condition, LawfulBasis, Role, TransferMechanism
from flows.models import (
    DataCategory,
    DataSubject,
    Flow,
    Purpose,
    flow_categories_problems,
    flow_problems,
)
from registry.importing import cells as cell
from registry.importing.engine import Column, Kind, Row
from registry.importing.tabular import Table
from registry.models import ancestry_problems

PROPOSED_IGNORED = (
    "Column 'proposed' was ignored, like any column the flows import does not know: imported "
    "flows are live and checked by the rules. A flow is proposed only by an onboarding or an "
    "edit page, until a reviewer decides."
)


def flow_reference(source: str, target: str, purpose: str, categories: Any) -> str:
    """A stable reference for a flow named only by what it is."""
    parts = [source, target, purpose, *sorted(categories)]
    digest = hashlib.sha1("|".join(parts).encode()).hexdigest()[:10]
    return f"{slugify(f'{source} {target} {purpose}')[:180]}-{digest}"


class FlowKind(Kind):
    name = "flows"
    model = Flow
    key = "reference"
    lookups = {
        "party": ("registry.Party", "slug"),
        "category": ("flows.DataCategory", "key"),
        "purpose": ("flows.Purpose", "key"),
        "agreement": ("registry.Agreement", "reference"),
        "data subject": ("flows.DataSubject", "key"),
    }
    ref_names = {"category": "data category"}
    columns = (
        Column("reference", cell.slug(200)),
        Column("source", ref="party", required=True),
        Column("target", ref="party", required=True),
        Column("categories", ref="category", many=True, required=True),
        Column("purpose", ref="purpose", required=True),
        Column("role", cell.choice(Role, "role"), required=True),
        Column("lawful_basis", cell.choice(LawfulBasis, "lawful basis")),
        Column("art9_condition", cell.choice(Art9Condition, "Art. 9 condition")),
        Column("processing_countries", cell.countries),
        Column("transfer_mechanism", cell.choice(TransferMechanism, "transfer mechanism")),
        Column("transfer_agreement", ref="agreement"),
        Column("tia_on", cell.iso_date, default=None),
        Column("started_on", cell.iso_date, required=True, default=None),
        Column("ended_on", cell.iso_date, default=None),
        Column("description", cell.text(10_000)),
        Column("data_subjects", ref="data subject", many=True),
        Column("retention", cell.text(200)),
        Column("derogation_justification", cell.text(10_000)),
        Column("art10_authority", cell.text(300)),
    )

    def load(self) -> None:
        super().load()
        # People write "Customer; Employee" rather than the taxonomy's keys: a data subject
        # is read by its key or by its name, in any case, and kept as its key.
        self.subject_keys = {
            name.lower(): key
            for key, name in DataSubject.objects.values_list("key", "name")
            if name
        }

    def read_cell(self, line: int, column: Column, raw: str) -> Any:
        if column.name == "data_subjects" and raw:
            known = self.keys["data subject"]
            raw = ";".join(
                part if part in known else self.subject_keys.get(part.lower(), part)
                for part in cell.split_list(raw)
            )
        return super().read_cell(line, column, raw)

    def check_header(self, table: Table, warnings: list[str]) -> bool:
        # A proposed flow is outside the rules until a reviewer decides, so only the
        # onboarding and the edit pages propose one; a file cannot hide a live flow.
        ok = super().check_header(table, warnings)
        if "proposed" in table.header:
            warnings[:] = [w for w in warnings if not w.startswith("Column 'proposed' ")]
            warnings.append(PROPOSED_IGNORED)
        return ok

    def row_key(self, line: int, values: dict[str, Any]) -> str | None:
        if values.get("reference"):
            return values["reference"]
        source, target, purpose, categories = (
            values.get(n) for n in ("source", "target", "purpose", "categories")
        )
        if not (source and target and purpose and categories):
            return f"line-{line}"  # an error is already recorded; keep checking the row
        return flow_reference(source, target, purpose, categories)

    def check_row(self, row: Row) -> None:
        f = row.final
        problems = flow_problems(
            source=f["source"],
            target=f["target"],
            started_on=f["started_on"],
            ended_on=f["ended_on"],
        )
        self.report(row, problems)
        if not self.has_error(row, "categories"):  # an unknown category is reported already
            self.report(row, flow_categories_problems(f["categories"]))

    def merge(self, rows: list[Row]) -> None:
        # Two identical rows without a reference derive the same one: say what to do.
        seen: dict[str, int] = {}
        for row in rows:
            if "reference" not in row.values or not row.values["reference"]:
                if row.key in seen:
                    self.error(
                        row.line, "reference", "",
                        f"the same flow (source, target, purpose, categories) is already on "
                        f"line {seen[row.key]}; give each a distinct reference",
                    )  # fmt: skip
                    row.key = f"line-{row.line}"
                seen.setdefault(row.key, row.line)
        super().merge(rows)


class CategoryKind(Kind):
    name = "categories"
    model = DataCategory
    key = "key"
    lookups = {"category": ("flows.DataCategory", "key")}
    self_ref = "category"
    ref_names = {"category": "data category"}
    columns = (
        Column("key", cell.text(200), required=True),
        Column("name", cell.text(200), required=True),
        Column("description", cell.text(10_000)),
        Column("parent", ref="category"),
        Column("special_category", cell.boolean, default=False),
        Column("criminal", cell.boolean, default=False),
        Column("children", cell.boolean, default=False),
        Column("payment_card", cell.boolean, default=False),
        Column("credentials", cell.boolean, default=False),
    )

    def check_rows(self, rows: list[Row]) -> None:
        self.check_parent_cycles(rows, partial(ancestry_problems, noun="data category"))


class PurposeKind(Kind):
    name = "purposes"
    model = Purpose
    key = "key"
    lookups = {"purpose": ("flows.Purpose", "key")}
    self_ref = "purpose"
    columns = (
        Column("key", cell.text(200), required=True),
        Column("name", cell.text(200), required=True),
        Column("description", cell.text(10_000)),
        Column("parent", ref="purpose"),
        Column("sale_or_share", cell.boolean, default=False),
    )

    def check_rows(self, rows: list[Row]) -> None:
        self.check_parent_cycles(rows, partial(ancestry_problems, noun="purpose"))
