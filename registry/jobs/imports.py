"""Imports from the product's pages: upload a file, see row by row what it would do, confirm.

The uploaded file is kept in the default storage under the person's id and a random token
until it is confirmed or discarded (as the admin keeps its uploads on the web machine's
disk between its preview and its confirmation). The preview is the import engine's own dry
run (every check the import makes), with each row's outcome kept; the confirmed import is
the same job the admin starts (`records_import_start`), over the rows of the same file.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.text import get_valid_filename

from registry.importing.engine import (
    DatabaseBusy,
    ImportReport,
    Kind,
    Row,
    RowError,
    busy_as_error,
    kind_named,
    kind_names,
)
from registry.importing.tabular import MAX_FILE_BYTES, Table, TableError, format_of, read_table
from registry.jobs.records import records_import_start

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
    from django.core.files.uploadedfile import UploadedFile

    from registry.jobs.models import Job

CREATE, UPDATE, UNCHANGED, REFUSE = "create", "update", "unchanged", "refuse"
#: How each outcome reads on the page, in the order the filters list them.
OUTCOMES = {CREATE: "created", UPDATE: "updated", UNCHANGED: "unchanged", REFUSE: "refused"}
_TOKEN = re.compile(r"^[0-9a-f]{32}$")
_FOLDER = "imports"
#: A value longer than this is cut in the preview's "before -> after" (the cell stays whole).
_SHOWN_CHARS = 60


class ImportRefused(Exception):
    """The upload cannot be previewed (wrong kind, unreadable file); the message says why."""


@dataclass(frozen=True)
class PendingImport:
    """An uploaded file waiting for its confirmation, and whose it is."""

    token: str
    kind: str
    filename: str
    path: str

    def read(self) -> Table:
        with default_storage.open(self.path, "rb") as handle:
            data = handle.read()
        try:
            return read_table(self.filename, data)
        except TableError as error:
            raise ImportRefused(str(error)) from None


@dataclass(frozen=True)
class Change:
    """One column a row changes, with the value before (empty for a new record) and after."""

    column: str
    before: str
    after: str


@dataclass(frozen=True)
class PreviewRow:
    """What importing would do with one line of the file, and why a refused line is."""

    line: int
    key: str
    outcome: str
    changes: tuple[Change, ...] = ()
    reasons: tuple[str, ...] = ()

    @property
    def outcome_label(self) -> str:
        return OUTCOMES[self.outcome]


@dataclass
class ImportPreview:
    """The dry run of a pending import: each row's outcome, the file's own problems (its
    header, its columns), the warnings (ignored columns), and counts by outcome."""

    kind: str
    key: str
    rows: list[PreviewRow]
    file_errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    report: ImportReport | None = None
    """The engine's dry-run report the rows were read from."""

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(OUTCOMES, 0)
        for row in self.rows:
            counts[row.outcome] += 1
        return counts

    @property
    def can_import(self) -> bool:
        """All rows or none: one refused row (or a bad header) stops the whole import."""
        counts = self.counts
        return not self.file_errors and not counts[REFUSE] and bool(counts[CREATE] + counts[UPDATE])

    def shown(self, outcome: str | None) -> list[PreviewRow]:
        return [row for row in self.rows if outcome in (None, row.outcome)]


def import_kinds() -> list[tuple[str, str]]:
    """The kinds a file may hold, as (name, label) choices: every kind the apps register."""
    kinds = []
    for name in kind_names():
        model = kind_named(name).model
        kinds.append((name, str(model._meta.verbose_name_plural).capitalize()))
    return kinds


def import_upload(
    *, user: AbstractBaseUser | AnonymousUser, kind: str, upload: UploadedFile
) -> PendingImport:
    """Keep an uploaded file for its preview; ImportRefused for a file that cannot be one
    (the kind is unknown, the format is not read, it is over the size limit)."""
    try:
        kind_named(kind)
        format_of(upload.name or "")
    except (LookupError, TableError) as error:
        raise ImportRefused(str(error)) from None
    if (upload.size or 0) > MAX_FILE_BYTES:
        raise ImportRefused(
            f"The file is {(upload.size or 0) / 1024 / 1024:.1f} MB; the limit is "
            f"{MAX_FILE_BYTES // 1024 // 1024} MB. Split it into smaller files."
        )
    if not upload.size:
        raise ImportRefused("The file is empty: there is no header row and no data.")
    imports_sweep()
    token = secrets.token_hex(16)
    name = get_valid_filename(PurePosixPath(upload.name or "file").name)
    path = default_storage.save(f"{_FOLDER}/{user.pk}/{token}/{kind}/{name}", upload)
    return PendingImport(token=token, kind=kind, filename=name, path=path)


PENDING_HOURS = 24
"""A previewed file nobody confirmed or discarded is deleted after this many hours: the
person left the page, and the file holds personal data nobody needs to keep."""


