"""Owner registry reads: the grid (one row per owner and current room), profiles, exports."""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict
from collections.abc import Iterator
from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from pm_admin.auth.queries import display_names
from pm_admin.billing.models import RoomArrears
from pm_admin.core import change_watch
from pm_admin.core.change_text import value_text
from pm_admin.core.clock import local_text
from pm_admin.core.crypto import blind_index, decrypt
from pm_admin.core.masking import mask_birth_date, mask_id_number, mask_phone
from pm_admin.core.memo import Memo
from pm_admin.core.paging import Page, PageRequest, count, paginate
from pm_admin.core.permissions import Perm, Principal
from pm_admin.owners.models import (
    ChangeRow,
    HouseholdMember,
    MemberRow,
    Occupant,
    OccupantRow,
    OwnedRoom,
    Owner,
    OwnerChange,
    OwnerGridRow,
    OwnerPhone,
    OwnerProfile,
    Ownership,
    OwnerTag,
)
from pm_admin.owners.validation import id_number_problem, normalize_id_number, parse_phone
from pm_admin.places.models import Building, Community, Occupancy, Room, Unit

ROOM_CODE = re.compile(r"^[A-Za-z]\w*-|^\d+(-\d+)*$")
PINYIN = re.compile(r"^[A-Za-z]+$")


@dataclasses.dataclass(frozen=True)
class SearchPlan:
    """How the one search box reads its text."""

    kind: str  # phone | id_number | room | pinyin | name | none
    value: str


def plan_search(text: str) -> SearchPlan:
    text = text.strip()
    if not text:
        return SearchPlan("none", "")
    if (phone := parse_phone(text)) is not None:
        return SearchPlan("phone", blind_index("phone", phone.e164))
    compact = normalize_id_number(text)
    if len(compact) == 18 and id_number_problem(compact) is None:  # 15-digit first-generation IDs never validate
        return SearchPlan("id_number", blind_index("id", compact))
    if ROOM_CODE.match(text):
        return SearchPlan("room", text.upper() if text[0].isalpha() else text)
    if PINYIN.match(text):
        return SearchPlan("pinyin", text.lower())
    return SearchPlan("name", text)


PERSONAL_KINDS = ("phone", "id_number")


def personal_search(text: str) -> bool:
    """The search text is a full phone or ID number: it may be used, never stored or shown in plain."""
    return plan_search(text).kind in PERSONAL_KINDS


def masked_search(text: str) -> str:
    """What may be stored or shown of a search: a phone or ID number masked, anything else as typed."""
    kind = plan_search(text).kind
    if kind == "phone":
        return mask_phone(parse_phone(text).display)
    if kind == "id_number":
        return mask_id_number(normalize_id_number(text))
    return text.strip()


@dataclasses.dataclass(frozen=True)
class OwnerFilter:
    community_id: int | None = None
    building_id: int | None = None
    unit_id: int | None = None
    occupancy: str = ""
    vip: str = ""  # "yes" | "no" | ""
    tag: str = ""
    arrears: str = ""  # "yes" | "no" | ""
    search: str = ""


def _prefix(column, prefix: str) -> sa.ColumnElement[bool]:
    """``column LIKE 'prefix%'`` as a range both SQLite and PostgreSQL answer from a plain index."""
    return sa.and_(column >= prefix, column < prefix[:-1] + chr(ord(prefix[-1]) + 1))


@dataclasses.dataclass(frozen=True)
class _Narrow:
    statement: sa.Select
    selective: bool  # a filter that leaves few rows: sort them rather than walk the room-order index


NAME_MATCH_LIMIT = 5000


def _name_matches(session: Session, text: str) -> list[int] | None:
    """Owner ids whose name contains ``text``, found once (a substring search scans the names);
    None when there are too many to pass on as a list."""
    ids = list(session.scalars(sa.select(Owner.id).where(Owner.name.contains(text, autoescape=True))
                               .limit(NAME_MATCH_LIMIT + 1)).all())
    return ids if len(ids) <= NAME_MATCH_LIMIT else None


