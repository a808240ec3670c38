"""Census reads: one's tasks (cs or steward, as the community chose) and completion per community."""

from __future__ import annotations

import dataclasses

import sqlalchemy as sa
from sqlmodel import Session, col

from pm_admin.auth.models import User
from pm_admin.census.models import CensusTask, CompletionRow, TaskRow, TaskStatus
from pm_admin.core.clock import local_text
from pm_admin.core.paging import Page, PageRequest, count, paginate
from pm_admin.core.permissions import Perm, Principal
from pm_admin.owners.models import Owner
from pm_admin.places.models import Community, Room


@dataclasses.dataclass(frozen=True)
class TaskFilter:
    quarter: str
    mine: bool = True
    pending_only: bool = True


def tasks(session: Session, principal: Principal, request: PageRequest, filters: TaskFilter) -> Page[TaskRow]:
    principal.require(Perm.CENSUS_WORK)
    request = request.clamp()
    statement = sa.select(CensusTask.id).where(CensusTask.quarter == filters.quarter,
                                               principal.scope_clause(CensusTask.community_id))
    if filters.mine:  # an unassigned task (no cs in the community, no steward on the building) is anyone's to take
        statement = statement.where(sa.or_(CensusTask.assignee_id == principal.user_id,
                                           CensusTask.assignee_id.is_(None)))
    if filters.pending_only:
        statement = statement.where(CensusTask.status == TaskStatus.PENDING)
    total = count(session, statement)
    ordered = statement.join(Room, Room.id == CensusTask.room_id).order_by(Room.sort_key, CensusTask.id)
    ids = list(session.scalars(paginate(ordered, request)).all())
    rows = session.execute(
        sa.select(CensusTask, Room.code, Owner.name, User.display_name).join(Room, Room.id == CensusTask.room_id)
        .join(Owner, Owner.id == CensusTask.owner_id).outerjoin(User, User.id == CensusTask.assignee_id)
        .where(col(CensusTask.id).in_(ids)).order_by(Room.sort_key)).all() if ids else []
    return Page([TaskRow(id=t.id, room_code=code, owner_id=t.owner_id, owner_name=name, assignee=assignee or "",
                         status=str(t.status), note=t.note, completed_at=local_text(t.completed_at),
                         version=t.version)
                 for t, code, name, assignee in rows], total, request.page, request.page_size)


def completion(session: Session, principal: Principal, quarter: str) -> list[CompletionRow]:
    """Done / total per community for the quarter (seed 4.4.2: every household each quarter)."""
    principal.require(Perm.CENSUS_WORK)
    done = sa.func.sum(sa.case((CensusTask.status != TaskStatus.PENDING, 1), else_=0))
    changed = sa.func.sum(sa.case((CensusTask.status == TaskStatus.CHANGED, 1), else_=0))
    rows = session.execute(
        sa.select(Community.id, Community.name, sa.func.count(CensusTask.id), done, changed)
        .join(CensusTask, CensusTask.community_id == Community.id)
        .where(CensusTask.quarter == quarter, principal.scope_clause(Community.id))
        .group_by(Community.id, Community.name).order_by(Community.code)).all()
    return [CompletionRow(community_id=cid, community_name=name, total=total, done=int(d or 0), changed=int(c or 0),
                          percent=round(100 * int(d or 0) / total) if total else 0)
            for cid, name, total, d, c in rows]
