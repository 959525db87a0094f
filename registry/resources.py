"""django-import-export resources for parties and agreements, and what all resources share.

A resource's columns are those of its import kind (`Meta.fields` is the kind's column list),
and each column's widget follows from the kind's column: references are natural keys (slug,
reference, category key), lists are `;`-separated, countries are ISO codes on export and
codes or English names on import, booleans are yes/no, dates YYYY-MM-DD. Exports escape
spreadsheet formulae.

`import_data` runs the project's import path (registry.importing.engine): every row is checked
first and all are written in one transaction, or none. The per-row import of
django-import-export stays reachable as `ModelResource.import_data(resource, ...)`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from import_export import fields, resources, widgets
from import_export.results import Result, RowResult

from registry.importing import cells as cell
from registry.importing.engine import Column, Kind, records_import_table
from registry.importing.exporting import kind_export_rows
from registry.importing.tabular import Table, escape_formula, table_from_rows
from registry.jobs.imports import CREATE, UNCHANGED, UPDATE, ImportPreview, table_preview
from registry.kinds import AgreementKind, EngagementKind, PartyKind
from registry.models import Party

ISO_DATE = "%Y-%m-%d"


class CountryWidget(widgets.Widget):
    """A country as its ISO code; read from a code or an English name in any case."""

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> str:
        text = str(value or "").strip()
        if not text:
            return ""
        try:
            return cell.country(text)
        except cell.Invalid as exc:
            raise ValueError(f"'{text}' {exc}") from None

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return getattr(value, "code", value) or ""


class CountriesWidget(widgets.Widget):
    """Several countries, `;`-separated."""

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> list[str]:
        text = str(value or "").strip()
        try:
            return cell.countries(text).split(",") if text else []
        except cell.Invalid as exc:
            raise ValueError(str(exc)) from None

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return ";".join(sorted(getattr(c, "code", c) for c in value or ()))


class YesNoWidget(widgets.BooleanWidget):
    """yes/no on export; yes/no/true/false/1/0 on import."""

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> bool:
        text = str(value if value is not None else "").strip()
        if not text:
            return False
        try:
            return cell.boolean(text)
        except cell.Invalid as exc:
            raise ValueError(f"'{text}' {exc}") from None

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return "yes" if value else "no"


#: The widget of a column that the import reads with one of these cell parsers; other
#: scalar columns keep django-import-export's widget for their model field.
WIDGETS: dict[Any, Callable[[], widgets.Widget]] = {
    cell.iso_date: lambda: widgets.DateWidget(ISO_DATE),
    cell.boolean: YesNoWidget,
    cell.country: CountryWidget,
    cell.countries: CountriesWidget,
}


class RegisterResource(resources.ModelResource):
    """What every resource of the register shares: the fields of its kind's columns, the
    export's joins, escaping, and the checked import path."""

    #: The import kind whose columns this resource exports and whose checks its imports run.
    kind: type[Kind]

    @classmethod
    def field_from_django_field(cls, field_name: str, django_field: Any, readonly: bool) -> Any:
        """The field of a column, with the widget the kind's column calls for."""
        column = next((c for c in cls.kind.columns if c.name == field_name), None)
        widget = cls.widget_of(column, django_field) if column else None
        if widget is None:
            return super().field_from_django_field(field_name, django_field, readonly)
        return fields.Field(attribute=field_name, column_name=field_name, widget=widget)

    @classmethod
    def widget_of(cls, column: Column, django_field: Any) -> widgets.Widget | None:
        """A reference by its look-up's natural key, a list `;`-separated, a date, flag or
        country as the import reads it; None for django-import-export's own widget."""
        if column.ref:
            key = cls.kind.lookups[column.ref][1]
            model = django_field.related_model
            if column.many:
                return widgets.ManyToManyWidget(model, separator=";", field=key)
            return widgets.ForeignKeyWidget(model, field=key)
        make = WIDGETS.get(column.parse)
        return make() if make else None

    def get_queryset(self) -> Any:
        """Every row by its natural key, with its references joined and its lists fetched."""
        refs = [c for c in self.kind.columns if c.ref and c.name not in self.kind.apart]
        return (
            self._meta.model._default_manager.select_related(*(c.name for c in refs if not c.many))
            .prefetch_related(*(c.name for c in refs if c.many))
            .order_by(self.kind.key)
        )

    def export_field(self, field: Any, instance: Any, **kwargs: Any) -> Any:
        value = super().export_field(field, instance, **kwargs)
        return escape_formula(value) if isinstance(value, str) else value

    def export_rows(self, queryset: Any = None) -> tuple[list[str], list[list[str]]]:
        """The cells the widgets above write, read as plain values in a few queries
        (registry.importing.exporting), not through a model instance per row."""
        return kind_export_rows(self.kind, queryset)

    def import_data(self, dataset: Any, dry_run: bool = False, **kwargs: Any) -> Result:
        """Check every row, then write all of them or none (the admin calls this). The dry
        run is the admin's preview: each row with what it would do, as the product's import
        page shows it (registry.jobs.imports.table_preview)."""
        table = table_from_rows(dataset.headers or [], dataset)
        if not dry_run:
            report = records_import_table(kind=self.kind.name, table=table, user=kwargs.get("user"))
            return report_as_result(report, table)
        preview = table_preview(kind_name=self.kind.name, table=table)
        assert preview.report is not None
        result = report_as_result(preview.report, table)
        if preview.report.ok:
            for row_result in preview_rows(preview, table):
                result.append_row_result(row_result)
        return result


