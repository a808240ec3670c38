"""Owner import (CSV/XLSX: dry run with row errors, then an all-or-nothing upsert) and export."""

from __future__ import annotations

import csv
import dataclasses
import io
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal

from openpyxl import Workbook
from sqlmodel import Session, col, select

from pm_admin.audit.services import record
from pm_admin.core.clock import utcnow
from pm_admin.core.crypto import encrypt
from pm_admin.core.errors import FieldErrors
from pm_admin.core.masking import mask_phone
from pm_admin.core.permissions import Perm, Principal
from pm_admin.core.tables import ImportRejected, cell_text, csv_bytes, read_table, workbook_bytes
from pm_admin.owners.events import OwnerEvent, current_rooms, publish
from pm_admin.owners.models import Gender, Owner, OwnerChange, OwnerGridRow, OwnerPhone, Ownership, OwnerTag
from pm_admin.owners.pinyin import pinyin_keys
from pm_admin.owners.services import MAX_TAGS, clean_tags, id_index, owner_phones, parse_share, phone_index
from pm_admin.owners.validation import (
    Phone,
    birth_date_from_id,
    gender_from_id,
    id_number_problem,
    normalize_id_number,
    parse_phone,
)
from pm_admin.places.models import Room

MAX_ROWS = 20_000
MAX_BYTES = 20 * 1024 * 1024
CHUNK = 500


@dataclasses.dataclass(frozen=True)
class ImportColumn:
    key: str
    zh: str
    en: str
    required: bool = False


IMPORT_COLUMNS = (
    ImportColumn("room_code", "房号", "Room code", True),
    ImportColumn("name", "业主姓名", "Owner name", True),
    ImportColumn("gender", "性别", "Gender"),
    ImportColumn("id_number", "身份证号", "ID number"),
    ImportColumn("phone", "手机号", "Phone", True),
    ImportColumn("phone2", "备用电话", "Other phone"),
    ImportColumn("address", "通讯地址", "Address"),
    ImportColumn("vip", "VIP", "VIP"),
    ImportColumn("tags", "标签", "Tags"),
    ImportColumn("share", "产权比例", "Share %"),
    ImportColumn("started_on", "入住日期", "Since"),
    ImportColumn("notes", "备注", "Notes"),
)
# Export adds these for reading; an import of an exported file ignores them.
EXPORT_ONLY_COLUMNS = (
    ImportColumn("community_name", "小区", "Community"),
    ImportColumn("building_name", "楼栋", "Building"),
    ImportColumn("unit_name", "单元", "Unit"),
    ImportColumn("occupancy", "使用状态", "Occupancy"),
    ImportColumn("arrears", "欠费金额", "Arrears"),
)
HEADER_KEYS = {text.strip().lower(): column.key for column in IMPORT_COLUMNS + EXPORT_ONLY_COLUMNS
               for text in (column.zh, column.en, column.key)}
TRUE_WORDS, FALSE_WORDS = {"是", "yes", "y", "true", "1", "vip"}, {"否", "no", "n", "false", "0", ""}
GENDER_WORDS = {"男": "male", "male": "male", "m": "male", "女": "female", "female": "female", "f": "female",
                "": "unknown", "未知": "unknown", "unknown": "unknown"}
Progress = Callable[[int, int], None]


@dataclasses.dataclass(frozen=True)
class RowError:
    row: int  # spreadsheet row number (header is row 1)
    column: str  # column key
    key: str  # i18n message key
    params: dict


@dataclasses.dataclass
class RowPlan:
    row: int
    room_id: int
    community_id: int
    room_sort_key: str
    room_code: str
    name: str
    gender: Gender
    id_number: str | None
    phones: list[Phone]
    address: str
    is_vip: bool
    tags: list[str]
    share: Decimal
    started_on: date
    notes: str
    owner_id: int | None = None  # an existing owner to update
    group: str = ""  # rows of one new owner (same ID number) share a group


@dataclasses.dataclass
class ImportPlan:
    rows: list[RowPlan]
    errors: list[RowError]
    total: int

    @property
    def creates(self) -> int:
        return len({r.group for r in self.rows if r.owner_id is None})

    @property
    def updates(self) -> int:
        return len({r.owner_id for r in self.rows if r.owner_id is not None})


