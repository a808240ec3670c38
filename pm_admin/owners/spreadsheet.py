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
from sqlmodel import Session, col, delete, select

from pm_admin.core.audit import record
from pm_admin.core.clock import utcnow
from pm_admin.core.crypto import decrypt, encrypt
from pm_admin.core.errors import DomainError, FieldErrors
from pm_admin.core.events import publish_all
from pm_admin.core.i18n import DEFAULT_LANGUAGE, translate
from pm_admin.core.masking import mask_phone
from pm_admin.core.permissions import Perm, Principal
from pm_admin.core.tables import (
    ImportRejected,
    TextSheet,
    cell_text,
    csv_bytes,
    csv_row,
    export_workbook,
    read_table,
    restore_text,
    workbook_bytes,
)
from pm_admin.owners.events import OwnerEvent, owner_event
from pm_admin.owners.models import Gender, Owner, OwnerChange, OwnerGridRow, OwnerPhone, Ownership, OwnerTag
from pm_admin.owners.pinyin import pinyin_keys
from pm_admin.owners.services.owner_input import clean_tags, parse_share
from pm_admin.owners.services.records import id_index, owner_phones, owner_tags, phone_index, record_changes
from pm_admin.owners.services.registry import announce_contact
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
    """A column of the file format: ``zh``/``en`` are the header words a file may use (the template writes the
    Chinese ones); on screen a column is named from the catalog (``column_label``)."""

    key: str
    zh: str
    en: str
    required: bool = False

    def header(self, language: str) -> str:
        return self.zh if language == "zh-CN" else self.en


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
    ImportColumn("area", "面积", "Area"),
    ImportColumn("arrears", "欠费金额", "Arrears"),
)
EXPORT_COLUMNS = IMPORT_COLUMNS + EXPORT_ONLY_COLUMNS
# The grid's column keys where the export calls them otherwise.
GRID_TO_EXPORT = {"is_vip": "vip"}
HEADER_KEYS = {text.strip().lower(): column.key for column in IMPORT_COLUMNS + EXPORT_ONLY_COLUMNS
               for text in (column.zh, column.en, column.key)}
TRUE_WORDS, FALSE_WORDS = {"是", "yes", "y", "true", "1", "vip"}, {"否", "no", "n", "false", "0"}
# None: blank or unknown, which keeps a stored gender (a new owner's comes from the ID number).
GENDER_WORDS = {"男": Gender.MALE, "male": Gender.MALE, "m": Gender.MALE,
                "女": Gender.FEMALE, "female": Gender.FEMALE, "f": Gender.FEMALE,
                "": None, "未知": None, "unknown": None}
Progress = Callable[[int, int], None]


@dataclasses.dataclass(frozen=True)
class RowError:
    row: int  # spreadsheet row number (header is row 1)
    column: str  # column key
    key: str  # i18n message key
    params: dict


@dataclasses.dataclass
class RowPlan:
    """One checked row. Blank cells are "" / None / [] here: an update keeps the stored value for them."""

    row: int
    room_id: int
    community_id: int
    room_sort_key: str
    room_code: str
    name: str
    gender: Gender | None
    id_number: str | None
    phone: Phone
    phone2: Phone | None
    address: str
    is_vip: bool | None
    tags: list[str]
    share: Decimal | None  # a blank cell is settled by _resolve_owners: the share held, or the whole room
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
    missing = [c.key for c in IMPORT_COLUMNS if c.required and c.key not in keys]
    if missing:
        raise ImportRejected("import.missing_columns", columns=missing)  # named in the reader's language
    return keys


# Screen labels of the columns (catalog keys) where the grid's "owners.col.<key>" does not fit.
LABEL_KEYS = {"phone2": "owners.phone2", "address": "owners.address", "vip": "owners.col.is_vip",
              "notes": "owners.notes"}


def column_label(key: str, language: str) -> str:
    return translate(LABEL_KEYS.get(key, f"owners.col.{key}"), language)


def rejection_text(rejected: DomainError, language: str) -> str:
    """A refused file's message in the reader's language; missing columns by the header words to add."""
    params = dict(rejected.params)
    if isinstance(params.get("columns"), list):
        by_key = {column.key: column for column in EXPORT_COLUMNS}
        params["columns"] = translate("import.list_separator", language).join(
            by_key[key].header(language) if key in by_key else key for key in params["columns"])
    return translate(rejected.key, language, **params)