def report_as_result(report: Any, table: Any) -> Result:
    """The import report in the shape the django-import-export admin pages show."""
    result = Result()
    result.diff_headers = list(table.header)
    result.total_rows = report.rows
    by_line: dict[int, dict[str, list[str]]] = {}
    for error in report.errors:
        by_line.setdefault(error.line, {}).setdefault(error.column or "__all__", []).append(
            error.reason
        )
    cells = dict(table.rows)
    for line, messages in sorted(by_line.items()):
        values = dict(zip(table.header, cells.get(line, []), strict=False))
        result.append_invalid_row(line, values, ValidationError(messages))
        result.totals[RowResult.IMPORT_TYPE_INVALID] += 1
    if not report.errors:
        result.totals[RowResult.IMPORT_TYPE_NEW] = report.new
        result.totals[RowResult.IMPORT_TYPE_UPDATE] = report.updated
        result.totals[RowResult.IMPORT_TYPE_SKIP] = report.unchanged
    result.report = report
    return result


_IMPORT_TYPES = {
    CREATE: RowResult.IMPORT_TYPE_NEW,
    UPDATE: RowResult.IMPORT_TYPE_UPDATE,
    UNCHANGED: RowResult.IMPORT_TYPE_SKIP,
}


def preview_rows(preview: ImportPreview, table: Table) -> list[RowResult]:
    """The preview's rows for the admin's table: each cell as the file has it, a changed
    one as "before → after"."""
    cells = dict(table.rows)
    shown = []
    for row in preview.rows:
        if row.outcome not in _IMPORT_TYPES:
            continue
        changed = {c.column: c for c in row.changes}
        result = RowResult()
        result.import_type = _IMPORT_TYPES[row.outcome]
        result.diff = [
            f"{changed[name].before} → {changed[name].after}"
            if name in changed and row.outcome == UPDATE
            else value
            for name, value in zip(table.header, cells.get(row.line, []), strict=False)
        ]
        shown.append(result)
    return shown


class PartyResource(RegisterResource):
    kind = PartyKind
    # Not a field of the party: its open engagements' processors (PartyKind.apart_cells).
    engaged_by = fields.Field(column_name="engaged_by", readonly=True)

    def dehydrate_engaged_by(self, party: Any) -> str:
        column = next(c for c in self.kind.columns if c.name == "engaged_by")
        return self.kind.apart_cells(column, Party.objects.filter(pk=party.pk)).get(party.pk, "")

    class Meta:
        model = PartyKind.model
        fields = export_order = PartyKind.column_names()
        import_id_fields = (PartyKind.key,)
        clean_model_instances = True
        skip_unchanged = True


class AgreementResource(RegisterResource):
    kind = AgreementKind

    class Meta:
        model = AgreementKind.model
        fields = export_order = AgreementKind.column_names()
        import_id_fields = (AgreementKind.key,)
        clean_model_instances = True
        skip_unchanged = True


class EngagementResource(RegisterResource):
    kind = EngagementKind

    class Meta:
        model = EngagementKind.model
        fields = export_order = EngagementKind.column_names()
        import_id_fields = (EngagementKind.key,)
        clean_model_instances = True
        skip_unchanged = True

    def get_queryset(self) -> Any:
        return self._meta.model._default_manager.select_related(
            "processor", "subprocessor"
        ).order_by(*self.kind.order)
