"""Visit plans per community and the tasks they generate, by the daily job and on demand.

Generating is idempotent: a task is one row per plan, period and subject (a unique index), so running again adds only
what is missing — a household that got an owner since, a steward newly given a building. A new task starts with the
visits of its period already recorded (a visit made before the plan existed still counts). Open building and
household tasks follow their building's steward, as census tasks do."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from pm_admin.auth.models import User
from pm_admin.core.audit import record
from pm_admin.core.clock import local_today, utcnow
from pm_admin.core.errors import DomainError, FieldErrors
from pm_admin.core.parsers import parse_choice, parse_date
from pm_admin.core.permissions import SYSTEM, Perm, Principal
from pm_admin.core.scoping import community_of, expect_version, load_scoped
from pm_admin.owners.models import Ownership
from pm_admin.places.models import Building, Community, Room
from pm_admin.visits.models import Met, Method, PlanKind, TaskStatus, Visit, VisitPlan, VisitTask
from pm_admin.visits.periods import Span, task_period

DEFAULT_TARGET = {PlanKind.WEEKLY: 3, PlanKind.QUARTERLY: 1, PlanKind.DOOR_TO_DOOR: 1}  # visits that complete a task
MAX_TARGET = 50


@dataclasses.dataclass
class PlanInput:
    community_id: Any = ""
    kind: str = PlanKind.WEEKLY.value
    target: Any = ""
    times_per_year: Any = "1"
    starts_on: Any = ""
    is_active: bool = True


def _number(errors: FieldErrors, field: str, raw: Any, low: int, high: int) -> int:
    text = str(raw or "").strip()
    if not text.isdigit() or not low <= int(text) <= high:
        errors.add(field, "error.out_of_range", low=low, high=high)
        return low
    return int(text)


def _checked(errors: FieldErrors, data: PlanInput, kind: PlanKind | None) -> dict[str, Any]:
    values: dict[str, Any] = {"is_active": bool(data.is_active)}
    values["starts_on"] = parse_date(errors, "starts_on", data.starts_on or local_today())
    target = str(data.target or "").strip() or str(DEFAULT_TARGET[PlanKind.WEEKLY])
    values["target"] = (_number(errors, "target", target, 1, MAX_TARGET)
                        if kind == PlanKind.WEEKLY else 1)  # a building or a household: one visit does it
    values["times_per_year"] = (_number(errors, "times_per_year", data.times_per_year, 1, 2)
                                if kind == PlanKind.DOOR_TO_DOOR else 1)  # seed 003: 每年登门回访1-2次
    return values


def save_plan(session: Session, *, actor: Principal, data: PlanInput, plan_id: Any = None,
              expected_version: int | None = None) -> VisitPlan:
    """A new plan (one per community and kind), or the plan's target, rounds a year, start and whether it is
    active. Tasks already generated keep their target; the next generation uses the new one."""
    actor.require(Perm.VISITS_PLAN)
    errors = FieldErrors()
    if plan_id:
        plan = load_scoped(session, VisitPlan, plan_id, actor, entity="visit_plan")
        expect_version(plan, expected_version, lambda: {"target": plan.target, "times_per_year": plan.times_per_year,
                                                        "is_active": plan.is_active})
        values = _checked(errors, data, plan.kind)
    else:
        community_id = community_of(errors, actor, data.community_id)
        kind = parse_choice(errors, "kind", data.kind, PlanKind, key="visits.kind_invalid", default=None)
        values = _checked(errors, data, kind)
        if community_id and kind and session.exec(select(VisitPlan.id).where(
                VisitPlan.community_id == community_id, VisitPlan.kind == kind)).first():
            errors.add("kind", "visits.plan_exists")
        plan = VisitPlan(community_id=community_id or 0, kind=kind or PlanKind.WEEKLY, updated_by=actor.username,
                         starts_on=values["starts_on"] or local_today())
    errors.raise_if_any()
    for name, value in values.items():
        setattr(plan, name, value)
    plan.updated_by, plan.updated_at = actor.username, utcnow()
    session.add(plan)
    session.flush()
    record(session, action="visit.plan_save", actor=actor, entity_type="visit_plan", entity_id=plan.id,
           community_id=plan.community_id, details={"kind": str(plan.kind), **{k: str(v) for k, v in values.items()}})
    return plan


# ---------------------------------------------------------------- generating tasks


@dataclasses.dataclass(frozen=True)
class Subject:
    key: str
    assignee_id: int | None
    building_id: int | None = None
    room_id: int | None = None


def household_clause() -> sa.ColumnElement[bool]:
    """``Room`` is a household: it has a current owner (as the census counts them)."""
    return col(Room.id).in_(sa.select(Ownership.room_id).where(col(Ownership.ended_on).is_(None)))


def _subjects(session: Session, kind: PlanKind, community_id: int) -> list[Subject]:
    if kind == PlanKind.WEEKLY:  # the stewards the community's buildings name (active accounts)
        stewards = session.scalars(sa.select(Building.steward_user_id).join(User, User.id == Building.steward_user_id)
                                   .where(Building.community_id == community_id, User.is_active == sa.true())
                                   .distinct()).all()
        return [Subject(f"u{user_id}", user_id) for user_id in sorted(stewards)]
    if kind == PlanKind.QUARTERLY:
        return [Subject(f"b{building_id}", steward, building_id) for building_id, steward in session.execute(
            sa.select(Building.id, Building.steward_user_id).where(Building.community_id == community_id)
            .order_by(Building.id)).all()]
    households = session.execute(
        sa.select(Room.id, Room.building_id, Building.steward_user_id).join(Building, Building.id == Room.building_id)
        .where(Room.community_id == community_id, household_clause()).order_by(Room.sort_key)).all()
    return [Subject(f"r{room_id}", steward, building_id, room_id) for room_id, building_id, steward in households]


def counting_clause(kind: PlanKind) -> sa.ColumnElement[bool]:
    """Which visits count towards a task of ``kind``: every visit that reached the household (someone met); for
    the door-to-door round only those made at the door (登门)."""
    reached = Visit.met != Met.NOBODY
    return sa.and_(reached, Visit.method == Method.DOOR) if kind == PlanKind.DOOR_TO_DOOR else reached


def counts_towards(kind: PlanKind, method: Method, met: Met) -> bool:
    """``counting_clause`` for one visit."""
    return met != Met.NOBODY and (kind != PlanKind.DOOR_TO_DOOR or method == Method.DOOR)


def _counted(session: Session, kind: PlanKind, community_id: int, period: Span) -> dict[str, int]:
    """Visits already recorded in the period, per subject."""
    column, prefix = {PlanKind.WEEKLY: (Visit.visitor_id, "u"), PlanKind.QUARTERLY: (Visit.building_id, "b"),
                      PlanKind.DOOR_TO_DOOR: (Visit.room_id, "r")}[kind]
    return {f"{prefix}{key}": n for key, n in session.execute(
        sa.select(column, sa.func.count(Visit.id)).where(
            Visit.community_id == community_id, Visit.visited_on >= period.start, Visit.visited_on <= period.end,
            counting_clause(kind)).group_by(column)).all()}


def _follow_stewards(session: Session, plan: VisitPlan, period: Span) -> None:
    """Open building and household tasks go to whom their building names now."""
    steward = sa.select(Building.steward_user_id).where(Building.id == VisitTask.building_id).scalar_subquery()
    session.execute(sa.update(VisitTask).where(
        VisitTask.plan_id == plan.id, VisitTask.period == period.code, VisitTask.status == TaskStatus.PENDING,
        VisitTask.kind != PlanKind.WEEKLY, col(VisitTask.building_id).is_not(None),
        col(VisitTask.assignee_id).is_distinct_from(steward))
        .values(assignee_id=steward).execution_options(synchronize_session=False))


def _generate_plan(session: Session, plan: VisitPlan, day: date) -> int:
    period = task_period(plan.kind, day, plan.times_per_year)
    if period.end < plan.starts_on:
        return 0
    existing = set(session.scalars(sa.select(VisitTask.subject).where(VisitTask.plan_id == plan.id,
                                                                       VisitTask.period == period.code)).all())
    missing = [s for s in _subjects(session, plan.kind, plan.community_id) if s.key not in existing]
    counted = _counted(session, plan.kind, plan.community_id, period) if missing else {}
    now = utcnow()
    rows = [{"plan_id": plan.id, "community_id": plan.community_id, "kind": plan.kind.value, "period": period.code,
             "starts_on": period.start, "ends_on": period.end, "subject": s.key, "assignee_id": s.assignee_id,
             "building_id": s.building_id, "room_id": s.room_id, "target": plan.target,
             "visits": counted.get(s.key, 0),
             "status": (TaskStatus.DONE if counted.get(s.key, 0) >= plan.target else TaskStatus.PENDING).value,
             "completed_at": now if counted.get(s.key, 0) >= plan.target else None, "created_at": now}
            for s in missing]
    if rows:
        session.execute(sa.insert(VisitTask), rows)
    if plan.kind != PlanKind.WEEKLY:  # a weekly round is the steward's own, not a building's
        _follow_stewards(session, plan, period)
    return len(rows)


def _generate(session: Session, actor: Principal, plan: VisitPlan, day: date) -> int:
    created = _generate_plan(session, plan, day)
    if created or not actor.is_system:  # the daily job logs only what it created
        record(session, action="visit.generate", actor=actor, entity_type="visit_plan", entity_id=plan.id,
               community_id=plan.community_id, details={"day": day.isoformat(), "tasks": created})
    return created


def generate(session: Session, *, actor: Principal, plan_id: Any, day: date | None = None) -> int:
    """On demand: the plan's tasks for the period containing ``day`` (today); returns how many were new. A paused
    plan generates nothing."""
    actor.require(Perm.VISITS_PLAN)
    plan = load_scoped(session, VisitPlan, plan_id, actor, entity="visit_plan")
    if not plan.is_active:
        raise DomainError("visits.plan_paused_generate")
    return _generate(session, actor, plan, day or local_today())


def generate_all(session: Session, day: date | None = None) -> int:
    """The daily job: every active plan of an active community, for the periods containing ``day`` (today)."""
    day = day or local_today()
    active = session.exec(select(VisitPlan).join(Community, Community.id == VisitPlan.community_id).where(
        VisitPlan.is_active == sa.true(), Community.is_active == sa.true()).order_by(VisitPlan.id)).all()
    return sum(_generate(session, SYSTEM, plan, day) for plan in active)
