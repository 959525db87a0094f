"""Spreadsheets in and out: CSV, XLSX and JSON files as a header and rows of text cells.

Reading never raises on bad input: a file that cannot be read becomes a `TableError` with
a sentence for the person who uploaded it. Writing escapes spreadsheet formulae, and reading
takes that escape off again, so an export imports back unchanged.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from json.encoder import encode_basestring as _json_string
from pathlib import Path
from typing import IO, Any

from registry.web.progress import Progress, no_progress

#: Files over this size are refused before they are read (the README says so). 100,000
#: flow rows make about 15 MB of CSV; an XLSX of the same rows is smaller.
MAX_FILE_BYTES = 50 * 1024 * 1024
#: A cell longer than this is a pasted document, not a register value.
MAX_CELL_CHARS = 10_000
FORMATS = ("csv", "xlsx", "json")
#: A cell starting with one of these runs as a formula in Excel or LibreOffice.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class TableError(Exception):
    """The file as a whole cannot be read; the message says why in plain words."""


@dataclass
class Table:
    """A header of normalised column names and the rows under it, each with its line."""

    header: list[str]
    rows: list[tuple[int, list[str]]]
    warnings: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.rows)


def column_name(text: Any) -> str:
    """'Legal Name ' -> 'legal_name': header names are case- and space-insensitive."""
    name = cell_text(text).strip().lower().lstrip("\ufeff")
    return "_".join(name.replace("-", " ").split())


def cell_text(value: Any) -> str:
    """Any cell (text, number, date, boolean, list, empty) as the text a person would type."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list | tuple):
        return ";".join(cell_text(v) for v in value)
    text = str(value)
    if text[:1] == "'" and text[1:2] in FORMULA_STARTS and len(text) > 1:
        return text[1:]  # our own export's formula escape
    return text


def escape_formula(value: str) -> str:
    """Prefix a cell that a spreadsheet would run as a formula with an apostrophe."""
    if value[:1] in FORMULA_STARTS:
        return "'" + value
    return value


def format_of(filename: str) -> str:
    suffix = Path(filename).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        shown = f"'.{suffix}'" if suffix else "no extension"
        raise TableError(
            f"The file has {shown}; import a .csv, .xlsx or .json file "
            "(save the spreadsheet in one of these formats first)."
        )
    return suffix


def read_table(filename: str, data: bytes) -> Table:
    """The header and rows of a CSV, XLSX or JSON file given by name and content."""
    kind = format_of(filename)
    if len(data) > MAX_FILE_BYTES:
        raise TableError(
            f"The file is {len(data) / 1024 / 1024:.1f} MB; the limit is "
            f"{MAX_FILE_BYTES // 1024 // 1024} MB. Split it into smaller files."
        )
    if not data.strip():
        raise TableError("The file is empty: there is no header row and no data.")
    reader = {"csv": _read_csv, "xlsx": _read_xlsx, "json": _read_json}[kind]
    table = reader(data)
    if not any(table.header):
        raise TableError("The file has no header row naming its columns.")
    if not table.rows:
        raise TableError("The file has a header row but no data rows under it.")
    return table


