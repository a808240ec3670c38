"""Reads of the meetings domain, within the principal's communities."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, time
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from pm_admin.auth.queries import staff_of
from pm_admin.core.clock import DISPLAY_ZONE, local_text, local_today
from pm_admin.core.i18n import translate
from pm_admin.core.paging import Page, PageRequest
from pm_admin.core.permissions import Perm, Principal
from pm_admin.core.scoping import load_scoped
from pm_admin.meetings.models import (
    ActionStatus,
    CommitteeMember,
    InviteeKind,
    Meeting,
    MeetingAction,
    MeetingAttachment,
    MeetingInvitee,
    MeetingKind,
)
from pm_admin.meetings.services.meetings import QUORUM_RULE, meeting_values, quorum
from pm_admin.meetings.services.minutes import minutes_sections
from pm_admin.places.models import Community, Room
from pm_admin.tickets.models import Ticket


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def quarter_bounds(day: date) -> tuple[datetime, datetime]:
    """The Shanghai quarter of ``day`` as [start, end) instants."""
    start = quarter_start(day)
    end = date(start.year + (start.month == 10), 1 if start.month == 10 else start.month + 3, 1)
    return (datetime.combine(start, time.min, DISPLAY_ZONE), datetime.combine(end, time.min, DISPLAY_ZONE))


def quarters_without_meeting(session: Session, principal: Principal, today: date) -> list[dict[str, Any]]:
    """Active communities in the principal's scope with no 业主委员会季度会议 (planned or held) in today's quarter."""
    start, end = quarter_bounds(today)
    held = select(Meeting.community_id).where(Meeting.kind == MeetingKind.QUARTERLY, Meeting.starts_at >= start,
                                              Meeting.starts_at < end)
    rows = session.exec(select(Community.id, Community.code, Community.name).where(
        Community.is_active == sa.true(), principal.scope_clause(Community.id), col(Community.id).not_in(held))
        .order_by(Community.code)).all()
    return [{"id": cid, "code": code, "name": name} for cid, code, name in rows]


def overdue_actions(session: Session, principal: Principal, today: date) -> int:
    """Open action items whose due day has passed."""
    return session.scalar(sa.select(sa.func.count(MeetingAction.id)).where(
        MeetingAction.status == ActionStatus.OPEN, MeetingAction.due_on < today,
        principal.scope_clause(MeetingAction.community_id))) or 0


@dataclasses.dataclass
class MeetingFilter:
    community_id: int | None = None
    kind: str = ""
    status: str = ""


def meetings(session: Session, principal: Principal, request: PageRequest, filters: MeetingFilter,
             language: str) -> Page:
    principal.require(Perm.MEETINGS_VIEW)
    where = [principal.scope_clause(Meeting.community_id)]
    if filters.community_id:
        where.append(Meeting.community_id == filters.community_id)
    if filters.kind:
        where.append(Meeting.kind == filters.kind)
    if filters.status:
        where.append(Meeting.status == filters.status)
    total = session.scalar(sa.select(sa.func.count(Meeting.id)).where(*where)) or 0
    order = col(Meeting.starts_at).asc() if request.sort == "starts_at" and not request.descending \
        else col(Meeting.starts_at).desc()
    rows = session.exec(select(Meeting, Community.name).join(Community, Community.id == Meeting.community_id)
                        .where(*where).order_by(order, col(Meeting.id).desc())
                        .offset(request.offset).limit(request.page_size)).all()
    return Page([{"id": m.id, "community": name, "kind": str(m.kind), "title": m.title,
                  "topic": translate(f"meetings.topic.{m.topic}", language) if m.topic else "",
                  "starts_at": local_text(m.starts_at), "place": m.place, "status": str(m.status)}
                 for m, name in rows], total, request.page, request.page_size)


def meeting_detail(session: Session, principal: Principal, meeting_id: Any, language: str) -> dict[str, Any]:
    principal.require(Perm.MEETINGS_VIEW)
    meeting = load_scoped(session, Meeting, meeting_id, principal, entity="meeting")
    community = session.get(Community, meeting.community_id)
    figure = quorum(session, meeting)
    invitees = session.exec(select(MeetingInvitee).where(MeetingInvitee.meeting_id == meeting.id)
                            .order_by(MeetingInvitee.kind, col(MeetingInvitee.id))).all()
    attachments = session.exec(select(MeetingAttachment).where(MeetingAttachment.meeting_id == meeting.id)
                               .order_by(col(MeetingAttachment.id))).all()
    today = local_today()
    actions = session.exec(select(MeetingAction, Ticket.code).outerjoin(Ticket, Ticket.id == MeetingAction.ticket_id)
                           .where(MeetingAction.meeting_id == meeting.id).order_by(col(MeetingAction.id))).all()
    return {
        "meeting": {"id": meeting.id, "version": meeting.version, "community": community.name if community else "",
                    "community_id": meeting.community_id, "kind": str(meeting.kind),
                    "topic": meeting.topic, "title": meeting.title, "starts_at": local_text(meeting.starts_at),
                    "place": meeting.place, "status": str(meeting.status), "review_note": meeting.review_note,
                    "approved_by": meeting.approved_by, "published_at": local_text(meeting.published_at),
                    "discussion": meeting.discussion, "resolutions": meeting.resolutions,
                    "notice_id": int(meeting.notice_ref.split(":")[1]) if meeting.notice_ref.startswith("notice:")
                    else 0, **{f"form_{k}": v for k, v in meeting_values(meeting).items()}},
        "agenda": [{"n": n, "text": text} for n, text in enumerate(meeting.agenda, 1)],
        "quorum": {"attended": figure.attended, "size": figure.size, "reached": figure.reached,
                   "percent": "–" if figure.percent is None else f"{figure.percent}%",
                   "rule": translate(f"meetings.quorum_rule.{QUORUM_RULE}", language)},
        "invitees": [{"id": i.id, "kind": str(i.kind), "name": i.name, "attended": i.attended,
                      "note": translate(f"meetings.position.{i.note}", language) if i.kind == InviteeKind.COMMITTEE
                      else i.note,
                      "signed_at": local_text(i.signed_at)} for i in invitees],
        "attachments": [{"id": a.id, "doc_type": str(a.doc_type), "filename": a.filename,
                         "size": f"{max(1, a.size // 1024)} KB", "uploaded_by": a.uploaded_by,
                         "at": local_text(a.created_at)} for a in attachments],
        "actions": [{"id": a.id, "version": a.version, "description": a.description,
                     "responsible": a.responsible_name, "due_on": a.due_on.isoformat(), "status": str(a.status),
                     "overdue": a.status == ActionStatus.OPEN and a.due_on < today, "ticket_id": a.ticket_id or 0,
                     "ticket_code": code or ""} for a, code in actions],
        "minutes": [{"label": label, "text": text} for label, text in minutes_sections(session, meeting, language)],
    }


def staff_options(session: Session, principal: Principal, meeting_id: Any) -> list[dict[str, str]]:
    meeting = load_scoped(session, Meeting, meeting_id, principal, entity="meeting")
    return [{"value": str(u.id), "label": f"{u.display_name}（{u.username}）"}
            for u in staff_of(session, meeting.community_id)]


def roster(session: Session, principal: Principal, community_id: int | None, today: date) -> list[dict[str, Any]]:
    """Committee members of the communities shown (current and past terms), current first."""
    principal.require(Perm.MEETINGS_VIEW)
    where = [principal.scope_clause(CommitteeMember.community_id)]
    if community_id:
        where.append(CommitteeMember.community_id == community_id)
    rows = session.exec(select(CommitteeMember, Community.name, Room.code)
                        .join(Community, Community.id == CommitteeMember.community_id)
                        .join(Room, Room.id == CommitteeMember.room_id).where(*where)
                        .order_by(col(CommitteeMember.term_to).desc(), col(CommitteeMember.id))).all()
    return [{"id": m.id, "version": m.version, "community": name, "name": m.name, "room": code,
             "position": str(m.position), "term_from": m.term_from.isoformat(), "term_to": m.term_to.isoformat(),
             "current": m.term_from <= today <= m.term_to} for m, name, code in rows]