def map_columns(header: list[str]) -> list[str | None]:
    keys = [HEADER_KEYS.get(h.strip().lower()) for h in header]
    unknown = [h for h, k in zip(header, keys, strict=True) if k is None and h.strip()]
    if unknown:
        raise ImportRejected("import.unknown_columns", columns="、".join(unknown[:5]))
    missing = [c.zh for c in IMPORT_COLUMNS if c.required and c.key not in keys]
    if missing:
        raise ImportRejected("import.missing_columns", columns="、".join(missing))
    return keys


# ---------------------------------------------------------------- dry run


def _rooms_in_scope(session: Session, principal: Principal) -> dict[str, tuple[int, int, str]]:
    statement = select(Room.code, Room.id, Room.community_id, Room.sort_key).where(
        principal.scope_clause(Room.community_id))
    return {code: (room_id, community_id, key) for code, room_id, community_id, key in session.exec(statement).all()}


def _existing_by_index(session: Session, indexes: set[str]) -> dict[str, tuple[int, str]]:
    found: dict[str, tuple[int, str]] = {}
    ordered = sorted(indexes)
    for start in range(0, len(ordered), CHUNK):
        for owner_id, index, name in session.exec(
            select(Owner.id, Owner.id_number_index, Owner.name).where(
                col(Owner.id_number_index).in_(ordered[start:start + CHUNK]))
        ).all():
            found[index] = (owner_id, name)
    return found


def _current_owners(session: Session, room_ids: set[int]) -> dict[int, list[tuple[int, str, Decimal]]]:
    """room id -> [(owner id, owner name, share)] of its current ownerships."""
    current: dict[int, list[tuple[int, str, Decimal]]] = defaultdict(list)
    ordered = sorted(room_ids)
    for start in range(0, len(ordered), CHUNK):
        for room_id, owner_id, name, share in session.exec(
            select(Ownership.room_id, Ownership.owner_id, Owner.name, Ownership.share)
            .join(Owner, Owner.id == Ownership.owner_id)
            .where(col(Ownership.room_id).in_(ordered[start:start + CHUNK]), col(Ownership.ended_on).is_(None))
        ).all():
            current[room_id].append((owner_id, name, Decimal(str(share))))
    return current


def _parse_day(text: str) -> date | None:
    for separator in ("-", "/", "."):
        parts = text.split(separator)
        if len(parts) == 3 and all(p.isdigit() for p in parts):
            try:
                return date(int(parts[0]), int(parts[1]), int(parts[2]))
            except ValueError:
                return None
    return None


def _check_row(number: int, cells: dict[str, object], rooms: dict[str, tuple[int, int, str]],
               errors: list[RowError]) -> RowPlan | None:
    """Field checks that need no database; returns None when the row has errors."""
    before = len(errors)

    def fail(column: str, key: str, **params) -> None:
        errors.append(RowError(number, column, key, params))

    text = {key: cell_text(value) for key, value in cells.items()}
    room = rooms.get(text.get("room_code", "").upper())
    if not text.get("room_code"):
        fail("room_code", "error.required")
    elif room is None:
        fail("room_code", "import.room_unknown", code=text["room_code"])
    name = text.get("name", "")
    if not name:
        fail("name", "error.required")
    elif len(name) > 64:
        fail("name", "error.too_long", max=64)
    gender_word = text.get("gender", "").lower()
    if gender_word not in GENDER_WORDS:
        fail("gender", "owners.gender_invalid")
    id_number = None
    if isinstance(cells.get("id_number"), (int, float)):
        fail("id_number", "import.id_as_number")  # Excel already rounded it: ask for a text cell
    elif text.get("id_number"):
        id_number = normalize_id_number(text["id_number"])
        if problem := id_number_problem(id_number):
            fail("id_number", problem)
    phones = []
    for column in ("phone", "phone2"):
        if text.get(column):
            parsed = parse_phone(text[column])
            if parsed is None:
                fail(column, "owners.phone_invalid")
            elif parsed.e164 not in {p.e164 for p in phones}:
                phones.append(parsed)
        elif column == "phone":
            fail("phone", "owners.phone_required")
    vip_word = text.get("vip", "").lower()
    if vip_word not in TRUE_WORDS | FALSE_WORDS:
        fail("vip", "import.yes_no")
    field_errors = FieldErrors()
    tags = clean_tags(text.get("tags", "").replace("，", ",").replace("、", ",").replace(";", ",").split(","),
                      field_errors)
    share = parse_share(text.get("share") or "100", field_errors)
    for field, (key, params) in field_errors.fields.items():
        fail(field, key, **params)
    started_on = date.today()
    if text.get("started_on"):
        parsed_day = _parse_day(text["started_on"])
        if parsed_day is None:
            fail("started_on", "import.date_invalid")
        elif parsed_day > date.today():
            fail("started_on", "owners.date_in_future")
        else:
            started_on = parsed_day
    if len(text.get("address", "")) > 200:
        fail("address", "error.too_long", max=200)
    if len(errors) > before:
        return None
    gender = Gender(GENDER_WORDS[gender_word])
    if gender == Gender.UNKNOWN and id_number:
        gender = Gender(gender_from_id(id_number))
    return RowPlan(row=number, room_id=room[0], community_id=room[1], room_sort_key=room[2],
                   room_code=text["room_code"].upper(), name=name,
                   gender=gender, id_number=id_number, phones=phones, address=text.get("address", ""),
                   is_vip=vip_word in TRUE_WORDS, tags=tags, share=share, started_on=started_on,
                   notes=text.get("notes", "")[:2000])