def table_from_rows(header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> Table:
    """A table from cells already read (the admin hands over a tablib Dataset)."""
    names = [column_name(h) for h in header]
    kept = []
    for number, row in enumerate(rows, start=2):
        cells = [cell_text(v) for v in row]
        if any(c.strip() for c in cells):
            kept.append((number, cells))
    return Table(names, kept)


def _decode(data: bytes) -> tuple[str, list[str]]:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    sample = data[:65536]
    if b"\x00" in sample or _looks_binary(sample):
        raise TableError(
            "This is not a text CSV file (it holds binary data). If it is a spreadsheet, "
            "save it as .xlsx or as CSV (UTF-8)."
        )
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    return text, [
        f"The file is not UTF-8 (first non-UTF-8 byte on line {line}); it was read as "
        "Latin-1 (Windows-1252). Check accented names, or save it as CSV (UTF-8)."
    ]


def _looks_binary(sample: bytes) -> bool:
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 13))
    return controls > max(8, len(sample) // 100)


def _read_csv(data: bytes) -> Table:
    text, warnings = _decode(data)
    try:
        dialect = csv.Sniffer().sniff(text[:8192], delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    try:
        header = next(reader, [])
        table = table_from_rows(header, reader)
    except csv.Error as exc:
        raise TableError(f"The CSV file cannot be read: {exc}.") from None
    table.warnings.extend(warnings)
    return table


def _read_xlsx(data: bytes) -> Table:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise TableError(f"This is not a readable .xlsx workbook ({type(exc).__name__}).") from None
    try:
        sheet = book.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, ())
        table = table_from_rows(header, rows)
    except Exception as exc:  # openpyxl raises many kinds on a damaged sheet
        raise TableError(f"The .xlsx workbook is damaged ({type(exc).__name__}).") from None
    finally:
        book.close()
    while table.header and not table.header[-1]:
        table.header.pop()
    return table


def _read_json(data: bytes) -> Table:
    try:
        items = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise TableError(f"This is not valid JSON: {exc}.") from None
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise TableError("The JSON file must hold a list of objects, one for each row.")
    header: list[str] = []
    for item in items:
        for key in item:
            if key not in header:
                header.append(key)
    table = table_from_rows(header, ([item.get(k) for k in header] for item in items))
    if not items:
        table.rows = []
    return table


def write_table(header: Sequence[str], rows: Iterable[Sequence[str]], fmt: str) -> bytes:
    """The rows as a CSV (UTF-8 with BOM, which Excel needs), XLSX or JSON file.

    The resources have escaped formulae already (RegisterResource.export_field)."""
    out = io.BytesIO()
    write_table_to(out, header, rows, fmt)
    return out.getvalue()


def write_table_to(
    out: IO[bytes],
    header: Sequence[str],
    rows: Iterable[Sequence[str]],
    fmt: str,
    *,
    progress: Progress = no_progress,
    total: int | None = None,
) -> int:
    """Write the file of `write_table` to a binary stream as the rows come, without holding
    it whole; calls `progress(rows done, total)` now and then. The number of rows."""
    writer = {"csv": _write_csv, "xlsx": _write_xlsx, "json": _write_json}[fmt]
    done = 0
    for done in writer(out, header, rows):
        if done % _PROGRESS_EVERY == 0:
            progress(done, total)
    progress(done, total if total is not None else done)
    return done


#: Rows between two flushes to the stream and two calls of `progress`.
_PROGRESS_EVERY = 2_000


def _write_csv(
    out: IO[bytes], header: Sequence[str], rows: Iterable[Sequence[str]]
) -> Iterator[int]:
    text = io.StringIO(newline="")
    writer = csv.writer(text, lineterminator="\r\n")
    out.write(b"\xef\xbb\xbf")
    writer.writerow(header)
    done = 0
    for done, row in enumerate(rows, start=1):
        writer.writerow(row)
        if done % _PROGRESS_EVERY == 0:
            out.write(text.getvalue().encode())
            text.seek(0)
            text.truncate()
        yield done
    out.write(text.getvalue().encode())


def _write_json(
    out: IO[bytes], header: Sequence[str], rows: Iterable[Sequence[str]]
) -> Iterator[int]:
    # The bytes of json.dumps(list of objects, indent=1, ensure_ascii=False), one object at a
    # time: "[", each object as " {" / "  \"key\": value" lines / " }", then "]".
    keys = [f"  {json.dumps(name, ensure_ascii=False)}: " for name in header]
    template = " {\n" + ",\n".join(k.replace("%", "%%") + "%s" for k in keys) + "\n }"
    done = 0
    for done, row in enumerate(rows, start=1):
        try:
            item = template % tuple(map(_json_string, row))
        except TypeError:  # a cell that is not text, or a row of the wrong length
            item = _json_object(keys, row)
        out.write(((",\n" if done > 1 else "[\n") + item).encode())
        yield done
    out.write(b"\n]\n" if done else b"[]\n")


def _json_object(keys: list[str], row: Sequence[Any]) -> str:
    cells = (
        key + json.dumps(value, ensure_ascii=False) for key, value in zip(keys, row, strict=True)
    )
    return " {\n" + ",\n".join(cells) + "\n }"


def _write_xlsx(
    out: IO[bytes], header: Sequence[str], rows: Iterable[Sequence[str]]
) -> Iterator[int]:
    from openpyxl import Workbook

    # Write-only: openpyxl streams the rows to a temporary file and zips it on save.
    book = Workbook(write_only=True)
    sheet = book.create_sheet("register")
    sheet.append(list(header))
    done = 0
    for done, row in enumerate(rows, start=1):
        sheet.append(list(row))
        yield done
    book.save(out)
