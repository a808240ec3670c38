"""Tables in and out: reading uploaded CSV (from any Chinese Excel) or XLSX for the importers, and the bytes of
the files the exporters send."""

from __future__ import annotations

import csv
import io
import unicodedata
import zipfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from pm_admin.core.errors import DomainError


class ImportRejected(DomainError):
    """The file as a whole cannot be imported; nothing was read into the database."""


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_table(filename: str, data: bytes, *, max_rows: int, max_bytes: int) -> tuple[list[str], list[tuple[int, list]]]:
    """Header and (row number, raw cells); raises ImportRejected for files that are not tables."""
    if not data:
        raise ImportRejected("import.empty_file")
    if len(data) > max_bytes:
        raise ImportRejected("files.too_large", max_mb=max_bytes // (1024 * 1024))
    name = filename.lower()
    if name.endswith(".xlsx"):
        try:
            sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
            raw_rows = list(sheet.iter_rows(values_only=True, max_row=max_rows + 2))
        # SyntaxError: the XML parse error of xml.etree, defusedxml and lxml alike, from a zip with broken XML
        except (zipfile.BadZipFile, KeyError, OSError, ValueError, IndexError, SyntaxError) as error:
            raise ImportRejected("import.unreadable") from error
    elif name.endswith(".csv"):
        if b"\x00" in data[:4096]:
            raise ImportRejected("import.unreadable")
        for encoding in ("utf-8-sig", "gb18030"):  # Excel in China saves CSV as GBK
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ImportRejected("import.unreadable")
        try:
            raw_rows = list(csv.reader(io.StringIO(text)))
        except csv.Error as error:  # e.g. a field over the csv module's 128 KB limit
            raise ImportRejected("import.unreadable") from error
    else:
        raise ImportRejected("files.wrong_type", allowed=".csv .xlsx")
    # Numbered before blank rows are dropped, so an error names the row the user sees in the file.
    filled = [(number, row) for number, row in enumerate(raw_rows, start=1) if row and any(cell_text(c) for c in row)]
    if not filled:
        raise ImportRejected("import.empty_file")
    header = [cell_text(c) for c in filled[0][1]]
    body = [(number, list(row)) for number, row in filled[1:]]
    if not body:
        raise ImportRejected("import.no_rows")
    if len(body) > max_rows:
        raise ImportRejected("import.too_many_rows", max=max_rows)
    return header, body


# A cell starting with one of these is a formula to Excel, LibreOffice and WPS when it comes from a CSV file;
# in an XLSX file only "=" is (openpyxl writes such a string as a formula unless told it is text).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def inert_text(value: Any) -> Any:
    """A CSV cell that cannot start a formula: a leading apostrophe makes "=2楼漏水" or "@all" plain text."""
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value


def restore_text(text: str) -> str:
    """What inert_text added comes off again on import, so an exported file imports back unchanged."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text


# A column grows with its text up to this many characters (a CJK character counts two), then its text wraps.
WRAP_WIDTH = 50
HEADER_FONT = Font(bold=True)
WRAPPED = Alignment(wrap_text=True, vertical="top")


def display_width(value: Any) -> int:
    """How many character columns a value takes in a spreadsheet: CJK (wide and full-width) characters count two;
    of a text with line breaks, its longest line."""
    if value is None:
        return 0
    lines = str(value).splitlines() or [""]
    return max(sum(2 if unicodedata.east_asian_width(char) in ("W", "F") else 1 for char in line) for line in lines)


def fitted_widths(rows: Iterable[Sequence[Any]], *, minimum: int = 6, maximum: int = WRAP_WIDTH) -> list[int]:
    """Column widths that fit the widest cell of each column, between ``minimum`` and ``maximum`` (plus a margin)."""
    widths: list[int] = []
    for row in rows:
        for index, value in enumerate(row):
            if index == len(widths):
                widths.append(0)
            widths[index] = max(widths[index], display_width(value))
    return [min(max(width, minimum), maximum) + 2 for width in widths]


class TextSheet:
    """A sheet of a write-only workbook whose strings are always stored as text, never as formulas: user text
    such as a ticket title '=HYPERLINK("http://evil.example", "click")' stays inert. Every export writes
    its rows through this class (or csv_bytes / csv_row for CSV).

    ``widths`` (see ``fitted_widths``) are set before the first row, as a write-only sheet needs; a text wider than
    its column then wraps. ``freeze`` names the first cell that scrolls (``"A2"``: the header row stays)."""

    def __init__(self, workbook: Workbook, title: str, *, widths: Sequence[float] = (),
                 freeze: str | None = None) -> None:
        self._sheet = workbook.create_sheet(title[:31])  # Excel's limit for a sheet name
        self._widths = list(widths)
        for index, width in enumerate(self._widths, start=1):
            self._sheet.column_dimensions[get_column_letter(index)].width = width
        if freeze:
            self._sheet.freeze_panes = freeze

    def _cell(self, value: Any, index: int, header: bool, wrap: bool) -> Any:
        wraps = wrap and isinstance(value, str) and index < len(self._widths) and (
            "\n" in value or display_width(value) > self._widths[index])
        if not header and not wraps and (not isinstance(value, str) or not value.startswith("=")):
            return value
        cell = WriteOnlyCell(self._sheet, value)
        if isinstance(value, str):
            cell.data_type = "s"
        if header:
            cell.font = HEADER_FONT
        if wraps:
            cell.alignment = WRAPPED
        return cell

    def append(self, row: Iterable[Any] = (), *, header: bool = False, wrap: bool = True) -> None:
        """A row; ``header`` sets it in bold; ``wrap=False`` lets a long text run on over the empty cells to its
        right (a title, a note) instead of wrapping in its column."""
        self._sheet.append([self._cell(value, index, header, wrap) for index, value in enumerate(row)])


def table_sheet(workbook: Workbook, title: str, header: Sequence[str], rows: Sequence[Sequence[Any]], *,
                above: Sequence[Sequence[Any]] = (), below: Sequence[Sequence[Any]] = (),
                widths: Sequence[float] = ()) -> None:
    """A sheet holding one table: columns ``widths`` wide (by default fitted to the header and the rows), the header
    in bold and frozen with the lines ``above`` it (a title, figures), long texts wrapped; the lines above and
    ``below`` (a note) neither widen nor wrap in their columns."""
    sheet = TextSheet(workbook, title, widths=widths or fitted_widths([header, *rows]), freeze=f"A{len(above) + 2}")
    for line in above:
        sheet.append(line, wrap=False)
    sheet.append(header, header=True)
    for row in rows:
        sheet.append(row)
    for line in below:
        sheet.append(line, wrap=False)


def export_workbook() -> Workbook:
    """The workbook an export fills with ``TextSheet``s (write-only: rows stream, memory stays flat)."""
    return Workbook(write_only=True)


def workbook_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_row(writer, row: Iterable[Any]) -> None:
    writer.writerow([inert_text(value) for value in row])


def csv_bytes(rows: Iterable[Iterable[Any]]) -> bytes:
    """UTF-8 CSV with a byte-order mark, so Excel reads the Chinese text as UTF-8; no cell can start a formula."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        csv_row(writer, row)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