# ---------------------------------------------------------------- dry run


def _rooms_in_scope(session: Session, principal: Principal) -> dict[str, tuple[int, int, str]]:
    statement = select(Room.code, Room.id, Room.community_id, Room.sort_key).where(
        principal.scope_clause(Room.community_id))
    return {code: (room_id, community_id, key) for code, room_id, community_id, key in session.exec(statement).all()}


def _existing_by_index(session: Session, indexes: set[str]) -> dict[str, int]:
    """ID-number blind index -> owner id, in every community (ID numbers are unique company-wide)."""
    found: dict[str, int] = {}
    ordered = sorted(indexes)
    for start in range(0, len(ordered), CHUNK):
        for owner_id, index in session.exec(
            select(Owner.id, Owner.id_number_index).where(col(Owner.id_number_index).in_(ordered[start:start + CHUNK]))
        ).all():
            found[index] = owner_id
    return found


def _owners_in_reach(session: Session, principal: Principal, owner_ids: set[int]) -> set[int]:
    """The owners with a current ownership in a community the principal may access (its whole scope)."""
    if principal.all_communities:
        return set(owner_ids)
    reachable: set[int] = set()
    ordered = sorted(owner_ids)
    for start in range(0, len(ordered), CHUNK):
        reachable.update(session.exec(
            select(Ownership.owner_id).where(col(Ownership.owner_id).in_(ordered[start:start + CHUNK]),
                                             col(Ownership.ended_on).is_(None),
                                             col(Ownership.community_id).in_(sorted(principal.community_ids)))
        ).all())
    return reachable


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

    text = {key: restore_text(cell_text(value)) for key, value in cells.items()}
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
    phones: dict[str, Phone | None] = {}
    for column in ("phone", "phone2"):
        if text.get(column):
            phones[column] = parse_phone(text[column])
            if phones[column] is None:
                fail(column, "owners.phone_invalid")
        elif column == "phone":
            fail("phone", "owners.phone_required")
    vip_word = text.get("vip", "").lower()
    if vip_word and vip_word not in TRUE_WORDS | FALSE_WORDS:
        fail("vip", "import.yes_no")
    field_errors = FieldErrors()
    tags = clean_tags(text.get("tags", "").replace("，", ",").replace("、", ",").replace(";", ",").split(","),
                      field_errors)
    share = parse_share(text["share"], field_errors) if text.get("share") else None
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
    phone, phone2 = phones["phone"], phones.get("phone2")
    return RowPlan(row=number, room_id=room[0], community_id=room[1], room_sort_key=room[2],
                   room_code=text["room_code"].upper(), name=name, gender=GENDER_WORDS[gender_word],
                   id_number=id_number, phone=phone, phone2=phone2 if phone2 != phone else None,
                   address=text.get("address", ""), is_vip=vip_word in TRUE_WORDS if vip_word else None, tags=tags,
                   share=share, started_on=started_on, notes=text.get("notes", "")[:2000])


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
    _resolve_owners(session, principal, rows, errors)
    if progress:
        progress(len(body), len(body))
    return ImportPlan(rows=[] if errors else rows, errors=sorted(errors, key=lambda e: (e.row, e.column)),
                      total=len(body))


