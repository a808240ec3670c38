"""Reads of inspection tasks: the list (within the principal's communities), a technician's own, one task with its
checklist and answers, the count the home page shows. A task is **overdue** while open after its due day."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from pm_admin.auth.queries import user_names
from pm_admin.core.clock import local_text, local_today
from pm_admin.core.paging import Page, PageRequest, count, order_by, paginate
from pm_admin.core.permissions import Perm, Principal
from pm_admin.inspections.models import InspectionAnswer, InspectionTask, Rectification, TaskStatus
from pm_admin.inspections.services.common import load_task
from pm_admin.inspections.services.tasks import may_work_on
from pm_admin.places.models import Community, Room

MY_TASKS_LIMIT = 100
STATUS_FILTERS = ("open", "done", "overdue")


def overdue_clause(today: date) -> sa.ColumnElement[bool]:
    return sa.and_(InspectionTask.status == TaskStatus.OPEN, InspectionTask.due_on < today)


def period_text(task: InspectionTask) -> str:
    if task.period_start == task.due_on:
        return task.due_on.isoformat()
    return f"{task.period_start.isoformat()} – {task.due_on.isoformat()}"


@dataclasses.dataclass
class TaskFilter:
    community_id: int | None = None
    status: str = ""  # open | done | overdue
    category: str = ""


def tasks(session: Session, principal: Principal, request: PageRequest, filters: TaskFilter,
          today: date | None = None) -> Page:
    principal.require(Perm.INSPECTIONS_VIEW)
    today = today or local_today()
    where = [principal.scope_clause(InspectionTask.community_id), InspectionTask.period_start <= today]
    if filters.community_id:
        where.append(InspectionTask.community_id == filters.community_id)
    if filters.status == "overdue":
        where.append(overdue_clause(today))
    elif filters.status in ("open", "done"):
        where.append(InspectionTask.status == filters.status)
    if filters.category:
        where.append(InspectionTask.category == filters.category)
    statement = (select(InspectionTask, Community.name).join(Community, Community.id == InspectionTask.community_id)
                 .where(*where))
    total = count(session, statement)
    ordered = order_by(statement, request, {"due_on": col(InspectionTask.due_on)},
                       [col(InspectionTask.due_on).desc(), col(InspectionTask.id).desc()])
    found = session.exec(paginate(ordered, request)).all()
    names = user_names(session, {task.assignee_id for task, _ in found})
    rows = [{"id": task.id, "title": task.title, "place": task.place, "community": community,
             "category": str(task.category), "period": period_text(task), "due_on": task.due_on.isoformat(),
             "status": str(task.status), "overdue": task.status == TaskStatus.OPEN and task.due_on < today,
             "assignee": names.get(task.assignee_id, ""), "done_by": task.done_by_name,
             "done_at": local_text(task.done_at), "failed": task.failed_items}
            for task, community in found]
    return Page(rows, total, request.page, request.page_size)


def _mine(principal: Principal, today: date) -> list[sa.ColumnElement[bool]]:
    """Open tasks given out by ``today`` that are the user's, or nobody's in a community of theirs."""
    return [principal.scope_clause(InspectionTask.community_id), InspectionTask.status == TaskStatus.OPEN,
            InspectionTask.period_start <= today,
            sa.or_(InspectionTask.assignee_id == principal.user_id, col(InspectionTask.assignee_id).is_(None))]


def my_tasks(session: Session, principal: Principal, today: date | None = None) -> list[dict[str, Any]]:
    """A technician's checklists to work through, the most urgent first (overdue, then due today, …)."""
    principal.require(Perm.INSPECTIONS_WORK)
    today = today or local_today()
    rows = session.exec(select(InspectionTask, Community.name).join(Community, Community.id == InspectionTask.community_id)
                        .where(*_mine(principal, today))
                        .order_by(col(InspectionTask.due_on), col(InspectionTask.id)).limit(MY_TASKS_LIMIT)).all()
    return [{"id": task.id, "title": task.title, "place": task.place, "community": community,
             "category": str(task.category), "items": len(task.items), "due_on": task.due_on.isoformat(),
             "overdue": task.due_on < today, "due_today": task.due_on == today}
            for task, community in rows]


def my_due_count(session: Session, principal: Principal, today: date | None = None) -> int:
    """The user's open checklists due today or before (the technician's home card)."""
    principal.require(Perm.INSPECTIONS_WORK)
    today = today or local_today()
    return session.scalar(sa.select(sa.func.count(InspectionTask.id)).where(
        *_mine(principal, today), InspectionTask.due_on <= today)) or 0


def overdue_tasks(session: Session, principal: Principal, today: date | None = None) -> int:
    principal.require(Perm.INSPECTIONS_VIEW)
    return session.scalar(sa.select(sa.func.count(InspectionTask.id)).where(
        principal.scope_clause(InspectionTask.community_id), overdue_clause(today or local_today()))) or 0


def task_detail(session: Session, principal: Principal, task_id: Any, today: date | None = None) -> dict[str, Any]:
    """A task, its checklist (with the answers once done, each failed one with its rectification)."""
    task = load_task(session, principal, task_id)
    today = today or local_today()
    answers = {a.position: a for a in session.exec(select(InspectionAnswer).where(
        InspectionAnswer.task_id == task.id)).all()}
    rectified = dict(session.execute(sa.select(Rectification.answer_id, Rectification.id).where(
        Rectification.task_id == task.id)).all())
    rooms = dict(session.execute(sa.select(Room.id, Room.code).where(col(Room.id).in_(
        [a.room_id for a in answers.values() if a.room_id]))).all()) if answers else {}
    items, section = [], None
    for n, item in enumerate(task.items):
        answer = answers.get(n)
        items.append({"n": n, "number": n + 1, "section": item.get("section", ""),
                      "new_section": item.get("section", "") != section and bool(item.get("section")),
                      "text": item["text"], "result": "" if answer is None else ("pass" if answer.passed else "fail"),
                      "note": answer.note if answer else "", "room": rooms.get(answer.room_id, "") if answer else "",
                      "answer_id": answer.id if answer else 0, "has_photo": bool(answer and answer.photo_sha256),
                      "rectification_id": rectified.get(answer.id, 0) if answer else 0})
        section = item.get("section", "")
    community = session.get(Community, task.community_id)
    names = user_names(session, {task.assignee_id})
    return {"id": task.id, "version": task.version, "title": task.title, "place": task.place,
            "community": community.name, "category": str(task.category), "period": period_text(task),
            "due_on": task.due_on.isoformat(), "status": str(task.status),
            "overdue": task.status == TaskStatus.OPEN and task.due_on < today, "due_today": task.due_on == today,
            "assignee": names.get(task.assignee_id, ""), "done_by": task.done_by_name,
            "done_at": local_text(task.done_at), "failed": task.failed_items, "items": items,
            "may_work": task.status == TaskStatus.OPEN and principal.has(Perm.INSPECTIONS_WORK)
            and may_work_on(principal, task)}
