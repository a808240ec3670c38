"""维修回访批次单, the weekly repair-callback batch list (seed 003 5.28.2: "工作维修部在每周五下午下班前将本周《派工单》整理好，
交管理中心事务室进行回访"): a community's repairs resolved in a week (Monday–Sunday, Shanghai), each with its room, contact
(phone masked), technician, completion time, callback due date and where its callback stands, and an empty column
for the callback result written by hand on the printed list."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from pm_admin.auth.queries import user_names
from pm_admin.core.clock import DISPLAY_ZONE, local_text, local_today
from pm_admin.core.errors import DomainError
from pm_admin.core.permissions import Perm, Principal
from pm_admin.core.scoping import load_scoped
from pm_admin.dashboards.rollups import week_of
from pm_admin.places.models import Community, Room
from pm_admin.tickets.models import Kind, Ticket, TicketRound
from pm_admin.tickets.queries import contact_of

WEEKS_OFFERED = 12  # the page's week picker: this week and the 11 before it
MAX_ROWS = 2000  # a community resolves far fewer repairs in a week; the list says when it was cut
R = TicketRound


def parse_week(text: object) -> date:
    """The Monday of the week of an ISO day (``2026-11-16``); anything else is refused."""
    try:
        return week_of(date.fromisoformat(str(text or "").strip()))
    except ValueError as error:
        raise DomainError("reports.week_invalid") from error


def week_choices(today: date) -> list[dict[str, str]]:
    monday = week_of(today)
    weeks = [monday - timedelta(weeks=n) for n in range(WEEKS_OFFERED)]
    return [{"value": w.isoformat(), "label": f"{w.isoformat()} – {(w + timedelta(days=6)).isoformat()}"}
            for w in weeks]


def _state(round_: TicketRound) -> str:
    if round_.callback_reached_at is not None:
        return "reached"
    return "unreachable" if round_.callback_unreachable else "pending"


def callback_batch(session: Session, principal: Principal, community_id: object, week: object,
                   language: str = "zh-CN", now: datetime | None = None) -> dict:
    """The week's list for one of the principal's communities; a week still to come is refused."""
    principal.require(Perm.TICKETS_CALLBACK)
    community = load_scoped(session, Community, community_id, principal, communities=lambda _s, c: [c.id],
                            entity="community")
    monday = parse_week(week)
    today = now.astimezone(DISPLAY_ZONE).date() if now else local_today()
    if monday > today:
        raise DomainError("reports.week_future")
    sunday = monday + timedelta(days=6)
    first = datetime.combine(monday, time.min, DISPLAY_ZONE)
    after = datetime.combine(sunday + timedelta(days=1), time.min, DISPLAY_ZONE)
    found = session.exec(select(R, Ticket).join(Ticket, col(Ticket.id) == R.ticket_id).where(
        R.community_id == community.id, R.kind == Kind.REPAIR.value, col(R.resolved_at).is_not(None),
        R.resolved_at >= first, R.resolved_at < after, col(R.callback_due_at).is_not(None))
        .order_by(R.resolved_at, R.id).limit(MAX_ROWS + 1)).all()
    rooms = dict(session.execute(sa.select(Room.id, Room.code).where(
        col(Room.id).in_({t.room_id for _, t in found if t.room_id}))).all()) if found else {}
    technicians = user_names(session, (t.assignee_id for _, t in found))
    rows = [{"code": t.code, "title": t.title, "room": rooms.get(t.room_id, ""),
             "round": r.number, **contact_of(t, language),
             "technician": technicians.get(t.assignee_id, ""),
             "resolved_at": local_text(r.resolved_at), "due": local_text(r.callback_due_at), "state": _state(r)}
            for r, t in found[:MAX_ROWS]]
    return {"community": {"id": community.id, "code": community.code, "name": community.name},
            "week": monday.isoformat(), "end": sunday.isoformat(), "rows": rows, "truncated": len(found) > MAX_ROWS}
