"""Reads of rectifications: the list (overdue = open past its deadline), one rectification with its rechecks, the
printable notice, the home page's count."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from pm_admin.core.clock import DISPLAY_ZONE, local_text, local_today
from pm_admin.core.paging import Page, PageRequest, count, order_by, paginate
from pm_admin.core.permissions import Perm, Principal
from pm_admin.inspections.models import (
    InspectionAnswer,
    InspectionTask,
    Rectification,
    RectificationCheck,
    RectificationStatus,
    Responsible,
)
from pm_admin.inspections.services.common import load_rectification
from pm_admin.inspections.services.rectifications import notice_code
from pm_admin.places.models import Community, Room
from pm_admin.tickets.models import Department


def overdue_clause(today: date) -> sa.ColumnElement[bool]:
    return sa.and_(Rectification.status == RectificationStatus.OPEN, Rectification.deadline < today)


def department_names(session: Session, language: str) -> dict[int, str]:
    return {d.id: (d.name if language == "zh-CN" else d.name_en or d.name)
            for d in session.exec(select(Department)).all()}


def _party(rectification: Rectification, rooms: dict[int, str], departments: dict[int, str]) -> str:
    """Who must put it right, as the list and the notice name them ("" for a department not named yet)."""
    if rectification.responsible == Responsible.HOUSEHOLD:
        return rooms.get(rectification.responsible_room_id, "")
    if rectification.responsible == Responsible.CONTRACTOR:
        return rectification.contractor
    return departments.get(rectification.department_id, "")


def _room_codes(session: Session, rows: list[Rectification]) -> dict[int, str]:
    ids = {r.responsible_room_id for r in rows if r.responsible_room_id}
    return dict(session.execute(sa.select(Room.id, Room.code).where(col(Room.id).in_(sorted(ids)))).all()) \
        if ids else {}


@dataclasses.dataclass
class RectificationFilter:
    community_id: int | None = None
    status: str = ""  # open | closed
    overdue: bool = False
    category: str = ""


def rectifications(session: Session, principal: Principal, request: PageRequest, filters: RectificationFilter,
                   language: str = "zh-CN", today: date | None = None) -> Page:
    principal.require(Perm.INSPECTIONS_VIEW)
    today = today or local_today()
    where = [principal.scope_clause(Rectification.community_id)]
    if filters.community_id:
        where.append(Rectification.community_id == filters.community_id)
    if filters.status in (RectificationStatus.OPEN, RectificationStatus.CLOSED):
        where.append(Rectification.status == filters.status)
    if filters.overdue:
        where.append(overdue_clause(today))
    if filters.category:
        where.append(Rectification.category == filters.category)
    statement = (select(Rectification, Community.name).join(Community, Community.id == Rectification.community_id)
                 .where(*where))
    total = count(session, statement)
    ordered = order_by(statement, request, {"deadline": col(Rectification.deadline),
                                            "opened_at": col(Rectification.opened_at)},
                       [col(Rectification.opened_at).desc(), col(Rectification.id).desc()])
    found = session.exec(paginate(ordered, request)).all()
    rooms, departments = _room_codes(session, [r for r, _ in found]), department_names(session, language)
    rows = [{"id": r.id, "code": notice_code(r), "community": community, "location": r.location,
             "hazard": r.hazard, "category": str(r.category), "responsible": str(r.responsible),
             "party": _party(r, rooms, departments), "deadline": r.deadline.isoformat(), "status": str(r.status),
             "overdue": r.status == RectificationStatus.OPEN and r.deadline < today,
             "opened_at": local_text(r.opened_at), "closed_at": local_text(r.closed_at)}
            for r, community in found]
    return Page(rows, total, request.page, request.page_size)


def overdue_count(session: Session, principal: Principal, today: date | None = None) -> int:
    """Open rectifications of the principal's communities past their deadline (the manager's home card)."""
    principal.require(Perm.INSPECTIONS_VIEW)
    return session.scalar(sa.select(sa.func.count(Rectification.id)).where(
        principal.scope_clause(Rectification.community_id), overdue_clause(today or local_today()))) or 0


def rectification_detail(session: Session, principal: Principal, rectification_id: Any, language: str = "zh-CN",
                         today: date | None = None) -> dict[str, Any]:
    r = load_rectification(session, principal, rectification_id)
    today = today or local_today()
    task = session.get(InspectionTask, r.task_id)
    answer = session.get(InspectionAnswer, r.answer_id)
    rooms = _room_codes(session, [r])
    checks = session.exec(select(RectificationCheck).where(RectificationCheck.rectification_id == r.id)
                          .order_by(col(RectificationCheck.checked_at), col(RectificationCheck.id))).all()
    return {"id": r.id, "version": r.version, "code": notice_code(r), "community": session.get(Community, r.community_id).name,
            "category": str(r.category), "location": r.location, "hazard": r.hazard, "requirement": r.requirement,
            "responsible": str(r.responsible), "party": _party(r, rooms, department_names(session, language)),
            "room_code": rooms.get(r.responsible_room_id, ""), "department_id": str(r.department_id or ""),
            "contractor": r.contractor, "deadline": r.deadline.isoformat(),
            "first_deadline": r.first_deadline.isoformat(), "status": str(r.status),
            "overdue": r.status == RectificationStatus.OPEN and r.deadline < today,
            "inspector": r.inspector_name or r.inspector, "opened_at": local_text(r.opened_at),
            "closed_at": local_text(r.closed_at), "task_id": r.task_id, "task_title": task.title,
            "task_period": task.due_on.isoformat(), "answer_has_photo": bool(answer.photo_sha256),
            "answer_id": answer.id,
            "checks": [{"id": c.id, "at": local_text(c.checked_at), "by": c.checker_name or c.checked_by,
                        "passed": c.passed, "note": c.note, "has_photo": bool(c.photo_sha256),
                        "deadline_before": c.deadline_before.isoformat(),
                        "new_deadline": c.new_deadline.isoformat() if c.new_deadline else ""} for c in checks]}


def notice(session: Session, principal: Principal, rectification_id: Any, language: str = "zh-CN"
           ) -> dict[str, Any]:
    """What the printed 《(火险)隐患整改通知书》 says: number, the party (受检单位), place, hazard, requirement,
    deadline, who inspected and when."""
    detail = rectification_detail(session, principal, rectification_id, language)
    r = session.get(Rectification, detail["id"])
    opened = r.opened_at.astimezone(DISPLAY_ZONE).date()
    return {key: detail[key] for key in ("id", "code", "community", "category", "location", "hazard", "requirement",
                                         "responsible", "party", "deadline", "inspector", "status")} | {
        "checked_on": opened.isoformat(), "task_title": detail["task_title"]}
