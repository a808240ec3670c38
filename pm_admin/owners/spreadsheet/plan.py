"""The import's dry run: every row checked against the rooms in scope and the owners already registered."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from datetime import date
from decimal import Decimal

from sqlmodel import Session, col, select

from pm_admin.core.clock import local_today
from pm_admin.core.errors import FieldErrors
from pm_admin.core.parsers import parse_day
from pm_admin.core.permissions import Perm, Principal
from pm_admin.core.tables import (
    cell_text,
    read_table,
    restore_text,
)
from pm_admin.owners.models import Gender, Owner, Ownership
from pm_admin.owners.services.owner_input import clean_tags, parse_share
from pm_admin.owners.services.records import id_index
from pm_admin.owners.spreadsheet.columns import (
    CHUNK,
    FALSE_WORDS,
    GENDER_WORDS,
    MAX_BYTES,
    MAX_ROWS,
    TRUE_WORDS,
    Progress,
    map_columns,
)
from pm_admin.owners.validation import (
    Phone,
    id_number_problem,
    normalize_id_number,
    parse_phone,
)
from pm_admin.places.models import Room


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
    started_on = local_today()
    if text.get("started_on"):
        parsed_day = parse_day(text["started_on"])
        if parsed_day is None:
            fail("started_on", "error.date_invalid")
        elif parsed_day > local_today():
            fail("started_on", "error.date_in_future")
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
