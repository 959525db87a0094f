"""The import path of the command and the admin: check every row first, then write all of
them in one transaction with bulk operations, or nothing at all.

A kind of record is a `Kind`: its columns, the natural key, the references it resolves, and
calls to its model's rule functions, which `clean()` calls too: bulk writes skip
`full_clean()`. The engine knows no kind: each app registers its own in `AppConfig.ready()`
(`register_kind`), and commands and pages find them by name (`kind_named`, `kind_names`).
Look-ups are loaded once as dicts, so the cost grows with the rows, not with rows times
queries.

History: every row an import creates or changes gets its django-simple-history row, with
the many-to-many sets it holds after the import, copied inside the database
(registry.importing.history).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.core.exceptions import ImproperlyConfigured
from django.db import OperationalError, models, transaction
from django.utils import timezone

from registry.importing.cells import Invalid, Parser, split_list, unknown
from registry.importing.history import history_copy
from registry.importing.tabular import MAX_CELL_CHARS, Table, TableError, read_table
from registry.web.arguments import suggest
from registry.web.batches import rows_changed, rows_changing

BATCH = 2_000
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class RowError:
    """One thing wrong in the file: where (line and column), the value, and why."""

    line: int
    column: str
    value: str
    reason: str

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line else "file"
        if self.column:
            where += f", column {self.column}"
        return f"{where}: {self.reason}"


@dataclass
class ImportReport:
    """What an import found and did. `errors` non-empty means nothing was written."""

    kind: str
    rows: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    dry_run: bool = False
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        if self.errors:
            return f"{len(self.errors)} error(s) in the {self.kind} file; nothing was written."
        verb = "would be" if self.dry_run else "were"
        if not self.new and not self.updated:
            return f"Nothing changed: all {self.rows} {self.kind} rows already match the register."
        return (
            f"{self.rows} {self.kind} rows: {self.new} new, {self.updated} updated, "
            f"{self.unchanged} unchanged, {self.deleted} deleted; changes {verb} written"
            + (" (dry run: nothing was written)." if self.dry_run else ".")
        )


@dataclass(frozen=True)
class Column:
    """A column of the import file. `ref` names the look-up a reference resolves in."""

    name: str
    parse: Parser | None = None
    required: bool = False
    ref: str = ""
    many: bool = False
    default: Any = ""


class Problem(Protocol):
    """A broken rule as a model's rule function reports it: the field, and the clause an
    import shows for a row of a file."""

    @property
    def field(self) -> str: ...

    @property
    def in_file(self) -> str: ...


#: A rule over parents: (key=, parent=, parent_of=) -> problems; see check_parent_cycles.
ParentRule = Callable[..., Iterable[Problem]]


@dataclass
class Row:
    """A row that passed the cell checks; `values` holds only the columns in the file."""

    line: int
    key: str
    values: dict[str, Any]
    final: dict[str, Any] = field(default_factory=dict)
    changed: set[str] = field(default_factory=set)
    is_new: bool = True


class Kind:
    """How one kind of record is read, checked and written. Subclasses fill in the rest."""

    name: str = ""
    model: type[models.Model]
    key: str = ""
    columns: tuple[Column, ...] = ()
    #: look-up name -> (model, key field); `self_ref` is the look-up of this kind itself.
    lookups: dict[str, tuple[str, str]] = {}
    self_ref: str = ""
    #: how a look-up is named in messages ("unknown data category ...").
    ref_names: dict[str, str] = {}
    #: columns the model's row and sets do not hold: the kind loads (`load`), writes
    #: (`write`) and exports (`apart_cells`) them itself.
    apart: frozenset[str] = frozenset()
    #: the order of the export's rows; the natural key when empty.
    order: tuple[str, ...] = ()

    @classmethod
    def column_names(cls) -> tuple[str, ...]:
        """The columns in file order, as the exports write them."""
        return tuple(c.name for c in cls.columns)

    def __init__(self) -> None:
        self.errors: list[RowError] = []
        self.by_name = {c.name: c for c in self.columns}
        self.keys: dict[str, dict[str, int]] = {}
        self.lowered: dict[str, dict[str, str]] = {}
        self.existing: dict[str, dict[str, Any]] = {}
        self._suggestions_left = 200

    # --- loading -----------------------------------------------------------------------

    def load(self) -> None:
        """Every look-up and every existing row of this kind, once."""
        from django.apps import apps

        for ref, (label, key_field) in self.lookups.items():
            model = apps.get_model(label)
            self.keys[ref] = dict(model._default_manager.values_list(key_field, "pk"))
        concrete = [f.attname for f in self.model._meta.concrete_fields]
        names_by_pk = {ref: {pk: k for k, pk in keys.items()} for ref, keys in self.keys.items()}
        fks = self._fk_columns()
        for values in self.model._default_manager.values(*concrete).iterator(chunk_size=5000):
            for column in fks:
                pk = values.get(column.name + "_id")
                values[column.name] = names_by_pk[column.ref].get(pk, "") if pk else ""
            self.existing[values[self.key]] = values
        for column in self.columns:
            if column.many and column.name not in self.apart:
                self._load_links(column, names_by_pk[column.ref])

    @classmethod
    def _links(cls, column: Column) -> tuple[type[models.Model], str, str]:
        """The through model of a `many` column and its two `_id` columns."""
        m2m = cls.model._meta.get_field(column.name)
        # A `many` column names a many-to-many field, whose through model Django sets (or
        # creates) when it builds the model class.
        assert isinstance(m2m, models.ManyToManyField) and m2m.remote_field.through, column.name
        through = m2m.remote_field.through
        return through, m2m.m2m_field_name() + "_id", m2m.m2m_reverse_field_name() + "_id"

    def _load_links(self, column: Column, names: dict[int, str]) -> None:
        through, own, other = self._links(column)
        key_by_pk = {v["id"]: k for k, v in self.existing.items()}
        for values in self.existing.values():
            values[column.name] = frozenset()
        sets: dict[int, set[str]] = {}
        links = through._default_manager.values_list(own, other)
        for owner, target in links.iterator(chunk_size=10000):
            sets.setdefault(owner, set()).add(names[target])
        for owner, keys in sets.items():
            self.existing[key_by_pk[owner]][column.name] = frozenset(keys)

    def _fk_columns(self) -> list[Column]:
        return [c for c in self.columns if c.ref and not c.many and c.name not in self.apart]

    @classmethod
    def apart_cells(cls, column: Column, queryset: models.QuerySet[Any] | None) -> dict[Any, str]:
        """Row pk -> the export cell of a column in `apart` (subclasses that have them)."""
        raise NotImplementedError(column.name)

    # --- checking ----------------------------------------------------------------------

    def error(self, line: int, column: str, value: Any, reason: str) -> None:
        self.errors.append(RowError(line, column, "" if value is None else str(value), reason))

    def check_header(self, table: Table, warnings: list[str]) -> bool:
        seen: set[str] = set()
        for name in table.header:
            if name and name in seen:
                self.error(1, name, "", f"the column '{name}' appears twice in the header")
            seen.add(name)
        for name in table.header:
            if name and name not in self.by_name:
                known = ", ".join(self.by_name)
                warnings.append(
                    f"Column '{name}' is not a {self.name} column and was ignored."
                    f"{suggest(name, self.by_name)} Known columns: {known}."
                )
        for column in self.columns:
            if column.required and column.name not in seen:
                self.error(1, column.name, "", f"the required column '{column.name}' is missing")
        return not self.errors

    def read_rows(self, table: Table, progress: Progress | None) -> list[Row]:
        positions = [(i, self.by_name[n]) for i, n in enumerate(table.header) if n in self.by_name]
        rows: list[Row] = []
        total = len(table.rows)
        for done, (line, cells) in enumerate(table.rows, start=1):
            if progress and done % 5000 == 0:
                progress("checking", done, total)
            values: dict[str, Any] = {}
            for index, column in positions:
                raw = cells[index].strip() if index < len(cells) else ""
                values[column.name] = self.read_cell(line, column, raw)
            key = self.row_key(line, values)
            if key is not None:
                rows.append(Row(line, key, values))
        return rows

    def read_cell(self, line: int, column: Column, raw: str) -> Any:
        if len(raw) > MAX_CELL_CHARS:
            self.error(
                line,
                column.name,
                raw[:40],
                f"the cell holds {len(raw):,} characters; at most {MAX_CELL_CHARS:,} are read",
            )
            return None
        if not raw:
            if column.required:
                self.error(line, column.name, "", f"{column.name} is required and is empty")
                return None
            return frozenset() if column.many else column.default
        if column.many:
            keys = frozenset(split_list(raw))
            return frozenset(k for k in keys if self.resolve(line, column, k))
        if column.ref:
            return raw if self.resolve(line, column, raw) else None
        try:
            return column.parse(raw) if column.parse else raw
        except Invalid as exc:
            shown = raw if len(raw) <= 60 else raw[:57] + "..."
            self.error(line, column.name, raw, f"'{shown}' {exc}")
            return None

    def resolve(self, line: int, column: Column, key: str) -> bool:
        known = self.keys[column.ref]
        if key in known or (column.ref == self.self_ref and key in self.in_file):
            return True
        if column.ref not in self.lowered:
            every = set(known) | (self.in_file if column.ref == self.self_ref else set())
            self.lowered[column.ref] = {k.lower(): k for k in every}
        names: list[str] = []
        if self._suggestions_left > 0:  # difflib over thousands of keys costs; cap it
            self._suggestions_left -= 1
            names = list(known) + (list(self.in_file) if column.ref == self.self_ref else [])
        reason = unknown(self.ref_names.get(column.ref, column.ref), key, column.name, names,
                         self.lowered[column.ref])  # fmt: skip
        self.error(line, column.name, key, reason)
        return False

    def row_key(self, line: int, values: dict[str, Any]) -> str | None:
        return values.get(self.key) or None

    def merge(self, rows: list[Row]) -> None:
        """Work out each row's final state, what changed, and apply the model's rules."""
        first_line: dict[str, int] = {}
        for row in rows:
            if row.key in first_line:
                self.error(
                    row.line,
                    self.key,
                    row.key,
                    f"'{row.key}' is already on line {first_line[row.key]}; "
                    f"each {self.key} may appear once in a file",
                )
                continue
            first_line[row.key] = row.line
            before = self.existing.get(row.key)
            row.is_new = before is None
            base = dict(before) if before else self.defaults()
            for name, value in row.values.items():
                if value is None:
                    continue  # an error was recorded for this cell
                if before is None or before.get(name) != value:
                    row.changed.add(name)
                base[name] = value
            row.final = base
            self.check_row(row)
        self.check_rows(rows)

    def defaults(self) -> dict[str, Any]:
        return {c.name: c.default if not c.many else frozenset() for c in self.columns}

    def check_row(self, row: Row) -> None:
        """The model's rule functions over one row's final values (subclasses)."""

    def check_rows(self, rows: list[Row]) -> None:
        """Rules across rows: cycles, one own company (subclasses)."""

    def report(self, row: Row, problems: Iterable[Problem]) -> None:
        """Each problem a rule function found in the row, as an error on its column."""
        for problem in problems:
            value = row.final.get(problem.field)
            if isinstance(value, frozenset):
                value = ";".join(sorted(value))
            self.error(row.line, problem.field, value, problem.in_file)

    def has_error(self, row: Row, column: str) -> bool:
        """An error is already recorded for this row's cell (an unknown key, say)."""
        return any(e.line == row.line and e.column == column for e in self.errors)

    def check_parent_cycles(self, rows: list[Row], rule: ParentRule) -> None:
        """The model's rule over parents, with the parents of the register and of the file:
        a row may name a parent that a later row of the same file adds or moves."""
        parent = {key: values["parent"] for key, values in self.existing.items()}
        for row in rows:
            if row.final:
                parent[row.key] = row.final["parent"]
        for row in rows:
            if row.final:
                self.report(
                    row, rule(key=row.key, parent=row.final["parent"], parent_of=parent.get)
                )

    # --- writing -----------------------------------------------------------------------

    def write(self, rows: list[Row], progress: Progress | None, user: Any = None) -> None:
        now = timezone.now()
        scalar = [c.name for c in self.columns if not c.ref and c.name != self.key]
        fks = self._fk_columns()
        self_fks = [c for c in fks if c.ref == self.self_ref]
        new_rows = [r for r in rows if r.is_new]
        # Any: every kind's model has created_at and updated_at, which `Model` does not declare.
        fresh: dict[str, Any] = {}
        for row in new_rows:
            obj: Any = self.model(**{self.key: row.key})
            self.assign(obj, row.final, scalar, [c for c in fks if c not in self_fks])
            obj.created_at = obj.updated_at = now
            fresh[row.key] = obj
        if progress:
            progress("writing", len(rows), len(rows))
        created = list(fresh.values())
        # Bulk writes send no model signals: say which rows change, before and after.
        changing = sorted(self.existing[r.key]["id"] for r in rows if not r.is_new and r.changed)
        rows_changing.send(sender=self.model, pks=changing)
        self.model._default_manager.bulk_create(created, batch_size=BATCH)
        self.own_pks = {key: values["id"] for key, values in self.existing.items()}
        for obj in created:
            self.own_pks[getattr(obj, self.key)] = obj.pk
        if self.self_ref:
            self.keys[self.self_ref].update(self.own_pks)
        changed_rows = [r for r in rows if not r.is_new and r.changed - self.many_names()]
        if self_fks:
            changed_rows += [r for r in new_rows if any(r.final.get(c.name) for c in self_fks)]
        attnames = self.attnames()
        objs = []
        for row in changed_rows:
            if row.is_new:
                obj = fresh[row.key]
            else:
                before = self.existing[row.key]
                obj = self.model(**{k: v for k, v in before.items() if k in attnames})
            self.assign(obj, row.final, scalar, fks)
            obj.updated_at = now
            objs.append(obj)
        if objs:
            fields = [*scalar, *(c.name for c in fks), "updated_at"]
            self.model._default_manager.bulk_update(objs, fields, batch_size=500)
        touched = self.write_links(rows, now)
        if self.has_history():
            created_pks = sorted(obj.pk for obj in created)
            updated = {self.own_pks[r.key] for r in changed_rows if not r.is_new} | touched
            history_copy(self.model, created_pks, "+", now, user)
            history_copy(self.model, sorted(updated), "~", now, user)
        rows_changed.send(sender=self.model, pks=[*(obj.pk for obj in created), *changing])

    def has_history(self) -> bool:
        return hasattr(self.model._meta, "simple_history_manager_attribute")

    def attnames(self) -> set[str]:
        return {f.attname for f in self.model._meta.concrete_fields}

    def many_names(self) -> set[str]:
        return {c.name for c in self.columns if c.many}

    def assign(self, obj: Any, final: dict[str, Any], scalar: list[str], fks: list[Column]):
        for name in scalar:
            setattr(obj, name, final[name])
        for column in fks:
            key = final.get(column.name)
            setattr(obj, column.name + "_id", self.keys[column.ref][key] if key else None)

    def write_links(self, rows: list[Row], now: Any) -> set[int]:
        own_keys = self.own_pks
        touched: set[int] = set()
        for column in self.columns:
            if not column.many or column.name in self.apart:
                continue
            through, own, other = self._links(column)
            targets = self.keys[column.ref]
            changed = [r for r in rows if column.name in r.changed]
            ids = [own_keys[r.key] for r in changed if not r.is_new]
            for start in range(0, len(ids), 500):
                through._default_manager.filter(**{own + "__in": ids[start : start + 500]}).delete()
            pairs = [(own_keys[r.key], targets[k]) for r in changed for k in r.final[column.name]]
            for start in range(0, len(pairs), BATCH * 2):  # few objects alive at a time
                through._default_manager.bulk_create(
                    [through(**{own: a, other: b}) for a, b in pairs[start : start + BATCH * 2]]
                )
            touched.update(ids)
        # A changed set with nothing else changed still bumps updated_at, which the findings
        # cache watches (as registry.services.touch does).
        plain = sorted(touched)
        for start in range(0, len(plain), 500):
            self.model._default_manager.filter(pk__in=plain[start : start + 500]).update(
                updated_at=now
            )
        return touched

    # --- the whole import --------------------------------------------------------------

    @property
    def in_file(self) -> set[str]:
        return getattr(self, "_in_file", set())

    def run(
        self,
        table: Table,
        *,
        dry_run: bool = False,
        progress: Progress | None = None,
        user: Any = None,
    ) -> ImportReport:
        report = ImportReport(kind=self.name, rows=len(table.rows), dry_run=dry_run)
        report.warnings.extend(table.warnings)
        if not self.check_header(table, report.warnings):
            report.errors = self.errors
            return report
        self.load()
        if self.self_ref:
            index = table.header.index(self.key)
            self._in_file = {c[index].strip() for _, c in table.rows if index < len(c)}
        rows = self.read_rows(table, progress)
        self.merge(rows)
        report.errors = sorted(self.errors, key=lambda e: (e.line, e.column))
        if report.errors:
            return report
        changed = [r for r in rows if r.is_new or r.changed]
        report.new = sum(1 for r in rows if r.is_new)
        report.updated = len(changed) - report.new
        report.unchanged = len(rows) - len(changed)
        if not dry_run and changed:
            with transaction.atomic():
                self.write(changed, progress, user)
        return report