def plan_import(session: Session, principal: Principal, filename: str, data: bytes,
                progress: Progress | None = None) -> ImportPlan:
    """The dry run: every row checked, nothing written."""
    principal.require(Perm.OWNERS_IMPORT)
    header, body = read_table(filename, data, max_rows=MAX_ROWS, max_bytes=MAX_BYTES)
    keys = map_columns(header)
    rooms = _rooms_in_scope(session, principal)
    errors: list[RowError] = []
    rows: list[RowPlan] = []
    for position, (number, raw) in enumerate(body, start=1):
        cells = {key: raw[i] if i < len(raw) else None for i, key in enumerate(keys) if key}
        if (plan := _check_row(number, cells, rooms, errors)) is not None:
            rows.append(plan)
        if progress and position % 250 == 0:
            progress(position, len(body))
    _resolve_owners(session, rows, errors)
    if progress:
        progress(len(body), len(body))
    return ImportPlan(rows=[] if errors else rows, errors=sorted(errors, key=lambda e: (e.row, e.column)),
                      total=len(body))


def _resolve_owners(session: Session, rows: list[RowPlan], errors: list[RowError]) -> None:
    """Upsert keys (room code + ID number; without ID, room code + name) against the file and the database."""
    existing = _existing_by_index(session, {id_index(r.id_number) for r in rows if r.id_number})
    current = _current_owners(session, {r.room_id for r in rows})
    seen_keys: dict[tuple[str, str], int] = {}
    names_by_id: dict[str, tuple[str, int]] = {}
    planned_share: dict[int, Decimal] = defaultdict(Decimal)
    for plan in rows:
        key = (plan.room_code, plan.id_number or f"name:{plan.name}")
        if key in seen_keys:
            errors.append(RowError(plan.row, "room_code", "import.duplicate_row", {"first": seen_keys[key]}))
            continue
        seen_keys[key] = plan.row
        if plan.id_number:
            first_name, first_row = names_by_id.setdefault(plan.id_number, (plan.name, plan.row))
            if first_name != plan.name:
                errors.append(RowError(plan.row, "name", "import.id_name_mismatch", {"first": first_row}))
                continue
            match = existing.get(id_index(plan.id_number))
            plan.owner_id = match[0] if match else None
            plan.group = f"id:{plan.id_number}"
        else:
            same_name = [owner_id for owner_id, name, _ in current.get(plan.room_id, []) if name == plan.name]
            plan.owner_id = same_name[0] if same_name else None
            plan.group = f"row:{plan.row}"
        replaced = sum((share for owner_id, _, share in current.get(plan.room_id, []) if owner_id == plan.owner_id),
                       Decimal(0))
        kept = sum((share for _, _, share in current.get(plan.room_id, [])), Decimal(0)) - replaced
        planned_share[plan.room_id] += plan.share
        if kept + planned_share[plan.room_id] > 100:
            errors.append(RowError(plan.row, "share", "owners.share_exceeds", {"free": str(100 - kept)}))