def _resolve_owners(session: Session, principal: Principal, rows: list[RowPlan], errors: list[RowError]) -> None:
    """Upsert keys (room code + ID number; without ID, room code + name) against the file and the database."""
    existing = _existing_by_index(session, {id_index(r.id_number) for r in rows if r.id_number})
    in_reach = _owners_in_reach(session, principal, set(existing.values()))
    current = _current_owners(session, {r.room_id for r in rows})
    seen_keys: dict[tuple[str, str], int] = {}
    names_by_id: dict[str, tuple[str, int]] = {}
    rows_by_room: dict[int, list[RowPlan]] = defaultdict(list)
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
            plan.owner_id = existing.get(id_index(plan.id_number))
            if plan.owner_id is not None and plan.owner_id not in in_reach:
                # Updating would rename and rewrite the phones of someone else's owner.
                errors.append(RowError(plan.row, "id_number", "import.id_out_of_scope", {}))
                continue
            plan.group = f"id:{plan.id_number}"
        else:
            same_name = [owner_id for owner_id, name, _ in current.get(plan.room_id, []) if name == plan.name]
            plan.owner_id = same_name[0] if same_name else None
            plan.group = f"row:{plan.row}"
        if plan.share is None:
            held = sum((share for owner_id, _, share in current.get(plan.room_id, []) if owner_id == plan.owner_id),
                       Decimal(0))
            plan.share = held or Decimal(100)
        rows_by_room[plan.room_id].append(plan)
    for room_id, room_rows in rows_by_room.items():
        # The file's shares replace those of the owners it names; the room's other owners keep theirs.
        named = {plan.owner_id for plan in room_rows}
        kept = sum((share for owner_id, _, share in current.get(room_id, []) if owner_id not in named), Decimal(0))
        planned = Decimal(0)
        for plan in room_rows:
            if kept + planned + plan.share > 100:
                errors.append(RowError(plan.row, "share", "owners.share_exceeds", {"free": str(100 - kept - planned)}))
            planned += plan.share


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
    first_rows: dict[str, RowPlan] = {}
    for row in plan.rows:
        if not row.owner_id:
            first_rows.setdefault(row.group, row)
    owners_by_group = dict(zip(first_rows, _new_owners(session, list(first_rows.values())), strict=True))
    matched: set[int] = set()
    updated: set[int] = set()  # matched owners whose data or share the file changed
    linked = 0
    update_ids = sorted({r.owner_id for r in plan.rows if r.owner_id})
    loaded = {o.id: o for start in range(0, len(update_ids), CHUNK)
              for o in session.exec(select(Owner).where(col(Owner.id).in_(update_ids[start:start + CHUNK]))).all()}
    current = _current_owners(session, {r.room_id for r in plan.rows})
    events: list[OwnerEvent] = []  # published together at the end: the archive tracker takes them in one pass
    for position, row in enumerate(plan.rows, start=1):
        if row.owner_id:
            owner = loaded[row.owner_id]
            if owner.id not in matched:
                matched.add(owner.id)
                if _update_from_row(session, principal, owner, row):
                    updated.add(owner.id)
        else:
            owner = owners_by_group[row.group]
        already = any(owner_id == owner.id for owner_id, _, _ in current.get(row.room_id, []))
        if already:
            ownership = session.exec(select(Ownership).where(Ownership.owner_id == owner.id,
                                                             Ownership.room_id == row.room_id,
                                                             col(Ownership.ended_on).is_(None))).one()
            if ownership.share != row.share:
                events.append(owner_event("owner_changed", owner.id, (row.room_id,), principal.username,
                                          "owners.event.share_changed", name=owner.name,
                                          old=f"{ownership.share:.2f}", new=f"{row.share:.2f}"))
                ownership.share = row.share
                session.add(ownership)
                updated.add(owner.id)
        else:
            session.add(Ownership(owner_id=owner.id, room_id=row.room_id, community_id=row.community_id,
                                  sort_key=row.room_sort_key, share=row.share, started_on=row.started_on))
            session.add(OwnerChange(owner_id=owner.id, occurred_at=now, actor_user_id=principal.user_id,
                                    actor_name=principal.username, kind="ownership", field="room", new_value=row.room_code,
                                    room_id=row.room_id))
            # The room's archive change record gets the new (co-)owner like a registration by hand (seed 4.4.1).
            events.append(owner_event("owner_changed", owner.id, (row.room_id,), principal.username,
                                      "owners.event.owner_added", name=owner.name, share=f"{row.share:.2f}",
                                      since=row.started_on))
            linked += 1
        if progress and position % 250 == 0:
            progress(position, len(plan.rows))
    session.flush()
    publish_all(session, events)
    record(session, action="owner.import", actor=principal, entity_type="owner",
           details={"source": source, "rows": len(plan.rows), "created": len(owners_by_group),
                    "updated": len(updated), "unchanged": len(matched - updated), "rooms_linked": linked})
    if progress:
        progress(len(plan.rows), len(plan.rows))
    return ImportResult(created=len(owners_by_group), updated=len(updated), rooms_linked=linked)


