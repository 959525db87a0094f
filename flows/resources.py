"""django-import-export resources for flows, data categories and purposes.

Columns as in DESIGN.md ("Import columns") plus `reference` (the flow's natural key, derived
from source, target, purpose and categories when a file has none), `description`,
`data_subjects` and `proposed`, so that an export imports back exactly.
"""

from __future__ import annotations

from typing import Any

from import_export import fields

from flows.kinds import flow_reference
from flows.models import DataCategory, DataSubject, Flow, Purpose
from registry.importing.cells import split_list
from registry.models import Agreement, Party
from registry.resources import (
    CountriesWidget,
    RegisterResource,
    date_field,
    flag_field,
    ref_field,
    refs_field,
)


class FlowResource(RegisterResource):
    kind = "flows"
    source = ref_field("source", Party, "slug")
    target = ref_field("target", Party, "slug")
    categories = refs_field("categories", DataCategory, "key")
    purpose = ref_field("purpose", Purpose, "key")
    processing_countries = fields.Field(
        attribute="processing_countries",
        column_name="processing_countries",
        widget=CountriesWidget(),
    )
    transfer_agreement = ref_field("transfer_agreement", Agreement, "reference")
    tia_on = date_field("tia_on")
    started_on = date_field("started_on")
    ended_on = date_field("ended_on")
    data_subjects = refs_field("data_subjects", DataSubject, "key")
    proposed = flag_field("proposed")

    class Meta:
        model = Flow
        fields = (
            "reference", "source", "target", "categories", "purpose", "role", "lawful_basis",
            "art9_condition", "processing_countries", "transfer_mechanism",
            "transfer_agreement", "tia_on", "started_on", "ended_on", "description",
            "data_subjects", "proposed",
        )  # fmt: skip
        export_order = fields
        import_id_fields = ("reference",)
        clean_model_instances = True
        skip_unchanged = True

    def get_queryset(self) -> Any:
        return (
            Flow.objects.select_related("source", "target", "purpose", "transfer_agreement")
            .prefetch_related("categories", "data_subjects")
            .order_by("reference")
        )

    def before_import(self, dataset: Any, **kwargs: Any) -> None:
        """The per-row import path derives a missing reference as the checked path does."""
        headers = [str(h).strip().lower() for h in dataset.headers or []]
        dataset.headers = headers
        if "reference" in headers:
            return
        names = ("source", "target", "purpose", "categories")
        at = {name: headers.index(name) for name in names if name in headers}

        def cell(row: Any, name: str) -> str:
            return str(row[at[name]] or "").strip() if name in at else ""

        dataset.append_col(
            [
                flow_reference(
                    cell(row, "source"),
                    cell(row, "target"),
                    cell(row, "purpose"),
                    split_list(cell(row, "categories")),
                )  # fmt: skip
                for row in dataset
            ],
            header="reference",
        )


class DataCategoryResource(RegisterResource):
    kind = "categories"
    parent = ref_field("parent", DataCategory, "key")
    special_category = flag_field("special_category")
    criminal = flag_field("criminal")
    children = flag_field("children")
    payment_card = flag_field("payment_card")
    credentials = flag_field("credentials")

    class Meta:
        model = DataCategory
        fields = (
            "key", "name", "description", "parent", "special_category", "criminal",
            "children", "payment_card", "credentials",
        )  # fmt: skip
        export_order = fields
        import_id_fields = ("key",)
        skip_unchanged = True

    def get_queryset(self) -> Any:
        return DataCategory.objects.select_related("parent").order_by("key")


class PurposeResource(RegisterResource):
    kind = "purposes"
    parent = ref_field("parent", Purpose, "key")
    sale_or_share = flag_field("sale_or_share")

    class Meta:
        model = Purpose
        fields = ("key", "name", "description", "parent", "sale_or_share")
        export_order = fields
        import_id_fields = ("key",)
        skip_unchanged = True

    def get_queryset(self) -> Any:
        return Purpose.objects.select_related("parent").order_by("key")


def resource_for(kind: str) -> RegisterResource:
    """The resource of an import/export kind (parties, agreements, flows, ...)."""
    from registry.resources import AgreementResource, PartyResource

    classes = {
        "parties": PartyResource,
        "agreements": AgreementResource,
        "flows": FlowResource,
        "categories": DataCategoryResource,
        "purposes": PurposeResource,
    }
    return classes[kind]()