# ---------------------------------------------------------------- commit


@dataclasses.dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    rooms_linked: int


def commit_import(session: Session, principal: Principal, plan: ImportPlan, *, source: str,
                  progress: Progress | None = None) -> ImportResult:
    """Write a clean plan in the caller's transaction: all rows or, on any failure, none."""
    principal.require(Perm.OWNERS_IMPORT)
    if plan.errors:
        raise ImportRejected("import.has_errors", count=len(plan.errors))
    now = utcnow()
    owners_by_group: dict[str, Owner] = {}
    updated: set[int] = set()
    linked = 0
    update_ids = sorted({r.owner_id for r in plan.rows if r.owner_id})
    loaded = {o.id: o for start in range(0, len(update_ids), CHUNK)
              for o in session.exec(select(Owner).where(col(Owner.id).in_(update_ids[start:start + CHUNK]))).all()}
    current = _current_owners(session, {r.room_id for r in plan.rows})
    for position, row in enumerate(plan.rows, start=1):
        if row.owner_id:
            owner = loaded[row.owner_id]
            if owner.id not in updated:
                _update_from_row(session, principal, owner, row)
                updated.add(owner.id)
        elif row.group in owners_by_group:
            owner = owners_by_group[row.group]
        else:
            owner = _new_owner(session, row)
            owners_by_group[row.group] = owner
        already = any(owner_id == owner.id for owner_id, _, _ in current.get(row.room_id, []))
        if already:
            ownership = session.exec(select(Ownership).where(Ownership.owner_id == owner.id,
                                                             Ownership.room_id == row.room_id,
                                                             col(Ownership.ended_on).is_(None))).one()
            ownership.share = row.share
            session.add(ownership)
        else:
            session.add(Ownership(owner_id=owner.id, room_id=row.room_id, community_id=row.community_id,
                                  sort_key=row.room_sort_key, share=row.share, started_on=row.started_on))
            session.add(OwnerChange(owner_id=owner.id, occurred_at=now, actor_user_id=principal.user_id,
                                    actor_name=principal.username, kind="ownership", field="room", new_value=row.room_code,
                                    room_id=row.room_id))
            linked += 1
        if progress and position % 250 == 0:
            progress(position, len(plan.rows))
    session.flush()
    record(session, action="owner.import", actor=principal, entity_type="owner",
           details={"source": source, "rows": len(plan.rows), "created": len(owners_by_group),
                    "updated": len(updated), "rooms_linked": linked})
    if progress:
        progress(len(plan.rows), len(plan.rows))
    return ImportResult(created=len(owners_by_group), updated=len(updated), rooms_linked=linked)


def _new_owner(session: Session, row: RowPlan) -> Owner:
    full, initials = pinyin_keys(row.name)
    owner = Owner(name=row.name, name_pinyin=full, name_initials=initials, gender=row.gender,
                  id_number_enc=encrypt(row.id_number), id_number_index=id_index(row.id_number) if row.id_number else None,
                  birth_date=birth_date_from_id(row.id_number) if row.id_number else None, address=row.address,
                  is_vip=row.is_vip, notes=row.notes)
    session.add(owner)
    session.flush()
    for position, phone in enumerate(row.phones):
        session.add(OwnerPhone(owner_id=owner.id, phone_enc=encrypt(phone.display), phone_index=phone_index(phone),
                               is_primary=position == 0))
    for tag in row.tags[:MAX_TAGS]:
        session.add(OwnerTag(owner_id=owner.id, tag=tag))
    return owner


