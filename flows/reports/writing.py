"""Tables written as they are generated: CSV in chunks, XLSX through openpyxl's write-only mode.

A `Table` is a header and rows produced one at a time, so that a register of 100,000 flows is
never held whole in memory: the CSV writer yields bytes every few hundred rows, and the XLSX
writer hands each row to openpyxl, which streams it to a temporary file of its own.
Every text cell that a spreadsheet would read as a formula (= + - @, tab, CR) is escaped.
"""

from __future__ import annotations

import csv
import io
import struct
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import chain, islice
from typing import IO, Any, TypeVar

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.drawing.image import Image as OpenpyxlImage
from openpyxl.styles import Alignment, Font, NamedStyle, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from registry.web.progress import Progress, no_progress

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
T = TypeVar("T")


def escape_formula(value: Any) -> Any:
    """A text a spreadsheet would evaluate (=, +, -, @, tab, CR first) gets a leading quote."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


@dataclass(frozen=True)
class Table:
    """A header and its rows; the rows are generated lazily and can be read once."""

    columns: Sequence[str]
    rows: Iterable[Sequence[Any]]


Preamble = Sequence[tuple[str, Any]]
"""(label, value) rows above a table, as the ICO template has its contact block."""


@dataclass(frozen=True)
class Report:
    """The sheets of one register, in order, ready to be written once."""

    sheets: Mapping[str, Table]
    preambles: Mapping[str, Preamble] = field(default_factory=dict)
    summary: tuple[str, Callable[[Mapping[str, int]], Table]] | None = None
    """A first sheet made last, from the number of rows written to each of the others."""
    flat: Table | None = None
    """The register as one table, for a register of several sheets that a CSV also holds."""
    images: Mapping[str, Image] = field(default_factory=dict)
    """A picture on a sheet of its own, after the summary: title -> image."""

    @property
    def table(self) -> Table:
        """What a CSV holds: the register as one table, else its single sheet."""
        return self.flat if self.flat is not None else next(iter(self.sheets.values()))


@dataclass(frozen=True)
class Image:
    """A PNG and the lines of text above it (a title, what it shows)."""

    png: bytes
    caption: Sequence[str] = ()


class Meter:
    """Counts the records the tables of a report go through, and tells `progress` now and
    then: the tables are generated while they are written, so the count is the writing's."""

    EVERY = 1000

    def __init__(self, total: int, progress: Progress = no_progress) -> None:
        self.total = total
        self.done = 0
        self.progress = progress
        progress(0, total)

    def each(self, items: Iterable[T]) -> Iterator[T]:
        for item in items:
            yield item
            self.done += 1
            if self.done % self.EVERY == 0 or self.done == self.total:
                self.progress(self.done, self.total)


# --- CSV -----------------------------------------------------------------------------------


def _csv_cell(value: Any) -> Any:
    return "" if value is None else escape_formula(value)