def _write_phones(session: Session, owner_id: int, phones: list[Phone]) -> None:
    for position, phone in enumerate(phones):
        session.add(OwnerPhone(owner_id=owner_id, phone_enc=encrypt(phone.display), phone_index=phone_index(phone),
                               is_primary=position == 0))


def _new_owners(session: Session, rows: list[RowPlan]) -> list[Owner]:
    """The people the file introduces, one per row given, written in one flush."""
    owners = []
    for row in rows:
        full, initials = pinyin_keys(row.name)
        gender = row.gender or (Gender(gender_from_id(row.id_number)) if row.id_number else Gender.UNKNOWN)
        owners.append(Owner(
            name=row.name, name_pinyin=full, name_initials=initials, gender=gender,
            id_number_enc=encrypt(row.id_number), id_number_index=id_index(row.id_number) if row.id_number else None,
            birth_date=birth_date_from_id(row.id_number) if row.id_number else None, address=row.address,
            is_vip=bool(row.is_vip), notes=row.notes))
    session.add_all(owners)
    session.flush()
    for owner, row in zip(owners, rows, strict=True):
        _write_phones(session, owner.id, [row.phone, *([row.phone2] if row.phone2 else [])])
        session.add_all(OwnerTag(owner_id=owner.id, tag=tag) for tag in row.tags)
    return owners


def _merged_phones(stored: list[str], row: RowPlan) -> list[Phone]:
    """Position by position: the row's phone first, its other phone second if filled in, else the stored second;
    numbers past the second (the file has no column for them) stay."""
    kept = [parse_phone(p) for p in stored]  # stored numbers were validated when written
    merged = [row.phone, row.phone2 or (kept[1] if len(kept) > 1 else None), *kept[2:]]
    unique: dict[str, Phone] = {}
    for phone in merged:
        if phone is not None:
            unique.setdefault(phone.e164, phone)
    return list(unique.values())


def _history_values(owner: Owner, phones: list[str], tags: list[str]) -> dict:
    return {"name": owner.name, "gender": str(owner.gender), "address": owner.address, "is_vip": owner.is_vip,
            "notes": owner.notes, "phones": ", ".join(mask_phone(p) for p in phones), "tags": ", ".join(tags)}


def _update_from_row(session: Session, principal: Principal, owner: Owner, row: RowPlan) -> bool:
    """Apply the row's filled-in cells (a blank cell keeps the stored value); True when anything changed."""
    stored_phones, stored_tags = owner_phones(session, owner.id), owner_tags(session, owner.id)
    phones = _merged_phones(stored_phones, row)
    phone_texts = [p.display for p in phones]
    tags = row.tags or stored_tags
    profile = {"name": row.name, "gender": row.gender or owner.gender, "address": row.address or owner.address,
               "is_vip": owner.is_vip if row.is_vip is None else row.is_vip, "notes": row.notes or owner.notes}
    changed = {field: value for field, value in profile.items() if getattr(owner, field) != value}
    if not changed and phone_texts == stored_phones and tags == stored_tags:
        return False
    before = _history_values(owner, stored_phones, stored_tags)
    for field, value in changed.items():
        setattr(owner, field, value)
    if "name" in changed:
        owner.name_pinyin, owner.name_initials = pinyin_keys(owner.name)
    owner.updated_at = utcnow()  # also moves the version on, so a form opened before the import sees the change
    session.add(owner)
    if phone_texts != stored_phones:
        session.exec(delete(OwnerPhone).where(OwnerPhone.owner_id == owner.id))
        _write_phones(session, owner.id, phones)
    if tags != stored_tags:
        session.exec(delete(OwnerTag).where(OwnerTag.owner_id == owner.id))
        for tag in tags:
            session.add(OwnerTag(owner_id=owner.id, tag=tag))
    after = _history_values(owner, phone_texts, tags)
    record_changes(session, owner_id=owner.id, actor=principal, before=before, after=after)
    announce_contact(session, owner, before, after, principal.username)
    return True


# ---------------------------------------------------------------- export and template


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