def _page_statement(principal: Principal, filters: OwnerFilter, *, joins: frozenset[str] = frozenset(),
                    name_ids: list[int] | None = None) -> _Narrow:
    """Ids of the matching current ownerships.

    Counting and paging run on this narrow statement, driven by the most selective index: a
    filter on rooms or owners becomes ``IN (subquery)`` on that side's index, so the database
    never walks all ownerships to test each one. The wide row (names, places, arrears) is
    fetched for the page's ids afterwards.
    """
    statement = sa.select(Ownership.id).where(col(Ownership.ended_on).is_(None),
                                              principal.scope_clause(Ownership.community_id))
    if filters.community_id:
        statement = statement.where(Ownership.community_id == filters.community_id)
    plan = plan_search(filters.search)
    selective = False
    rooms = sa.select(Room.id)
    if filters.building_id:
        rooms, selective = rooms.where(Room.building_id == filters.building_id), True
    if filters.unit_id:
        rooms, selective = rooms.where(Room.unit_id == filters.unit_id), True
    if filters.occupancy in set(Occupancy):
        rooms = rooms.where(Room.occupancy == Occupancy(filters.occupancy))
    if plan.kind == "room":
        rooms = rooms.where(_prefix(Room.code, plan.value) if plan.value[0].isalpha()
                            else Room.number.contains(plan.value, autoescape=True))
        selective = True
    if rooms.whereclause is not None:
        statement = statement.where(Ownership.room_id.in_(rooms))
    owners = sa.select(Owner.id)
    if filters.vip in ("yes", "no"):
        owners = owners.where(Owner.is_vip == (filters.vip == "yes"))
    if plan.kind == "id_number":
        owners = owners.where(Owner.id_number_index == plan.value)
    elif plan.kind == "pinyin":
        owners = owners.where(sa.or_(_prefix(Owner.name_initials, plan.value), _prefix(Owner.name_pinyin, plan.value)))
    elif plan.kind == "name" and name_ids is None:
        owners = owners.where(Owner.name.contains(plan.value, autoescape=True))
    if name_ids is not None:
        statement = statement.where(col(Ownership.owner_id).in_(name_ids or [0]))
        selective = True
    if owners.whereclause is not None:
        statement = statement.where(Ownership.owner_id.in_(owners))
        selective = selective or plan.kind in ("id_number", "pinyin", "name")
    if plan.kind == "phone":
        statement = statement.where(Ownership.owner_id.in_(
            sa.select(OwnerPhone.owner_id).where(OwnerPhone.phone_index == plan.value)))
        selective = True
    if filters.tag:
        statement = statement.where(Ownership.owner_id.in_(
            sa.select(OwnerTag.owner_id).where(OwnerTag.tag == filters.tag)))
        selective = True
    if filters.arrears in ("yes", "no"):
        owes = sa.select(RoomArrears.room_id).where(RoomArrears.amount > 0)
        statement = statement.where(Ownership.room_id.in_(owes) if filters.arrears == "yes"
                                    else Ownership.room_id.not_in(owes))
        selective = selective or filters.arrears == "yes"
    if "owner" in joins:
        statement = statement.join(Owner, Owner.id == Ownership.owner_id)
    if "room" in joins:
        statement = statement.join(Room, Room.id == Ownership.room_id)
    return _Narrow(statement, selective)


def _wide_statement() -> sa.Select:
    arrears = sa.select(RoomArrears.amount).where(RoomArrears.room_id == Room.id, RoomArrears.amount > 0) \
        .correlate(Room).scalar_subquery()
    return (
        sa.select(Ownership, Owner, Room, Community.name, Building.name, Unit.name, arrears.label("arrears"))
        .join(Room, Room.id == Ownership.room_id)
        .join(Owner, Owner.id == Ownership.owner_id)
        .join(Community, Community.id == Room.community_id)
        .join(Building, Building.id == Room.building_id)
        .join(Unit, Unit.id == Room.unit_id)
    )


@dataclasses.dataclass(frozen=True)
class SortKey:
    expression: sa.ColumnElement | None  # None: the room order itself
    join: str = ""  # the table the narrow statement must join for it: "owner" | "room" | ""


_ARREARS = sa.func.coalesce(
    sa.select(RoomArrears.amount).where(RoomArrears.room_id == Ownership.room_id, RoomArrears.amount > 0)
    .correlate(Ownership).scalar_subquery(), 0)
