"""Tables in and out: reading uploaded CSV (from any Chinese Excel) or XLSX for the importers, and the bytes of
the files the exporters send."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime

from openpyxl import Workbook, load_workbook

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


def workbook_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows) -> bytes:
    """UTF-8 CSV with a byte-order mark, so Excel reads the Chinese text as UTF-8."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
