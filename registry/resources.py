"""django-import-export resources for parties and agreements, and what all resources share.

The columns are those of DESIGN.md ("Import columns") plus the few that an exact round trip
needs (title, notes). References are natural keys (slug, reference, category key), lists are
`;`-separated, countries are ISO codes on export and codes or English names on import,
booleans are yes/no, dates YYYY-MM-DD. Exports escape spreadsheet formulae.

`import_data` runs the project's import path (registry.importing.engine): every row is checked
first and all are written in one transaction, or none. The per-row import of
django-import-export stays reachable as `ModelResource.import_data(resource, ...)`.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from import_export import fields, resources, widgets
from import_export.results import Result, RowResult

from flows.models import DataCategory
from registry.importing import cells as cell
from registry.importing.tabular import escape_formula, table_from_rows
from registry.models import Agreement, Party

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


class CountriesWidget(CountryWidget):
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


def date_field(name: str) -> fields.Field:
    return fields.Field(attribute=name, column_name=name, widget=widgets.DateWidget(ISO_DATE))


def ref_field(name: str, model: Any, key: str) -> fields.Field:
    return fields.Field(
        attribute=name, column_name=name, widget=widgets.ForeignKeyWidget(model, field=key)
    )


def refs_field(name: str, model: Any, key: str) -> fields.Field:
    return fields.Field(
        attribute=name,
        column_name=name,
        widget=widgets.ManyToManyWidget(model, separator=";", field=key),
    )


def flag_field(name: str) -> fields.Field:
    return fields.Field(attribute=name, column_name=name, widget=YesNoWidget())


class RegisterResource(resources.ModelResource):
    """What every resource of the register shares: escaping, and the checked import path."""

    #: The import kind (registry.importing.engine.kinds()) this resource's rows are.
    kind = ""

    def export_field(self, field: Any, instance: Any, **kwargs: Any) -> Any:
        value = super().export_field(field, instance, **kwargs)
        return escape_formula(value) if isinstance(value, str) else value

    def export_rows(self, queryset: Any = None) -> tuple[list[str], list[list[str]]]:
        dataset = self.export(queryset=queryset if queryset is not None else self.get_queryset())
        rows = [["" if v is None else str(v) for v in row] for row in dataset]
        return list(dataset.headers), rows

    def import_data(self, dataset: Any, dry_run: bool = False, **kwargs: Any) -> Result:
        """Check every row, then write all of them or none (the admin calls this)."""
        from registry.importing.engine import records_import_table

        table = table_from_rows(dataset.headers or [], dataset)
        report = records_import_table(
            kind=self.kind, table=table, dry_run=dry_run, user=kwargs.get("user")
        )
        return report_as_result(report, table)


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


class PartyResource(RegisterResource):
    kind = "parties"
    country = fields.Field(attribute="country", column_name="country", widget=CountryWidget())
    processing_countries = fields.Field(
        attribute="processing_countries",
        column_name="processing_countries",
        widget=CountriesWidget(),
    )
    parent = ref_field("parent", Party, "slug")
    engaged_by = ref_field("engaged_by", Party, "slug")
    dpf_certified_until = date_field("dpf_certified_until")
    pci_attested_on = date_field("pci_attested_on")

    class Meta:
        model = Party
        fields = (
            "slug", "name", "legal_name", "relationship", "country", "processing_countries",
            "parent", "engaged_by", "website", "contact_email", "dpf_certified_until",
            "pci_attested_on", "status", "notes",
        )  # fmt: skip
        export_order = fields
        import_id_fields = ("slug",)
        clean_model_instances = True
        skip_unchanged = True

    def get_queryset(self) -> Any:
        return Party.objects.select_related("parent", "engaged_by").order_by("slug")


class AgreementResource(RegisterResource):
    kind = "agreements"
    parties = refs_field("parties", Party, "slug")
    categories = refs_field("categories", DataCategory, "key")
    signed_on = date_field("signed_on")
    effective_on = date_field("effective_on")
    expires_on = date_field("expires_on")
    terminated_on = date_field("terminated_on")
    flowdown = flag_field("flowdown")

    class Meta:
        model = Agreement
        fields = (
            "reference", "title", "kind", "parties", "signed_on", "effective_on", "expires_on",
            "terminated_on", "categories", "flowdown", "subprocessor_authorisation", "notes",
        )  # fmt: skip
        export_order = fields
        import_id_fields = ("reference",)
        clean_model_instances = True
        skip_unchanged = True

    def get_queryset(self) -> Any:
        return Agreement.objects.prefetch_related("parties", "categories").order_by("reference")