# Grid columns the grid sorts by, in SQL. Community, building and unit sort in room order (the room's sort
# key reads community → building → unit → floor → number, numbers in natural order); a name by its pinyin.
# Tags, phone and ID number (ciphertext) do not sort.
SORTABLE: dict[str, SortKey] = {
    "room_code": SortKey(None), "community_name": SortKey(None), "building_name": SortKey(None),
    "unit_name": SortKey(None),
    "name": SortKey(Owner.name_pinyin, "owner"), "gender": SortKey(Owner.gender, "owner"),
    "is_vip": SortKey(Owner.is_vip, "owner"),
    "occupancy": SortKey(Room.occupancy, "room"), "area": SortKey(Room.area, "room"),
    "share": SortKey(Ownership.share), "started_on": SortKey(Ownership.started_on), "arrears": SortKey(_ARREARS),
}


def _joins_for(sort: str) -> frozenset[str]:
    key = SORTABLE.get(sort)
    return frozenset({key.join}) if key is not None and key.join else frozenset()


def _sorted(narrow: _Narrow, request: PageRequest) -> sa.Select:
    """Sort the narrow statement (built with the join ``_joins_for`` names for the sort).

    For a selective filter the room order is given as ``sort_key || ''``: an expression no index
    provides, so the database finds the few matches first and sorts them.
    """
    room_order = [Ownership.sort_key.concat("") if narrow.selective else Ownership.sort_key, Ownership.id]
    key = SORTABLE.get(request.sort)
    if key is None or key.expression is None:
        descending = key is not None and request.descending
        return narrow.statement.order_by(*(c.desc() for c in room_order) if descending else room_order)
    order = key.expression.desc() if request.descending else key.expression.asc()
    return narrow.statement.order_by(order, *room_order)


def _phones_by_owner(session: Session, owner_ids: list[int]) -> dict[int, str]:
    primary: dict[int, str] = {}
    if owner_ids:
        for owner_id, token in session.exec(
            select(OwnerPhone.owner_id, OwnerPhone.phone_enc).where(col(OwnerPhone.owner_id).in_(owner_ids),
                                                                      OwnerPhone.is_primary == True)  # noqa: E712
        ).all():
            primary[owner_id] = decrypt(token)
    return primary


def _tags_by_owner(session: Session, owner_ids: list[int]) -> dict[int, list[str]]:
    tags: dict[int, list[str]] = defaultdict(list)
    if owner_ids:
        for owner_id, tag in session.exec(select(OwnerTag.owner_id, OwnerTag.tag)
                                          .where(col(OwnerTag.owner_id).in_(owner_ids)).order_by(OwnerTag.tag)).all():
            tags[owner_id].append(tag)
    return tags


def _grid_rows(session: Session, rows, *, full_pii: bool = False) -> list[OwnerGridRow]:
    owner_ids = sorted({owner.id for _, owner, *_ in rows})
    phones, tags = _phones_by_owner(session, owner_ids), _tags_by_owner(session, owner_ids)
    out = []
    for ownership, owner, room, community_name, building_name, unit_name, arrears in rows:
        phone, id_number = phones.get(owner.id, ""), decrypt(owner.id_number_enc) or ""
        out.append(OwnerGridRow(
            id=ownership.id, owner_id=owner.id, room_id=room.id, room_code=room.code, community_name=community_name,
            building_name=building_name, unit_name=unit_name, occupancy=str(room.occupancy), name=owner.name,
            gender=str(owner.gender), phone=phone if full_pii else mask_phone(phone),
            id_number=id_number if full_pii else mask_id_number(id_number), is_vip=owner.is_vip,
            area=f"{room.area:.2f}", tags="、".join(tags.get(owner.id, [])), share=f"{ownership.share:.2f}",
            started_on=ownership.started_on.isoformat(), arrears=f"{arrears:.2f}" if arrears else "",
            version=owner.version,
        ))
    return out


