"""What staff read about owner accounts: the current owners of their rooms with the state of each one's account;
and the owners' contact change requests to decide."""

from __future__ import annotations

import dataclasses

import sqlalchemy as sa
from sqlmodel import Session, col, select

from pm_admin.core.clock import local_text, local_today
from pm_admin.core.masking import mask_phone
from pm_admin.core.paging import Page, PageRequest, count, order_by, paginate
from pm_admin.core.permissions import Perm, Principal
from pm_admin.owners.models import Owner, Ownership
from pm_admin.owners.services.records import owner_phones
from pm_admin.places.models import Community, Room
from pm_admin.portal.models import AccountStatus, ContactRequest, OwnerAccount, PersonKind, RequestStatus

NOT_INVITED = "none"
STATUSES = (NOT_INVITED, *[s.value for s in AccountStatus])


@dataclasses.dataclass(frozen=True)
class AccountFilter:
    community_id: int | None = None
    building_id: int | None = None
    unit_id: int | None = None
    status: str = ""
    q: str = ""


def _current_owners(principal: Principal, filters: AccountFilter):
    today = local_today()
    status = sa.func.coalesce(sa.type_coerce(OwnerAccount.status, sa.String), NOT_INVITED, type_=sa.String)
    statement = (select(Ownership.id, Ownership.owner_id, Ownership.room_id, Room.code, Owner.name,
                        status.label("status"), OwnerAccount.id, OwnerAccount.activated_at, OwnerAccount.disabled_reason,
                        OwnerAccount.version)
                 .join(Room, Room.id == Ownership.room_id).join(Owner, Owner.id == Ownership.owner_id)
                 .outerjoin(OwnerAccount, sa.and_(OwnerAccount.person_kind == PersonKind.OWNER,
                                                  OwnerAccount.person_id == Ownership.owner_id))
                 .where(sa.or_(col(Ownership.ended_on).is_(None), Ownership.ended_on > today),
                        principal.scope_clause(Ownership.community_id)))
    for column, value in ((Ownership.community_id, filters.community_id), (Room.building_id, filters.building_id),
                          (Room.unit_id, filters.unit_id)):
        if value:
            statement = statement.where(column == value)
    if filters.status in STATUSES:
        statement = statement.where(status == filters.status)
    if filters.q:
        statement = statement.where(sa.or_(col(Owner.name).contains(filters.q), col(Room.code).contains(filters.q)))
    return statement


def owner_accounts(session: Session, principal: Principal, request: PageRequest, filters: AccountFilter) -> Page:
    """One row per current owner and room, paged in SQL, with the account's state (none = not invited yet)."""
    principal.require(Perm.OWNER_ACCOUNTS_MANAGE)
    statement = _current_owners(principal, filters)
    total = count(session, statement)
    statement = order_by(statement, request, {"room_code": Ownership.sort_key, "name": Owner.name},
                         [Ownership.sort_key, Ownership.id])
    rows = session.exec(paginate(statement, request)).all()
    return Page([{"id": ownership_id, "owner_id": owner_id, "room_id": room_id, "room_code": code, "name": name,
                  "status": status, "account_id": account_id or 0, "activated_at": local_text(activated_at),
                  "disabled_reason": reason or "", "version": version or 0}
                 for (ownership_id, owner_id, room_id, code, name, status, account_id, activated_at, reason, version)
                 in rows], total, request.page, request.page_size)


def owners_to_invite(session: Session, principal: Principal, building_id: int) -> list[tuple[int, str, str]]:
    """(owner id, room code, name) of a building's current owners whose account is not active or disabled."""
    principal.require(Perm.OWNER_ACCOUNTS_MANAGE)
    statement = _current_owners(principal, AccountFilter(building_id=building_id)).where(sa.or_(
        col(OwnerAccount.id).is_(None), OwnerAccount.status == AccountStatus.INVITED))
    return [(row[1], row[3], row[4]) for row in session.exec(statement.order_by(Ownership.sort_key)).all()]


# ------------------------------------------------------------------ owners' contact change requests

REQUEST_STATUSES = tuple(s.value for s in RequestStatus)


@dataclasses.dataclass(frozen=True)
class RequestFilter:
    community_id: int | None = None
    status: str = ""
    q: str = ""


def contact_requests(session: Session, principal: Principal, request: PageRequest, filters: RequestFilter) -> Page:
    """Owners' contact change requests of the user's communities, newest first: what would change (phones masked,
    typed or stored) next to what is stored now."""
    principal.require(Perm.OWNERS_EDIT)
    statement = (select(ContactRequest, Owner.name, Owner.address, Community.name)
                 .join(Owner, Owner.id == ContactRequest.owner_id)
                 .join(Community, Community.id == ContactRequest.community_id)
                 .where(principal.scope_clause(ContactRequest.community_id)))
    if filters.community_id:
        statement = statement.where(ContactRequest.community_id == filters.community_id)
    if filters.status in REQUEST_STATUSES:
        statement = statement.where(ContactRequest.status == filters.status)
    if filters.q:
        statement = statement.where(col(Owner.name).contains(filters.q))
    total = count(session, statement)
    statement = order_by(statement, request, {"created_at": ContactRequest.id, "name": Owner.name},
                         [col(ContactRequest.id).desc()])
    rows = session.exec(paginate(statement, request)).all()
    owner_ids = {row[0].owner_id for row in rows}
    rooms: dict[int, list[str]] = {}
    today = local_today()
    for owner_id, code in session.exec(select(Ownership.owner_id, Room.code).join(Room, Room.id == Ownership.room_id)
                                       .where(col(Ownership.owner_id).in_(sorted(owner_ids)), sa.or_(
                                           col(Ownership.ended_on).is_(None), Ownership.ended_on > today))
                                       .order_by(Ownership.sort_key)).all():
        rooms.setdefault(owner_id, []).append(code)
    page_rows = []
    for contact, name, address, community in rows:
        phones = [mask_phone(p) for p in owner_phones(session, contact.owner_id)] if contact.status == "pending" else []
        page_rows.append({
            "id": contact.id, "owner_id": contact.owner_id, "name": name, "community": community,
            "rooms": "、".join(rooms.get(contact.owner_id, [])), "created_at": local_text(contact.created_at),
            "phone": contact.phone_masked, "phone2": contact.phone2_masked, "drop_phone2": contact.drop_phone2,
            "address": contact.address or "", "address_changed": contact.address is not None,
            "current_phone": phones[0] if phones else "", "current_phone2": phones[1] if len(phones) > 1 else "",
            "current_address": address if contact.status == "pending" else "",
            "status": str(contact.status), "reason": contact.reason, "decided_by": contact.decided_by_name,
            "decided_at": local_text(contact.decided_at), "version": contact.version})
    return Page(page_rows, total, request.page, request.page_size)