class Exporter(Protocol):
    """What writes a kind's export file: its header and rows of text cells."""

    def export_rows(self) -> tuple[list[str], list[list[str]]]: ...


@dataclass(frozen=True)
class _Registered:
    kind: type[Kind]
    exporter: Callable[[], Exporter]


#: Every kind by its command-line name, in the order the apps registered them.
_registered: dict[str, _Registered] = {}


def register_kind(kind: type[Kind], *, exporter: Callable[[], Exporter]) -> None:
    """Make a kind importable and exportable under its name (each app's ready() does)."""
    known = _registered.get(kind.name)
    if known and known.kind is not kind:
        raise ImproperlyConfigured(
            f"Two import kinds are named '{kind.name}': {known.kind.__qualname__} and "
            f"{kind.__qualname__}."
        )
    _registered[kind.name] = _Registered(kind, exporter)


def kind_names() -> tuple[str, ...]:
    """The names of every registered kind (parties, agreements, flows...)."""
    return tuple(_registered)


def _entry(name: str) -> _Registered:
    try:
        return _registered[name]
    except KeyError:
        known = ", ".join(_registered) or "none"
        raise LookupError(f"There is no import kind '{name}'; the kinds are {known}.") from None


def kind_named(name: str) -> type[Kind]:
    """The kind registered under this name."""
    return _entry(name).kind


