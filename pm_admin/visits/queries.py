"""Reads of the visit programme, within the principal's communities: tasks, visit records with their issues, the
promised replies, the plans, and the home page's counts.

A task is **open** while pending and its period has not ended, **done** at its target, **missed** when its period
ended first. A promised reply is **due** from the day before its date (when the visitor is reminded) until it is
replied, **overdue** after its date."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from pm_admin.auth.models import User
from pm_admin.auth.queries import display_names
from pm_admin.core.clock import local_text, local_today
from pm_admin.core.paging import Page, PageRequest, count, order_by, paginate
from pm_admin.core.permissions import Perm, Principal
from pm_admin.owners.models import Owner, Ownership
from pm_admin.places.models import Building, Community, Room
from pm_admin.tickets.models import Ticket
from pm_admin.visits.models import PlanKind, TaskStatus, Visit, VisitIssue, VisitPlan, VisitTask
from pm_admin.visits.periods import task_period
from pm_admin.visits.services.replies import REMIND_DAYS_BEFORE

TASK_STATES = ("open", "done", "missed")
REPLY_STATES = ("open", "due", "replied")
EXCERPT = 60


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat[:EXCERPT] + ("…" if len(flat) > EXCERPT else "")


def count_if(clause: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
    return sa.func.coalesce(sa.func.sum(sa.case((clause, 1), else_=0)), 0)


def current_owner_name() -> sa.ScalarSelect:
    """The first current owner of the row's room (a correlated subquery on ``Room.id``)."""
    return (sa.select(Owner.name).join(Ownership, Ownership.owner_id == Owner.id)
            .where(Ownership.room_id == Room.id, col(Ownership.ended_on).is_(None))
            .order_by(Ownership.id).limit(1).scalar_subquery())


# ---------------------------------------------------------------- tasks


@dataclasses.dataclass(frozen=True)
class TaskFilter:
    community_id: int | None = None
    kind: str = ""
    state: str = ""  # open | done | missed
    mine: bool = False  # assigned to the user, or to nobody (anyone of the community may take it)
    room: str = ""  # households whose room code begins so (the door-to-door round's tasks)


def task_state_clause(state: str, today: date) -> sa.ColumnElement[bool] | None:
    if state == "open":
        return sa.and_(VisitTask.status == TaskStatus.PENDING, VisitTask.ends_on >= today)
    if state == "missed":
        return sa.and_(VisitTask.status == TaskStatus.PENDING, VisitTask.ends_on < today)
    if state == "done":
        return VisitTask.status == TaskStatus.DONE
    return None


def room_clause(text: str) -> sa.ColumnElement[bool]:
    """A room code or its beginning as typed (c01-3- finds C01-3-2-1502)."""
    return col(Room.code).startswith(text.strip().upper(), autoescape=True)


def _mine(principal: Principal) -> sa.ColumnElement[bool]:
    return sa.or_(VisitTask.assignee_id == principal.user_id, col(VisitTask.assignee_id).is_(None))


def task_state(task: VisitTask, today: date) -> str:
    if task.status == TaskStatus.DONE:
        return "done"
    return "open" if task.ends_on >= today else "missed"


def tasks(session: Session, principal: Principal, request: PageRequest, filters: TaskFilter,
          today: date | None = None) -> Page:
    principal.require(Perm.VISITS_VIEW)
    request, today = request.clamp(), today or local_today()
    where = [principal.scope_clause(VisitTask.community_id)]
    if filters.community_id:
        where.append(VisitTask.community_id == filters.community_id)
    if filters.kind in tuple(PlanKind):
        where.append(VisitTask.kind == filters.kind)
    state = task_state_clause(filters.state, today)
    if state is not None:
        where.append(state)
    if filters.mine:
        where.append(_mine(principal))
    if filters.room:
        where.append(room_clause(filters.room))
    assignee = aliased(User)
    statement = (sa.select(VisitTask, Community.code, Community.name, Building.name, Building.code, Room.code,
                           current_owner_name(), assignee.display_name)
                 .join(Community, Community.id == VisitTask.community_id)
                 .outerjoin(Building, Building.id == VisitTask.building_id)
                 .outerjoin(Room, Room.id == VisitTask.room_id)
                 .outerjoin(assignee, assignee.id == VisitTask.assignee_id).where(*where))
    total = count(session, statement)
    soonest = col(VisitTask.ends_on) if filters.state == "open" else col(VisitTask.ends_on).desc()
    ordered = order_by(statement, request, {"ends_on": col(VisitTask.ends_on), "visits": col(VisitTask.visits)},
                       [soonest, col(VisitTask.kind), Room.sort_key, col(VisitTask.id)])
    rows = []
    for task, c_code, c_name, b_name, b_code, r_code, owner, assignee_name in session.execute(
            paginate(ordered, request)).all():
        if task.kind == PlanKind.WEEKLY:
            label, prefix = assignee_name or "", f"{c_code}-"
        elif task.kind == PlanKind.QUARTERLY:
            label, prefix = b_name or "", f"{c_code}-{b_code}-"
        else:
            label, prefix = " ".join(part for part in (r_code, owner) if part), r_code or ""
        rows.append({"id": task.id, "kind": str(task.kind), "period": task.period, "community": c_name,
                     "starts_on": task.starts_on.isoformat(), "ends_on": task.ends_on.isoformat(), "label": label,
                     "assignee": assignee_name or "", "target": task.target, "visits": task.visits,
                     "state": task_state(task, today), "room_code": prefix})
    return Page(rows, total, request.page, request.page_size)