def owner_grid(session: Session, principal: Principal, request: PageRequest, filters: OwnerFilter) -> Page[OwnerGridRow]:
    principal.require(Perm.OWNERS_VIEW)
    request = request.clamp()
    plan = plan_search(filters.search)
    name_ids = _name_matches(session, plan.value) if plan.kind == "name" else None
    narrow = _page_statement(principal, filters, joins=_joins_for(request.sort), name_ids=name_ids)
    total = count(session, narrow.statement)
    ids = list(session.scalars(paginate(_sorted(narrow, request), request)).all())
    position = {ownership_id: n for n, ownership_id in enumerate(ids)}
    rows = session.execute(_wide_statement().where(col(Ownership.id).in_(ids))).all() if ids else []
    rows = sorted(rows, key=lambda row: position[row[0].id])
    return Page(_grid_rows(session, rows), total, request.page, request.page_size)


def export_rows(session: Session, principal: Principal, filters: OwnerFilter, *, full_pii: bool,
                ownership_ids: list[int] | None = None, sort: str = "", descending: bool = False,
                chunk: int = 2000) -> Iterator[OwnerGridRow]:
    """Every row of the filtered view (or the selected rows), in the grid's order, streamed in chunks."""
    principal.require(Perm.OWNERS_EXPORT)
    if full_pii:
        principal.require(Perm.OWNERS_EXPORT_PII)
    narrow = _page_statement(principal, filters, joins=_joins_for(sort))
    if ownership_ids is not None:
        narrow = _Narrow(narrow.statement.where(col(Ownership.id).in_(ownership_ids)), True)
    ids = list(session.scalars(_sorted(narrow, PageRequest(sort=sort, descending=descending))).all())
    for start in range(0, len(ids), chunk):
        batch = ids[start:start + chunk]
        position = {ownership_id: n for n, ownership_id in enumerate(batch)}
        rows = session.execute(_wide_statement().where(col(Ownership.id).in_(batch))).all()
        yield from _grid_rows(session, sorted(rows, key=lambda row: position[row[0].id]), full_pii=full_pii)


# The tag filter's choices of a scope, remembered for a minute or until a tag or an ownership changes here.
TAGS_TOPIC = "owner_tags"
_tags_in_scope: Memo[list[str]] = Memo(max_age=timedelta(seconds=60), max_entries=512)


def tag_options(session: Session, principal: Principal) -> list[str]:
    principal.require(Perm.OWNERS_VIEW)
    scope = principal.community_filter()
    in_scope = sa.select(Ownership.owner_id).where(principal.scope_clause(Ownership.community_id))

    def read() -> list[str]:
        return list(session.exec(select(OwnerTag.tag).where(col(OwnerTag.owner_id).in_(in_scope)).distinct()
                                 .order_by(OwnerTag.tag).limit(200)).all())

    return change_watch.remembered(_tags_in_scope, session, TAGS_TOPIC, read, scope)


# ---------------------------------------------------------------- detail


def in_reach(principal: Principal, community_column) -> sa.ColumnElement[bool]:
    """Rows of the principal's whole community scope (not narrowed by the header's community switch)."""
    if principal.all_communities:
        return sa.true()
    return community_column.in_(sorted(principal.community_ids)) if principal.community_ids else sa.false()


def change_in_reach(principal: Principal) -> sa.ColumnElement[bool]:
    """History rows about the owner themself, or about a room in the principal's communities: an owner who
    also holds a room elsewhere shows nothing of that room here."""
    if principal.all_communities:
        return sa.true()
    return sa.or_(col(OwnerChange.room_id).is_(None),
                  col(OwnerChange.room_id).in_(sa.select(Room.id).where(in_reach(principal, Room.community_id))))


def _visible_owner(session: Session, principal: Principal, owner_id: int) -> Owner | None:
    principal.require(Perm.OWNERS_VIEW)
    owner = session.get(Owner, owner_id)
    if owner is None:
        return None
    communities = set(session.exec(select(Ownership.community_id).where(Ownership.owner_id == owner_id)).all())
    if not principal.all_communities and not any(principal.can_access_community(c) for c in communities):
        return None
    return owner