def exporter_named(name: str) -> Exporter:
    """What writes the export file of the kind registered under this name."""
    return _entry(name).exporter()


BUSY = "The database is busy with another write; try again when it finishes."


class DatabaseBusy(Exception):
    """SQLite's write lock stayed with another process past the busy timeout; nothing was
    written (an import takes the lock when its one transaction begins)."""


@contextmanager
def busy_as_error() -> Iterator[None]:
    """SQLite's "database is locked" as DatabaseBusy, with a sentence for the user."""
    try:
        yield
    except OperationalError as exc:
        if "locked" not in str(exc) and "busy" not in str(exc):
            raise
        raise DatabaseBusy(BUSY) from exc


def records_import(
    *,
    kind: str,
    filename: str,
    data: bytes,
    dry_run: bool = False,
    progress: Progress | None = None,
    user: Any = None,
) -> ImportReport:
    """Import a CSV, XLSX or JSON file of one kind: all rows, or none when any is bad."""
    try:
        table = read_table(filename, data)
    except TableError as exc:
        return ImportReport(kind=kind, errors=[RowError(0, "", "", str(exc))])
    return records_import_table(kind=kind, table=table, dry_run=dry_run, progress=progress,
                                user=user)  # fmt: skip


def records_import_table(
    *,
    kind: str,
    table: Table,
    dry_run: bool = False,
    progress: Progress | None = None,
    user: Any = None,
) -> ImportReport:
    """Import a table already read; raises DatabaseBusy when another write holds SQLite."""
    with busy_as_error():
        return kind_named(kind)().run(table, dry_run=dry_run, progress=progress, user=user)
