"""Quarterly census: open a quarter's tasks per household; whom the community gives its household work (cs by
default, or the building's steward) completes them."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, col, select

from pm_admin.census.models import CensusTask, TaskStatus
from pm_admin.core.audit import record
from pm_admin.core.clock import local_today, utcnow
from pm_admin.core.errors import ConcurrencyConflict, FieldErrors, NotFound, PermissionDenied, ValidationFailed
from pm_admin.core.permissions import SYSTEM, Perm, Principal
from pm_admin.core.scoping import load_scoped
from pm_admin.household_work.services import assignees
from pm_admin.owners.models import OwnerChange, Ownership
from pm_admin.places.models import Community, Room


def quarter_of(day: date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def open_quarter(session: Session, *, actor: Principal, community_id: int, quarter: str | None = None) -> int:
    """A task for each household (room with a current owner) not yet in the quarter; returns how many.

    Each goes to whom the community gives its household work (``household_work``: its cs staff, the least busy
    first, or the building's steward). Safe to repeat (the daily job does, with ``actor=SYSTEM``): households that
    got an owner since are added.
    """
    actor.require(Perm.CENSUS_MANAGE)
    if session.get(Community, community_id) is None:
        raise NotFound("community")
    actor.require_community(community_id)
    quarter = quarter or quarter_of(local_today())
    existing = set(session.exec(select(CensusTask.room_id).where(CensusTask.quarter == quarter,
                                                                 CensusTask.community_id == community_id)).all())
    households = [row for row in session.execute(
        sa.select(Room.id, Room.building_id, sa.func.min(Ownership.owner_id))
        .join(Ownership, Ownership.room_id == Room.id)
        .where(Room.community_id == community_id, col(Ownership.ended_on).is_(None))
        .group_by(Room.id, Room.building_id, Room.sort_key).order_by(Room.sort_key)).all() if row[0] not in existing]
    people = assignees(session, community_id, [building_id for _, building_id, _ in households])
    tasks = [{"quarter": quarter, "room_id": room_id, "community_id": community_id, "building_id": building_id,
              "owner_id": owner_id, "assignee_id": assignee, "status": TaskStatus.PENDING.value, "note": "",
              "changed_fields": "", "completed_by": "", "created_at": utcnow(), "version": 1}
             for (room_id, building_id, owner_id), assignee in zip(households, people, strict=True)]
    if tasks:
        session.execute(sa.insert(CensusTask), tasks)
    if tasks or not actor.is_system:  # the daily job logs only the quarters it opened
        record(session, action="census.open_quarter", actor=actor,
               entity_type="community", entity_id=community_id, community_id=community_id,
               details={"quarter": quarter, "tasks": len(tasks)})
    return len(tasks)


def open_current_quarters(session: Session, today: date | None = None) -> int:
    """The daily job: every community's census for the quarter of ``today``; returns tasks created."""
    quarter = quarter_of(today or local_today())
    return sum(open_quarter(session, actor=SYSTEM, community_id=community_id, quarter=quarter)
               for community_id in session.exec(select(Community.id).where(Community.is_active)).all())


def complete_task(session: Session, *, actor: Principal, task_id: int, changed: bool, note: str = "",
                  expected_version: int | None = None) -> CensusTask:
    """Confirmed (nothing changed) or changed: then the changes must already be in the owner's history,
    entered through the owner page, so they flow into 信息变更记录 like any other edit. The result, with what
    changed, goes on the owner timeline (``census.owner_timeline``).

    ``expected_version`` is the task as the user saw it: of two people completing it at once, one wins and the
    other is told who did it.
    """
    actor.require(Perm.CENSUS_WORK)
    task = load_scoped(session, CensusTask, task_id, actor, entity="census task")
    if task.assignee_id not in (None, actor.user_id) and not actor.has(Perm.CENSUS_MANAGE):
        raise PermissionDenied("census.not_your_task")
    if expected_version is not None and task.version != expected_version and task.status == TaskStatus.PENDING:
        raise ConcurrencyConflict({"status": str(task.status), "completed_by": task.completed_by})
    note = note.strip()
    errors = FieldErrors()
    if task.status != TaskStatus.PENDING:
        raise _already_done(task)
    fields = changes_since(session, task) if changed else []
    if changed and not fields:
        errors.add("note", "census.no_changes_recorded")
    if len(note) > 300:
        errors.add("note", "error.too_long", max=300)
    errors.raise_if_any()
    status = TaskStatus.CHANGED if changed else TaskStatus.CONFIRMED
    changed_fields = ",".join(fields)[:300]
    # Completed only while still pending at the version read: the second of two completions changes no row.
    done = session.execute(
        sa.update(CensusTask)
        .where(CensusTask.id == task.id, CensusTask.status == TaskStatus.PENDING, CensusTask.version == task.version)
        .values(status=status, note=note, completed_at=utcnow(), completed_by=actor.username,
                changed_fields=changed_fields, version=CensusTask.version + 1)
        .execution_options(synchronize_session=False)).rowcount
    session.refresh(task)
    if done != 1:
        raise _already_done(task)
    record(session, action="census.complete", actor=actor, entity_type="room", entity_id=task.room_id,
           community_id=task.community_id,
           details={"quarter": task.quarter, "status": str(task.status), "changed": fields, "note": note})
    return task


def _already_done(task: CensusTask) -> ValidationFailed:
    return ValidationFailed({"note": ("census.already_done_by", {"name": task.completed_by or "—"})})


def changes_since(session: Session, task: CensusTask) -> list[str]:
    """The fields changed since the task opened for any current owner of the household, or for the room itself
    (tenants), in the order first changed: what "有变化" claims must be in the registry's history."""
    owners = select(Ownership.owner_id).where(Ownership.room_id == task.room_id, col(Ownership.ended_on).is_(None))
    rows = session.exec(select(OwnerChange.field).where(
        OwnerChange.occurred_at >= task.created_at,
        sa.or_(col(OwnerChange.owner_id).in_(owners), OwnerChange.room_id == task.room_id))
        .order_by(OwnerChange.occurred_at, OwnerChange.id)).all()
    return list(dict.fromkeys(rows))
