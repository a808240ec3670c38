"""What staff read about owner accounts: the current owners of their rooms with the state of each one's account."""

from __future__ import annotations

import dataclasses

import sqlalchemy as sa
from sqlmodel import Session, col, select

from pm_admin.core.clock import local_text, local_today
from pm_admin.core.paging import Page, PageRequest, count, order_by, paginate
from pm_admin.core.permissions import Perm, Principal
from pm_admin.owners.models import Owner, Ownership
from pm_admin.places.models import Room
from pm_admin.portal.models import AccountStatus, OwnerAccount, PersonKind

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