def csv_chunks(table: Table, rows_per_chunk: int = 500) -> Iterator[bytes]:
    """The table as UTF-8 CSV with a byte-order mark (so that spreadsheet programs read the
    accents), in chunks of bytes: what a streamed response or a file takes."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    buffer.write("\ufeff")
    writer.writerow([escape_formula(c) for c in table.columns])
    for n, row in enumerate(table.rows, start=1):
        writer.writerow([_csv_cell(v) for v in row])
        if n % rows_per_chunk == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def write_csv(table: Table, out: IO[bytes]) -> int:
    """Writes the table to `out`; returns the number of rows."""
    rows = 0

    def counted() -> Iterator[Sequence[Any]]:
        nonlocal rows
        for row in table.rows:
            rows += 1
            yield row

    for chunk in csv_chunks(Table(table.columns, counted())):
        out.write(chunk)
    return rows


# --- XLSX ----------------------------------------------------------------------------------

_HEADER_FILL = PatternFill("solid", fgColor="DDE6F5")
_WRAP = Alignment(wrap_text=True, vertical="top")
_WIDTH_SAMPLE = 1000
"""Rows read ahead to size the columns: a write-only sheet fixes its columns before its
first row, so a long table is sized on its first rows rather than on all of them."""
_WRAPPED_STYLE = "register wrapped text"
_DATETIME_STYLE = "register date and time"


def _add_styles(workbook: Workbook) -> None:
    # Named once per workbook, so that a styled cell points at a style by name instead of
    # building and hashing an Alignment of its own.
    workbook.add_named_style(NamedStyle(_WRAPPED_STYLE, alignment=_WRAP))
    workbook.add_named_style(NamedStyle(_DATETIME_STYLE, number_format="yyyy-mm-dd hh:mm"))


def _value(value: Any) -> Any:
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)
    return escape_formula(value)


def _header_cell(sheet: WriteOnlyWorksheet, name: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=escape_formula(str(name)))
    cell.font = Font(bold=True)
    cell.fill = _HEADER_FILL
    cell.alignment = _WRAP
    return cell


def _widths(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[int]:
    widths = []
    for col, name in enumerate(columns):
        longest = max(
            [len(str(name)) // 2, *(len(str(r[col])) for r in rows if r[col] is not None)]
        )
        widths.append(max(10, min(longest + 2, 60)))
    return widths


class _SheetWriter:
    """One write-only sheet: an optional preamble, a header row, then the rows."""

    def __init__(self, workbook: Workbook, title: str) -> None:
        self.sheet: WriteOnlyWorksheet = workbook.create_sheet(title[:31])

    def write(self, table: Table, preamble: Preamble = ()) -> int:
        sheet = self.sheet
        rows = iter(table.rows)
        head = list(islice(rows, _WIDTH_SAMPLE))
        widths = _widths(table.columns, head)
        for col, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(col)].width = width
        header_row = 1
        if preamble:
            # The ICO template's activity table starts on row 9, under the contact block.
            header_row = max(len(preamble) + 2, 9)
        sheet.freeze_panes = f"B{header_row + 1}"
        for label, value in preamble:
            label_cell = WriteOnlyCell(sheet, value=escape_formula(label))
            label_cell.font = Font(bold=True)
            sheet.append([label_cell, _value(value)])
        for _ in range(header_row - 1 - len(preamble)):
            sheet.append([])
        sheet.append([_header_cell(sheet, c) for c in table.columns])
        written = 0
        for row in chain(head, rows):
            sheet.append([self._cell(v, w) for v, w in zip(row, widths, strict=True)])
            written += 1
        if table.columns:
            last = get_column_letter(len(table.columns))
            sheet.auto_filter.ref = f"A{header_row}:{last}{header_row + written}"
        return written

    def _cell(self, value: Any, width: int) -> Any:
        """A plain value where it can be: a styled cell costs openpyxl twice as much as a
        value, and a register has millions. Only a text longer than its column wraps (the
        others would look the same wrapped), and a date and time gets its format; a date
        gets yyyy-mm-dd from openpyxl itself."""
        if isinstance(value, str):
            if not value:
                # openpyxl writes "" as a cell without a value, which reads back as empty:
                # leaving it out is the same sheet, and a third of the controller's cells.
                return None
            if len(value) <= width:
                return escape_formula(value)
            cell = WriteOnlyCell(self.sheet, value=escape_formula(value))
            cell.style = _WRAPPED_STYLE
            return cell
        if isinstance(value, datetime):
            cell = WriteOnlyCell(self.sheet, value=_value(value))
            cell.style = _DATETIME_STYLE
            return cell
        return value


_IMAGE_WIDTH = 1500
"""Pixels a picture is shown at, at most: the file keeps every pixel for zooming in."""


class _Png(OpenpyxlImage):
    """A PNG as openpyxl places it, sized from the PNG's own header: openpyxl reads the
    size through Pillow, which this project does not otherwise need."""

    def __init__(self, png: bytes) -> None:
        if png[:8] != b"\x89PNG\r\n\x1a\n":
            raise ValueError("not a PNG image")
        self.ref = png
        self.format = "png"
        width, height = struct.unpack(">II", png[16:24])
        scale = min(1.0, _IMAGE_WIDTH / width) if width else 1.0
        self.width, self.height = round(width * scale), round(height * scale)

    def _data(self) -> bytes:
        return bytes(self.ref)


def _write_image(workbook: Workbook, title: str, image: Image) -> None:
    sheet: WriteOnlyWorksheet = workbook.create_sheet(title[:31])
    for n, line in enumerate(image.caption):
        cell = WriteOnlyCell(sheet, value=escape_formula(line))
        if n == 0:
            cell.font = Font(bold=True)
        sheet.append([cell])
    if image.png:
        picture = _Png(image.png)
        picture.anchor = f"A{len(image.caption) + 2}"
        sheet.add_image(picture)


def write_xlsx(report: Report, out: str | IO[bytes]) -> dict[str, int]:
    """Writes the report's sheets to `out` (a path or a binary file); returns the number of
    rows of each sheet."""
    workbook = Workbook(write_only=True)
    _add_styles(workbook)
    summary = _SheetWriter(workbook, report.summary[0]) if report.summary else None
    # Pictures come after the summary and before the tables: what a reader looks at first.
    for title, image in report.images.items():
        _write_image(workbook, title, image)
    counts: dict[str, int] = {}
    for title, table in report.sheets.items():
        counts[title] = _SheetWriter(workbook, title).write(table, report.preambles.get(title, ()))
    if summary is not None and report.summary is not None:
        title, make = report.summary
        counts = {title: summary.write(make(counts)), **counts}
    workbook.save(out)
    return counts
