"""django-import-export resources for flows, data categories and purposes: the columns and
widgets of their import kinds (flows.kinds), as registry.resources explains.
"""

from __future__ import annotations

from typing import Any

from flows.kinds import CategoryKind, FlowKind, PurposeKind, flow_reference
from registry.importing.cells import split_list
from registry.resources import RegisterResource


class FlowResource(RegisterResource):
    kind = FlowKind

    class Meta:
        model = FlowKind.model
        fields = export_order = FlowKind.column_names()
        import_id_fields = (FlowKind.key,)
        clean_model_instances = True
        skip_unchanged = True

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
    kind = CategoryKind

    class Meta:
        model = CategoryKind.model
        fields = export_order = CategoryKind.column_names()
        import_id_fields = (CategoryKind.key,)
        skip_unchanged = True


class PurposeResource(RegisterResource):
    kind = PurposeKind

    class Meta:
        model = PurposeKind.model
        fields = export_order = PurposeKind.column_names()
        import_id_fields = (PurposeKind.key,)
        skip_unchanged = True