def owner_profile(session: Session, principal: Principal, owner_id: int) -> OwnerProfile | None:
    """The owner with personal data masked, or None when missing or outside the principal's scope."""
    owner = _visible_owner(session, principal, owner_id)
    if owner is None:
        return None
    phones = session.exec(select(OwnerPhone.phone_enc).where(OwnerPhone.owner_id == owner.id)
                          .order_by(col(OwnerPhone.is_primary).desc(), OwnerPhone.id)).all()
    tags = session.exec(select(OwnerTag.tag).where(OwnerTag.owner_id == owner.id).order_by(OwnerTag.tag)).all()
    return OwnerProfile(
        id=owner.id, name=owner.name, gender=str(owner.gender),
        birth_date=mask_birth_date(owner.birth_date),
        phones=[mask_phone(decrypt(p)) for p in phones], id_number=mask_id_number(decrypt(owner.id_number_enc)),
        address=owner.address, is_vip=owner.is_vip,
        tags=list(tags), notes=owner.notes, version=owner.version,
    )


def owned_rooms(session: Session, principal: Principal, owner_id: int) -> list[OwnedRoom]:
    if _visible_owner(session, principal, owner_id) is None:
        return []
    rows = session.execute(
        sa.select(Ownership, Room.code, Community.name).join(Room, Room.id == Ownership.room_id)
        .join(Community, Community.id == Room.community_id)
        .where(Ownership.owner_id == owner_id, in_reach(principal, Ownership.community_id))
        .order_by(col(Ownership.ended_on).is_not(None), Ownership.started_on.desc())
    ).all()
    return [OwnedRoom(ownership_id=o.id, room_id=o.room_id, room_code=code, community_name=name,
                      share=f"{o.share:.2f}", started_on=o.started_on.isoformat(),
                      ended_on=o.ended_on.isoformat() if o.ended_on else "", end_reason=o.end_reason)
            for o, code, name in rows]


def household(session: Session, principal: Principal, owner_id: int) -> list[MemberRow]:
    if _visible_owner(session, principal, owner_id) is None:
        return []
    members = session.exec(select(HouseholdMember).where(HouseholdMember.owner_id == owner_id)
                           .order_by(HouseholdMember.id)).all()
    return [MemberRow(id=m.id, relation=str(m.relation), name=m.name, phone=mask_phone(decrypt(m.phone_enc)),
                      id_number=mask_id_number(decrypt(m.id_number_enc)), version=m.version) for m in members]


def occupants(session: Session, principal: Principal, owner_id: int) -> list[OccupantRow]:
    if _visible_owner(session, principal, owner_id) is None:
        return []
    rooms = sa.select(Ownership.room_id).where(Ownership.owner_id == owner_id, col(Ownership.ended_on).is_(None))
    rows = session.execute(
        sa.select(Occupant, Room.code).join(Room, Room.id == Occupant.room_id)
        .where(col(Occupant.room_id).in_(rooms), principal.scope_clause(Occupant.community_id))
        .order_by(col(Occupant.ended_on).is_not(None), Occupant.started_on.desc())
    ).all()
    return [OccupantRow(id=o.id, room_code=code, kind=str(o.kind), name=o.name,
                        phone=mask_phone(decrypt(o.phone_enc)), started_on=o.started_on.isoformat(),
                        ended_on=o.ended_on.isoformat() if o.ended_on else "") for o, code in rows]


def change_history(session: Session, principal: Principal, owner_id: int, language: str,
                   limit: int = 200) -> list[ChangeRow]:
    if _visible_owner(session, principal, owner_id) is None:
        return []
    changes = session.exec(select(OwnerChange).where(OwnerChange.owner_id == owner_id, change_in_reach(principal))
                           .order_by(OwnerChange.occurred_at.desc(), OwnerChange.id.desc()).limit(limit)).all()
    names = display_names(session, {c.actor_name for c in changes})  # staff as people know them, not logins
    return [ChangeRow(occurred_at=local_text(c.occurred_at), actor_name=names[c.actor_name], kind=c.kind, field=c.field,
                      old_value=value_text(c.field, c.old_value, language),
                      new_value=value_text(c.field, c.new_value, language)) for c in changes]


def owners_of_rows(session: Session, principal: Principal, ownership_ids: list[int]) -> list[int]:
    """Owner ids behind grid rows (ownerships) the principal may see."""
    if not ownership_ids:
        return []
    return list(session.exec(select(Ownership.owner_id).where(
        col(Ownership.id).in_(ownership_ids), principal.scope_clause(Ownership.community_id))).all())