# ---------------------------------------------------------------- visit records


@dataclasses.dataclass(frozen=True)
class RecordFilter:
    community_id: int | None = None
    method: str = ""
    mine: bool = False  # visits the user made
    room: str = ""  # a room code or its beginning (C01-3-)


def _issues_of(session: Session, visit_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    found: dict[int, list[dict[str, Any]]] = {visit_id: [] for visit_id in visit_ids}
    if not visit_ids:
        return found
    for issue, code in session.execute(
            sa.select(VisitIssue, Ticket.code).outerjoin(Ticket, Ticket.id == VisitIssue.ticket_id)
            .where(col(VisitIssue.visit_id).in_(visit_ids)).order_by(VisitIssue.id)).all():
        found[issue.visit_id].append({
            "id": issue.id, "text": issue.text, "action": str(issue.action), "ticket_id": issue.ticket_id or 0,
            "ticket_code": code or "", "suggestion_id": issue.suggestion_id or 0,
            "promised_on": issue.promised_on.isoformat() if issue.promised_on else "",
            "replied": issue.replied_at is not None})
    return found


def records(session: Session, principal: Principal, request: PageRequest, filters: RecordFilter) -> Page:
    principal.require(Perm.VISITS_VIEW)
    request = request.clamp()
    where = [principal.scope_clause(Visit.community_id)]
    if filters.community_id:
        where.append(Visit.community_id == filters.community_id)
    if filters.method:
        where.append(Visit.method == filters.method)
    if filters.mine:
        where.append(Visit.visitor_id == principal.user_id)
    if filters.room:
        where.append(room_clause(filters.room))
    statement = (sa.select(Visit, Community.name, Room.code, User.display_name)
                 .join(Community, Community.id == Visit.community_id).join(Room, Room.id == Visit.room_id)
                 .join(User, User.id == Visit.visitor_id).where(*where))
    total = count(session, statement)
    ordered = order_by(statement, request, {"visited_on": col(Visit.visited_on)},
                       [col(Visit.visited_on).desc(), col(Visit.id).desc()])
    page = session.execute(paginate(ordered, request)).all()
    issues = _issues_of(session, [visit.id for visit, *_ in page])
    rows = [{"id": visit.id, "visited_on": visit.visited_on.isoformat(), "community": community, "room_code": room,
             "visitor": visitor, "method": str(visit.method), "met": str(visit.met), "met_name": visit.met_name,
             "topics": _excerpt(visit.topics), "satisfaction": str(visit.satisfaction or ""),
             "issues": issues[visit.id]}
            for visit, community, room, visitor in page]
    return Page(rows, total, request.page, request.page_size)


# ---------------------------------------------------------------- promised replies


@dataclasses.dataclass(frozen=True)
class ReplyFilter:
    community_id: int | None = None
    state: str = "open"  # open (not replied) | due (from the reminder day on) | replied
    mine: bool = False  # promises of the user's own visits


def due_clause(today: date) -> sa.ColumnElement[bool]:
    return sa.and_(col(VisitIssue.promised_on).is_not(None), col(VisitIssue.replied_at).is_(None),
                   VisitIssue.promised_on <= today + timedelta(days=REMIND_DAYS_BEFORE))


def reply_state(issue: VisitIssue, today: date) -> str:
    if issue.replied_at is not None:
        return "replied"
    if issue.promised_on < today:
        return "overdue"
    return "due" if issue.promised_on <= today + timedelta(days=REMIND_DAYS_BEFORE) else "waiting"


def replies(session: Session, principal: Principal, request: PageRequest, filters: ReplyFilter,
            today: date | None = None) -> Page:
    principal.require(Perm.VISITS_VIEW)
    request, today = request.clamp(), today or local_today()
    where = [principal.scope_clause(VisitIssue.community_id), col(VisitIssue.promised_on).is_not(None)]
    if filters.community_id:
        where.append(VisitIssue.community_id == filters.community_id)
    if filters.state == "open":
        where.append(col(VisitIssue.replied_at).is_(None))
    elif filters.state == "due":
        where.append(due_clause(today))
    elif filters.state == "replied":
        where.append(col(VisitIssue.replied_at).is_not(None))
    if filters.mine:
        where.append(Visit.visitor_id == principal.user_id)
    statement = (sa.select(VisitIssue, Visit.visited_on, Room.code, User.display_name, Ticket.code)
                 .join(Visit, Visit.id == VisitIssue.visit_id).join(Room, Room.id == VisitIssue.room_id)
                 .join(User, User.id == Visit.visitor_id).outerjoin(Ticket, Ticket.id == VisitIssue.ticket_id)
                 .where(*where))
    total = count(session, statement)
    ordered = order_by(statement, request, {"promised_on": col(VisitIssue.promised_on)},
                       [col(VisitIssue.promised_on), col(VisitIssue.id)])
    page = session.execute(paginate(ordered, request)).all()
    names = display_names(session, {issue.replied_by for issue, *_ in page})
    rows = [{"id": issue.id, "version": issue.version, "promised_on": issue.promised_on.isoformat(),
             "visited_on": visited_on.isoformat(), "room_code": room, "visitor": visitor, "text": issue.text,
             "action": str(issue.action), "ticket_id": issue.ticket_id or 0, "ticket_code": ticket or "",
             "suggestion_id": issue.suggestion_id or 0, "reply": issue.reply, "replied_at": local_text(issue.replied_at),
             "replied_by": names.get(issue.replied_by, ""), "state": reply_state(issue, today)}
            for issue, visited_on, room, visitor, ticket in page]
    return Page(rows, total, request.page, request.page_size)


# ---------------------------------------------------------------- plans


def plans(session: Session, principal: Principal, today: date | None = None) -> list[dict[str, Any]]:
    """The plans of the principal's communities, each with its current period's tasks done / in all."""
    principal.require(Perm.VISITS_PLAN)
    today = today or local_today()
    statement = (sa.select(VisitPlan, Community.name).join(Community, Community.id == VisitPlan.community_id)
                 .where(principal.scope_clause(VisitPlan.community_id)).order_by(Community.code, VisitPlan.kind))
    listed = [(plan, community, task_period(plan.kind, today, plan.times_per_year))
              for plan, community in session.execute(statement).all()]
    # One count for all the plans: each plan's tasks of the few current period codes, the plan's own picked below.
    counts = {(plan_id, code): (total, done) for plan_id, code, total, done in session.execute(
        sa.select(VisitTask.plan_id, VisitTask.period, sa.func.count(VisitTask.id),
                  count_if(VisitTask.status == TaskStatus.DONE))
        .where(col(VisitTask.plan_id).in_([plan.id for plan, _, _ in listed]),
               col(VisitTask.period).in_({period.code for _, _, period in listed}))
        .group_by(VisitTask.plan_id, VisitTask.period)).all()} if listed else {}
    rows = []
    for plan, community, period in listed:
        total, done = counts.get((plan.id, period.code), (0, 0))
        rows.append({"id": plan.id, "version": plan.version, "community_id": plan.community_id,
                     "community": community, "kind": str(plan.kind), "target": plan.target,
                     "times_per_year": plan.times_per_year, "is_active": plan.is_active,
                     "starts_on": plan.starts_on.isoformat(), "period": period.code, "tasks": total, "done": done})
    return rows


# ---------------------------------------------------------------- home page


@dataclasses.dataclass(frozen=True)
class HomeCounts:
    tasks_open: int  # open tasks of the current periods
    tasks_missed: int  # tasks of this year whose period ended before they were done
    replies_due: int  # promised replies due by tomorrow, not replied


def home_counts(session: Session, principal: Principal, today: date, *, mine: bool) -> HomeCounts:
    """``mine``: the user's own tasks (and those nobody holds) and the promises of their own visits; otherwise
    everything in the principal's communities."""
    principal.require(Perm.VISITS_VIEW)
    task_where = [principal.scope_clause(VisitTask.community_id), *([_mine(principal)] if mine else [])]
    open_, missed = session.execute(sa.select(
        count_if(sa.and_(task_state_clause("open", today), VisitTask.starts_on <= today)),
        count_if(sa.and_(task_state_clause("missed", today), VisitTask.ends_on >= date(today.year, 1, 1))))
        .where(*task_where)).one()
    replies_due = session.scalar(
        sa.select(sa.func.count(VisitIssue.id)).join(Visit, Visit.id == VisitIssue.visit_id)
        .where(principal.scope_clause(VisitIssue.community_id), due_clause(today),
               *([Visit.visitor_id == principal.user_id] if mine else []))) or 0
    return HomeCounts(open_ or 0, missed or 0, replies_due)
