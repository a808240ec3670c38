"""The owner export (XLSX or CSV, masked unless the reader may export personal data) and the template."""

from __future__ import annotations

import csv
import dataclasses
import io
from collections import defaultdict
from collections.abc import Iterable

from openpyxl import Workbook
from sqlmodel import Session, col, select

from pm_admin.core.crypto import decrypt
from pm_admin.core.i18n import DEFAULT_LANGUAGE, translate
from pm_admin.core.masking import mask_phone
from pm_admin.core.tables import (
    TextSheet,
    csv_bytes,
    csv_row,
    export_workbook,
    workbook_bytes,
)
from pm_admin.owners.models import Gender, Owner, OwnerGridRow, OwnerPhone
from pm_admin.owners.spreadsheet.columns import CHUNK, EXPORT_COLUMNS, GRID_TO_EXPORT, IMPORT_COLUMNS


@dataclasses.dataclass(frozen=True)
class ContactDetails:
    """What the grid rows leave out but an export must carry to import back whole."""

    phone2: str
    address: str
    notes: str


def contact_details(session: Session, owner_ids: Iterable[int], *, full_pii: bool) -> dict[int, ContactDetails]:
    """Second phone (masked unless full PII, like the first), address and notes of these owners."""
    details: dict[int, ContactDetails] = {}
    ordered = sorted(set(owner_ids))
    for start in range(0, len(ordered), CHUNK):
        batch = ordered[start:start + CHUNK]
        phones: dict[int, list[str]] = defaultdict(list)
        for owner_id, token in session.exec(
            select(OwnerPhone.owner_id, OwnerPhone.phone_enc).where(col(OwnerPhone.owner_id).in_(batch))
            .order_by(OwnerPhone.owner_id, col(OwnerPhone.is_primary).desc(), OwnerPhone.id)
        ).all():
            phones[owner_id].append(decrypt(token))
        for owner_id, address, notes in session.exec(
            select(Owner.id, Owner.address, Owner.notes).where(col(Owner.id).in_(batch))
        ).all():
            second = phones[owner_id][1] if len(phones[owner_id]) > 1 else ""
            details[owner_id] = ContactDetails(phone2=second if full_pii else mask_phone(second), address=address,
                                               notes=notes)
    return details


def export_keys(grid_columns: Iterable[str] | None = None) -> list[str]:
    """The export's columns: every one (a file that imports back), or those of the grid as shown, in its order."""
    known = [column.key for column in EXPORT_COLUMNS]
    if grid_columns is None:
        return known
    return [key for key in (GRID_TO_EXPORT.get(c, c) for c in grid_columns) if key in known]


def export_headers(language: str, keys: list[str] | None = None) -> list[str]:
    """Header words the importer reads back (Chinese or English, HEADER_KEYS)."""
    by_key = {column.key: column for column in EXPORT_COLUMNS}
    return [by_key[key].header(language) for key in keys or export_keys()]


def _export_values(row: OwnerGridRow, details: ContactDetails, language: str,
                   keys: list[str] | None = None) -> list[str]:
    # Words from the catalog; the importer reads both languages' words back (GENDER_WORDS, TRUE_WORDS).
    gender = translate(f"gender.{row.gender}", language) if row.gender in (Gender.MALE, Gender.FEMALE) else ""
    values = {"room_code": row.room_code, "name": row.name, "gender": gender, "id_number": row.id_number,
              "phone": row.phone, "phone2": details.phone2, "address": details.address,
              "vip": translate("common.yes" if row.is_vip else "common.no", language), "tags": row.tags,
              "share": row.share, "started_on": row.started_on, "notes": details.notes,
              "community_name": row.community_name, "building_name": row.building_name, "unit_name": row.unit_name,
              "occupancy": translate(f"occupancy.{row.occupancy}", language), "area": row.area,
              "arrears": row.arrears}
    return [values[key] for key in keys or export_keys()]


def export_csv(rows: Iterable[OwnerGridRow], details: dict[int, ContactDetails], language: str,
               keys: list[str] | None = None) -> Iterable[bytes]:
    """UTF-8 with a byte-order mark, so Excel opens the Chinese correctly; no cell can start a formula."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    csv_row(writer, export_headers(language, keys))
    yield ("\ufeff" + buffer.getvalue()).encode("utf-8")
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        csv_row(writer, _export_values(row, details[row.owner_id], language, keys))
        yield buffer.getvalue().encode("utf-8")


def export_xlsx(rows: Iterable[OwnerGridRow], details: dict[int, ContactDetails], language: str,
                keys: list[str] | None = None) -> bytes:
    workbook = export_workbook()
    sheet = TextSheet(workbook, translate("import.sheet_owners", language))
    sheet.append(export_headers(language, keys))
    for row in rows:
        sheet.append(_export_values(row, details[row.owner_id], language, keys))
    return workbook_bytes(workbook)


EXAMPLE_ROW = ["C01-3-2-1502", "张三", "男", "11010519491231002X", "13812345678", "010-62345678", "北京市朝阳区…",
               "否", "业委会、老人", "100", "2020-05-01", ""]


def template(fmt: str, language: str = DEFAULT_LANGUAGE) -> bytes:
    """The import template. Its header row is the file format (Chinese words, which the importer reads in
    any language); sheet names, help and example label follow the user's language."""
    headers = [column.zh for column in IMPORT_COLUMNS]
    if fmt == "csv":
        return csv_bytes([headers])
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = translate("import.sheet_owners", language)
    sheet.append(headers)
    for column in range(1, len(headers) + 1):
        sheet.cell(row=1, column=column).number_format = "@"
    for row in range(2, 1002):  # text cells, so Excel keeps 18-digit ID numbers intact
        sheet.cell(row=row, column=4).number_format = "@"
    notes = workbook.create_sheet(translate("import.sheet_help", language))
    notes.append([translate("import.template_help", language)])
    notes.append([translate("import.example", language)])
    notes.append(headers)
    notes.append(EXAMPLE_ROW)
    return workbook_bytes(workbook)
