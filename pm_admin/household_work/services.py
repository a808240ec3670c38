"""Who does a household's quarterly census and arrears follow-up (seed 001 §篇3 4.4.2).

Each community chooses (``Community.household_work_role``, set on the community form): its 客服专员, the seed's
rule and the default, or the steward 管家 of the household's building.

With cs, new work goes to the community's active cs staff with the fewest open tasks (pending census tasks plus
open arrears cases, in every community they serve), ties to the lowest user id; a batch (a quarter's census) is
shared out the same way, each person's share a contiguous run of households in room order. Fewest-open rather
than round robin: it keeps no stored turn that two transactions could race on, it evens out by itself when
someone joins, leaves or works faster, and one person's census tasks stay neighbours.

Open work that no longer fits the choice moves to whom the choice names now: at once when the role or a
building's steward changes (``places.events.HouseholdWorkChanged``), and in the daily job for staff changes (a cs removed from the
community or disabled). With no cs in the community, or no steward on the building, the work is unassigned:
any colleague with the permission may take it. Finished census tasks and logged follow-ups stay with whoever
did them.
"""

from __future__ import annotations

import dataclasses
import heapq
import itertools
from collections import Counter
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session

from pm_admin.auth.models import User, UserCommunity, UserRole
from pm_admin.core.audit import record
from pm_admin.core.events import require_installed
from pm_admin.core.permissions import SYSTEM, Principal, Role
from pm_admin.places.events import HouseholdWorkChanged
from pm_admin.places.models import Building, Community, HouseholdWorkRole, Room

UPDATE_BATCH = 500


@dataclasses.dataclass(frozen=True)
class WorkKind:
    """A kind of household work (census tasks, arrears cases): a table with ``room_id``, ``community_id``,
    ``building_id`` and ``assignee_id``, and what makes one of its rows still open."""

    model: Any
    is_open: ColumnElement[bool]


_KINDS: list[WorkKind] = []


def register_work(model: Any, is_open: ColumnElement[bool]) -> None:
    """Called by ``pm_admin.wiring`` for each kind of work (the domains that own them sit above this one)."""
    if all(kind.model is not model for kind in _KINDS):
        _KINDS.append(WorkKind(model, is_open))


def work_kinds() -> list[WorkKind]:
    require_installed()
    return list(_KINDS)


def community_cs(session: Session, community_id: int) -> list[int]:
    """The active 客服专员 of the community, by user id."""
    return list(session.scalars(
        sa.select(User.id).join(UserRole, UserRole.user_id == User.id)
        .join(UserCommunity, UserCommunity.user_id == User.id)
        .where(UserRole.role_code == Role.CS.value, UserCommunity.community_id == community_id,
               User.is_active == sa.true())
        .order_by(User.id)).all())


def open_work(session: Session, user_ids: Sequence[int]) -> dict[int, int]:
    """Open household work (pending census tasks + open arrears cases) per user, in every community."""
    loads = dict.fromkeys(user_ids, 0)
    for model, is_open in ((kind.model, kind.is_open) for kind in work_kinds()):
        for user_id, count in session.execute(
                sa.select(model.assignee_id, sa.func.count()).where(is_open, model.assignee_id.in_(list(user_ids)))
                .group_by(model.assignee_id)).all():
            loads[user_id] += count
    return loads


def share_out(loads: dict[int, int], count: int) -> list[int]:
    """``count`` new tasks, each to whoever has the fewest open ones at that moment (ties: the lowest id), listed
    person by person: handed out along households in room order, each person gets a contiguous run."""
    heap = [(load, user_id) for user_id, load in loads.items()]
    heapq.heapify(heap)
    shares: Counter[int] = Counter()
    for _ in range(count):
        load, user_id = heapq.heappop(heap)
        shares[user_id] += 1
        heapq.heappush(heap, (load + 1, user_id))
    return [user_id for user_id in sorted(shares) for _ in range(shares[user_id])]


def assignees(session: Session, community_id: int, building_ids: Sequence[int]) -> list[int | None]:
    """Who takes each new task of the community, for households of these buildings (given in room order)."""
    if session.get(Community, community_id).household_work_role == HouseholdWorkRole.STEWARD:
        stewards = dict(session.execute(sa.select(Building.id, Building.steward_user_id)
                                        .where(Building.id.in_(set(building_ids)))).all())
        return [stewards.get(building_id) for building_id in building_ids]
    staff = community_cs(session, community_id)
    if not staff:
        return [None] * len(building_ids)
    return share_out(open_work(session, staff), len(building_ids))


def reassign(session: Session, community_id: int, actor: Principal = SYSTEM) -> dict[str, int]:
    """Open work of the community whose assignee no longer fits its choice goes to whom it names now; returns
    how many items moved per table (audited when any did)."""
    session.flush()  # what the caller changed is written before the bulk updates (and the expiry) below
    role = session.get(Community, community_id).household_work_role
    moved: dict[str, int] = {}
    if role == HouseholdWorkRole.STEWARD:
        for model, is_open in ((kind.model, kind.is_open) for kind in work_kinds()):
            steward = sa.select(Building.steward_user_id).where(Building.id == model.building_id).scalar_subquery()
            moved[model.__tablename__] = session.execute(
                sa.update(model).where(model.community_id == community_id, is_open,
                                       model.assignee_id.is_distinct_from(steward))
                .values(assignee_id=steward).execution_options(synchronize_session=False)).rowcount or 0
    else:
        staff = community_cs(session, community_id)
        loads = open_work(session, staff)
        for model, is_open in ((kind.model, kind.is_open) for kind in work_kinds()):
            misfit = (sa.or_(model.assignee_id.is_(None), model.assignee_id.not_in(staff)) if staff
                      else model.assignee_id.is_not(None))
            ids = list(session.scalars(
                sa.select(model.id).join(Room, Room.id == model.room_id)
                .where(model.community_id == community_id, is_open, misfit).order_by(Room.sort_key, model.id)).all())
            targets = share_out(loads, len(ids)) if staff else [None] * len(ids)
            for user_id, pairs in itertools.groupby(zip(targets, ids, strict=True), key=lambda pair: pair[0]):
                batch = [item_id for _, item_id in pairs]
                for start in range(0, len(batch), UPDATE_BATCH):
                    session.execute(sa.update(model).where(model.id.in_(batch[start:start + UPDATE_BATCH]))
                                    .values(assignee_id=user_id).execution_options(synchronize_session=False))
                if user_id is not None:
                    loads[user_id] += len(batch)
            moved[model.__tablename__] = len(ids)
    if any(moved.values()):
        session.expire_all()  # loaded tasks and cases show their new assignee
        record(session, action="household_work.reassign", actor=actor,
               entity_type="community", entity_id=community_id, community_id=community_id,
               details={"role": str(role), **moved})
    return moved


def reassign_all(session: Session) -> int:
    """The daily job: every active community's open work in line with its choice; returns how many items moved."""
    return sum(sum(reassign(session, community_id).values())
               for community_id in session.scalars(sa.select(Community.id).where(Community.is_active)).all())


def follow_change(session: Session, event: HouseholdWorkChanged) -> None:
    reassign(session, event.community_id, event.actor)