def _update_from_row(session: Session, principal: Principal, owner: Owner, row: RowPlan) -> None:
    old_phones = [mask_phone(p) for p in owner_phones(session, owner.id)]
    old_tags = sorted(session.exec(select(OwnerTag.tag).where(OwnerTag.owner_id == owner.id)).all())
    before = {"name": owner.name, "address": owner.address, "is_vip": owner.is_vip, "notes": owner.notes,
              "phones": ", ".join(old_phones), "tags": ", ".join(old_tags)}
    owner.name, owner.address, owner.is_vip, owner.notes = row.name, row.address, row.is_vip, row.notes
    owner.name_pinyin, owner.name_initials = pinyin_keys(row.name)
    owner.updated_at = utcnow()
    session.add(owner)
    for phone in session.exec(select(OwnerPhone).where(OwnerPhone.owner_id == owner.id)).all():
        session.delete(phone)
    for position, phone in enumerate(row.phones):
        session.add(OwnerPhone(owner_id=owner.id, phone_enc=encrypt(phone.display), phone_index=phone_index(phone),
                               is_primary=position == 0))
    for tag in session.exec(select(OwnerTag).where(OwnerTag.owner_id == owner.id)).all():
        session.delete(tag)
    for tag in row.tags[:MAX_TAGS]:
        session.add(OwnerTag(owner_id=owner.id, tag=tag))
    after = {"name": row.name, "address": row.address, "is_vip": row.is_vip, "notes": row.notes,
             "phones": ", ".join(mask_phone(p.display) for p in row.phones), "tags": ", ".join(row.tags)}
    contact = [f"{f}: {before[f]} → {after[f]}" for f in ("phones", "address") if str(before[f]) != str(after[f])]
    if contact:
        publish(session, OwnerEvent("contact_changed", owner.id, current_rooms(session, owner.id),
                                    f"{owner.name}：" + "；".join(contact), principal.username))
    for field in before:
        if str(before[field]) != str(after[field]):
            session.add(OwnerChange(owner_id=owner.id, actor_user_id=principal.user_id, actor_name=principal.username,
                                    kind="contact" if field in ("phones", "address") else "profile", field=field,
                                    old_value=str(before[field])[:300], new_value=str(after[field])[:300]))


# ---------------------------------------------------------------- export and template


def export_headers(language: str) -> list[str]:
    columns = IMPORT_COLUMNS + EXPORT_ONLY_COLUMNS
    return [column.zh if language == "zh-CN" else column.en for column in columns]


def _export_values(row: OwnerGridRow) -> list[str]:
    return [row.room_code, row.name, {"male": "男", "female": "女"}.get(row.gender, ""), row.id_number, row.phone,
            "", "", "是" if row.is_vip else "否", row.tags, row.share, row.started_on, "", row.community_name,
            row.building_name, row.unit_name, row.occupancy, row.arrears]


def export_csv(rows: Iterable[OwnerGridRow], language: str) -> Iterable[bytes]:
    """UTF-8 with a byte-order mark, so Excel opens the Chinese correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(export_headers(language))
    yield ("\ufeff" + buffer.getvalue()).encode("utf-8")
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(_export_values(row))
        yield buffer.getvalue().encode("utf-8")


def export_xlsx(rows: Iterable[OwnerGridRow], language: str) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("业主" if language == "zh-CN" else "Owners")
    sheet.append(export_headers(language))
    for row in rows:
        sheet.append(_export_values(row))
    return workbook_bytes(workbook)


EXAMPLE_ROW = ["C01-3-2-1502", "张三", "男", "11010519491231002X", "13812345678", "010-62345678", "北京市朝阳区…",
               "否", "业委会、老人", "100", "2020-05-01", ""]


def template(fmt: str) -> bytes:
    headers = [column.zh for column in IMPORT_COLUMNS]
    if fmt == "csv":
        return csv_bytes([headers])
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "业主"
    sheet.append(headers)
    for column in range(1, len(headers) + 1):
        sheet.cell(row=1, column=column).number_format = "@"
    for row in range(2, 1002):  # text cells, so Excel keeps 18-digit ID numbers intact
        sheet.cell(row=row, column=4).number_format = "@"
    notes = workbook.create_sheet("说明")
    notes.append(["必填：房号、业主姓名、手机号。身份证号请按文本填写。按“房号 + 身份证号”更新已有业主，否则新增。"])
    notes.append(["示例 / example:"])
    notes.append(EXAMPLE_ROW)
    return workbook_bytes(workbook)
