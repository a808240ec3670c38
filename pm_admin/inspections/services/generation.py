"""Giving out tasks: each active schedule gets one task for the period holding the day (the daily job, a manager's
"generate now", a schedule saved). Idempotent: a unique (schedule, period) row, inserted unless taken, so running
twice, or two workers at once, gives out one task."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, col, select

from pm_admin.core.db import insert_unless_taken
from pm_admin.core.permissions import Perm, Principal
from pm_admin.inspections.models import Equipment, InspectionSchedule, InspectionTask, InspectionTemplate
from pm_admin.inspections.recurrence import period_of
from pm_admin.inspections.services.common import audit
from pm_admin.places.models import Building, Community


def equipment_place(equipment: Equipment) -> str:
    return f"{equipment.name}（{equipment.location}）" if equipment.location else equipment.name


def place_of(session: Session, schedule: InspectionSchedule) -> str:
    """Where the task is done, as the technician and the notice read it: the equipment, else the building, else the
    whole community."""
    if schedule.equipment_id is not None:
        return equipment_place(session.get(Equipment, schedule.equipment_id))
    if schedule.building_id is not None:
        return session.get(Building, schedule.building_id).name
    return session.get(Community, schedule.community_id).name


def give_out(session: Session, schedule: InspectionSchedule, today: date) -> int | None:
    """The task of the period holding ``today``; its id, or None when the schedule is paused, not started or
    already has it."""
    if not schedule.is_active or today < schedule.starts_on:
        return None
    start, due = period_of(schedule.recurrence, today)
    template = session.get(InspectionTemplate, schedule.template_id)
    return insert_unless_taken(session, InspectionTask(
        community_id=schedule.community_id, schedule_id=schedule.id, template_id=template.id,
        category=template.category, title=template.name, place=place_of(session, schedule)[:160],
        building_id=schedule.building_id, equipment_id=schedule.equipment_id, items=list(template.items),
        period_start=start, due_on=due, assignee_id=schedule.assignee_id))


def _give_out_all(session: Session, actor: Principal, today: date, communities: frozenset[int] | None) -> int:
    statement = select(InspectionSchedule).where(InspectionSchedule.is_active == sa.true())
    if communities is not None:
        statement = statement.where(col(InspectionSchedule.community_id).in_(sorted(communities)))
    given: dict[int, int] = {}
    for schedule in session.exec(statement.order_by(InspectionSchedule.id)).all():
        if give_out(session, schedule, today) is not None:
            given[schedule.community_id] = given.get(schedule.community_id, 0) + 1
    for community_id, count in sorted(given.items()):
        audit(session, actor, "inspection.generate", "community", community_id, community_id, tasks=count,
              day=today.isoformat())
    return sum(given.values())


def generate_due(session: Session, today: date, actor: Principal) -> int:
    """The daily job: every community's schedules. How many tasks were given out."""
    return _give_out_all(session, actor, today, None)


def generate_now(session: Session, *, actor: Principal, today: date) -> int:
    """A manager's "generate now": the schedules of the communities the manager's pages show."""
    actor.require(Perm.INSPECTIONS_MANAGE)
    return _give_out_all(session, actor, today, actor.community_filter())