def imports_sweep(*, older_than: timedelta = timedelta(hours=PENDING_HOURS)) -> int:
    """Delete the pending imports' files older than `older_than` (whoever uploaded them),
    with their emptied folders; the number of files deleted. Every upload runs it, and so
    does `manage.py sweep_imports` (for a cron), so that abandoned previews never pile up."""
    cutoff = timezone.now() - older_than
    deleted = 0
    for user_folder in _folders(_FOLDER):
        for token_folder in _folders(user_folder):
            for kind_folder in _folders(token_folder):
                _, files = default_storage.listdir(kind_folder)
                old = [
                    f"{kind_folder}/{name}"
                    for name in files
                    if default_storage.get_modified_time(f"{kind_folder}/{name}") < cutoff
                ]
                for path in old:
                    default_storage.delete(path)
                deleted += len(old)
                if len(old) == len(files):
                    _delete_folder(kind_folder)
            if not _folders(token_folder):
                _delete_folder(token_folder)
    return deleted


def _delete_folder(folder: str) -> None:
    """Remove an emptied folder where the storage has folders (a file system); object
    stores have none to remove."""
    try:
        default_storage.delete(folder)
    except OSError:
        pass


def _folders(folder: str) -> list[str]:
    try:
        folders, _ = default_storage.listdir(folder)
    except FileNotFoundError:
        return []
    return [f"{folder}/{name}" for name in sorted(folders)]


def import_pending(*, user: AbstractBaseUser | AnonymousUser, token: str) -> PendingImport | None:
    """This person's pending import of this token, or None (someone else's, or gone)."""
    if user.pk is None or not _TOKEN.match(token):
        return None
    folder = f"{_FOLDER}/{user.pk}/{token}"
    try:
        kinds, _ = default_storage.listdir(folder)
        for kind in kinds:
            _, files = default_storage.listdir(f"{folder}/{kind}")
            if files and kind in kind_names():
                name = sorted(files)[0]
                return PendingImport(token, kind, name, f"{folder}/{kind}/{name}")
    except FileNotFoundError:
        return None
    return None


def import_discard(*, pending: PendingImport) -> None:
    """Forget a pending import: its file is deleted."""
    default_storage.delete(pending.path)


def import_preview(*, pending: PendingImport) -> ImportPreview:
    """What importing the pending file would do, row by row, written nowhere; raises
    ImportRefused when the file cannot be read or the database is busy."""
    return table_preview(kind_name=pending.kind, table=pending.read())


def table_preview(*, kind_name: str, table: Table) -> ImportPreview:
    """What importing these rows would do, row by row, written nowhere (the product's import
    page and the admin's preview); ImportRefused when the database is busy."""
    kind = _previewing(kind_named(kind_name))
    try:
        with busy_as_error():
            report = kind.run(table, dry_run=True)
    except DatabaseBusy as busy:
        raise ImportRefused(str(busy)) from None
    by_line: dict[int, list[RowError]] = {}
    file_errors = []
    lines = {line for line, _ in table.rows}
    for error in report.errors:
        if error.line in lines:
            by_line.setdefault(error.line, []).append(error)
        else:  # the header, or the file as a whole
            file_errors.append(str(error))
    merged = {row.line: row for row in kind.merged}
    rows = []
    for line, cells in table.rows:
        row = merged.get(line)
        key = row.key if row else _key_cell(table, kind.key, cells)
        if line in by_line:
            reasons = tuple(_reason(e) for e in by_line[line])
            rows.append(PreviewRow(line, key, REFUSE, reasons=reasons))
        elif row is None:
            continue  # a header error left the rows unread: file_errors says why
        elif row.is_new:
            rows.append(PreviewRow(line, key, CREATE, _changes(kind, row)))
        elif row.changed:
            rows.append(PreviewRow(line, key, UPDATE, _changes(kind, row)))
        else:
            rows.append(PreviewRow(line, key, UNCHANGED))
    return ImportPreview(kind_name, kind.key, rows, file_errors, list(report.warnings), report)


def import_confirm(*, user: AbstractBaseUser | AnonymousUser, pending: PendingImport) -> Job:
    """Start the import of a previewed file as a background job; the file is then deleted
    (its rows travel with the job, which checks every row again before writing)."""
    table = pending.read()
    job = records_import_start(user=user, kind=pending.kind, table=table)
    import_discard(pending=pending)
    return job


def _previewing(kind: type[Kind]) -> Any:
    """An instance of `kind` that keeps the rows its checks merged: their outcomes are the
    preview (the engine's run() is the one place that decides them)."""

    class Previewing(kind):  # type: ignore[valid-type, misc]
        merged: list[Row] = []

        def merge(self, rows: list[Row]) -> None:
            self.merged = rows
            super().merge(rows)

    return Previewing()


def _key_cell(table: Table, key: str, cells: list[str]) -> str:
    if key in table.header:
        at = table.header.index(key)
        return cells[at].strip() if at < len(cells) else ""
    return ""


def _reason(error: RowError) -> str:
    return f"{error.column}: {error.reason}" if error.column else error.reason


def _changes(kind: Any, row: Row) -> tuple[Change, ...]:
    before = kind.existing.get(row.key, {})
    return tuple(
        Change(name, _shown(before.get(name)) if before else "", _shown(row.final.get(name)))
        for name in kind.column_names()
        if name in row.changed and name != kind.key
    )


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, frozenset | set):
        text = ";".join(sorted(str(v) for v in value))
    elif isinstance(value, bool):
        text = "yes" if value else "no"
    elif hasattr(value, "isoformat"):
        text = value.isoformat()
    else:
        text = str(value)
    return text if len(text) <= _SHOWN_CHARS else text[: _SHOWN_CHARS - 3] + "..."
