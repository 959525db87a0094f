"""Exports at the speed of the data: a kind's rows read as plain values, written as they come.

The cells are those the resources' widgets write (registry.resources): references by their
natural key, lists `;`-separated in the order of the listed model, countries as sorted ISO
codes, flags as yes/no, dates as YYYY-MM-DD, formulae escaped. They are read with one
`values_list` query for the rows (in chunks), one query for each look-up and one for each
many-to-many column, whatever the number of rows: no model instance is built, no query is
made per row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.apps import apps
from django.db import models

from registry.importing import cells as cell
from registry.importing.engine import Column, Kind, busy_as_error, kind_named
from registry.importing.tabular import FORMULA_STARTS, write_table_to
from registry.web.progress import Progress, no_progress

#: Rows fetched from the database at a time: enough to amortise the round trips, few
#: enough that memory stays flat however large the register.
CHUNK = 2_000

Render = Callable[[Any], str]


@dataclass
class KindExport:
    """A kind's export: the header, how many rows, and the rows as lists of text cells
    (read lazily, once)."""

    header: list[str]
    total: int
    rows: Iterator[list[str]]


_FORMULA_STARTS = frozenset(FORMULA_STARTS)


def _text(value: Any) -> str:
    # escape_formula inlined: this runs for most cells of every row.
    if value is None:
        return ""
    text = value if type(value) is str else str(value)
    return "'" + text if text[:1] in _FORMULA_STARTS else text


def _date(value: Any) -> str:
    return value.isoformat() if value else ""


def _yes_no(value: Any) -> str:
    return "yes" if value else "no"


def _country(value: Any) -> str:
    return value or ""


def _countries(value: Any) -> str:
    # Stored as comma-separated codes; the widget writes them sorted, `;`-separated.
    return ";".join(sorted(code for code in value.split(",") if code)) if value else ""


#: The cell of a column the import reads with one of these parsers; any other scalar column
#: is its text, as django-import-export's default widget writes it.
RENDERERS: dict[Any, Render] = {
    cell.iso_date: _date,
    cell.boolean: _yes_no,
    cell.country: _country,
    cell.countries: _countries,
}


NaturalKeys = tuple[dict[Any, str], dict[Any, int]]


def _natural_keys(label: str, key_field: str) -> NaturalKeys:
    """pk -> natural key of a look-up model, and pk -> rank in its default order (the order
    a prefetched many-to-many set is listed in)."""
    model = apps.get_model(label)
    names: dict[Any, str] = {}
    rank: dict[Any, int] = {}
    for index, (pk, key) in enumerate(model._default_manager.values_list("pk", key_field)):
        names[pk] = key
        rank[pk] = index
    return names, rank


def _lookup(cells: dict[Any, str]) -> Render:
    """The cell of a pk (of a reference, or of the row for its set); empty for none."""
    return lambda pk: cells.get(pk, "")


def _joined_sets(
    kind: type[Kind], column: Column, queryset: models.QuerySet[Any] | None, keys: NaturalKeys
) -> dict[Any, str]:
    """owner pk -> its many-to-many keys joined with ';', escaped, in one query."""
    through, own, other = kind._links(column)
    names, rank = keys
    links = through._default_manager.values_list(own, other)
    if queryset is not None:
        links = links.filter(**{own + "__in": queryset.values("pk")})
    sets: dict[Any, list[Any]] = {}
    for owner, target in links.iterator(chunk_size=CHUNK * 5):
        sets.setdefault(owner, []).append(target)
    return {
        owner: _text(";".join(names[t] for t in sorted(targets, key=rank.__getitem__)))
        for owner, targets in sets.items()
    }


def kind_export(kind: type[Kind], queryset: models.QuerySet[Any] | None = None) -> KindExport:
    """The export of every row of `kind` by its natural key, or of `queryset`'s rows in its
    order (the admin's selection)."""
    order = kind.order or (kind.key,)
    base = kind.model._default_manager.order_by(*order) if queryset is None else queryset
    base = base.select_related(None).prefetch_related(None)
    fields: list[str] = ["pk"]
    renderers: list[tuple[int, Render]] = []
    loaded: dict[str, NaturalKeys] = {}  # a look-up read once, however many columns use it
    for column in kind.columns:
        if column.name in kind.apart:
            renderers.append((0, _lookup(kind.apart_cells(column, queryset))))
            continue
        if column.ref and column.ref not in loaded:
            loaded[column.ref] = _natural_keys(*kind.lookups[column.ref])
        if column.many:
            joined = _joined_sets(kind, column, queryset, loaded[column.ref])
            renderers.append((0, _lookup(joined)))  # the set of the row's pk
            continue
        if column.ref:
            fields.append(column.name + "_id")
            names = loaded[column.ref][0]
            renderers.append((len(fields) - 1, _lookup({pk: _text(k) for pk, k in names.items()})))
        else:
            fields.append(column.name)
            renderers.append((len(fields) - 1, RENDERERS.get(column.parse, _text)))
    total = base.count()

    def rows() -> Iterator[list[str]]:
        for values in base.values_list(*fields).iterator(chunk_size=CHUNK):
            yield [render(values[index]) for index, render in renderers]

    return KindExport(list(kind.column_names()), total, rows())


def kind_export_rows(
    kind: type[Kind], queryset: models.QuerySet[Any] | None = None
) -> tuple[list[str], list[list[str]]]:
    """The header and every row at once, for callers that want them in memory."""
    export = kind_export(kind, queryset)
    return export.header, list(export.rows)


def records_export(*, kind: str, fmt: str, out: IO[bytes], progress: Progress = no_progress) -> int:
    """Write the export file of one kind to `out` as the rows are read; the number of rows.
    Raises DatabaseBusy when SQLite cannot be read within the busy timeout."""
    with busy_as_error():
        export = kind_export(kind_named(kind))
        return write_table_to(
            out, export.header, export.rows, fmt, progress=progress, total=export.total
        )
