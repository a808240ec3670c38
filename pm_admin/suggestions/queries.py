"""Reads of the suggestion box: the staff list (within the principal's communities; overdue = no reply by its due
date), one suggestion's page, the overdue count for the home page, and an owner's own suggestions in the portal."""

from __future__ import annotations

import dataclasses
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from pm_admin.core.clock import local_text, local_today
from pm_admin.core.paging import Page, PageRequest, count, order_by, paginate
from pm_admin.core.permissions import OwnerPrincipal, Perm, PortalPerm, Principal
from pm_admin.places.models import Community, Room
from pm_admin.suggestions.models import AWAITING_REPLY, Suggestion
from pm_admin.suggestions.services.common import load_suggestion
from pm_admin.tickets.models import Ticket, TicketCategory

EXCERPT = 40


@dataclasses.dataclass
class SuggestionFilter:
    community_id: int | None = None
    status: str = ""
    outcome: str = ""
    channel: str = ""
    overdue: bool = False


def overdue_clause(today=None) -> sa.ColumnElement[bool]:
    return sa.and_(col(Suggestion.status).in_(AWAITING_REPLY), Suggestion.reply_due_on < (today or local_today()))


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat[:EXCERPT] + ("…" if len(flat) > EXCERPT else "")


def category_names(session: Session, language: str) -> dict[int, str]:
    rows = session.exec(select(TicketCategory)).all()
    names = {c.id: c.name_zh if language == "zh-CN" else c.name_en for c in rows}
    return {c.id: f"{names[c.parent_id]} / {names[c.id]}" if c.parent_id in names else names[c.id] for c in rows}


def suggestions(session: Session, principal: Principal, request: PageRequest, filters: SuggestionFilter,
                language: str = "zh-CN") -> Page:
    principal.require(Perm.SUGGESTIONS_VIEW)
    where = [principal.scope_clause(Suggestion.community_id)]
    if filters.community_id:
        where.append(Suggestion.community_id == filters.community_id)
    for column, value in ((Suggestion.status, filters.status), (Suggestion.outcome, filters.outcome),
                          (Suggestion.channel, filters.channel)):
        if value:
            where.append(column == value)
    if filters.overdue:
        where.append(overdue_clause())
    statement = (select(Suggestion, Community.name, Room.code).join(Community, Community.id == Suggestion.community_id)
                 .outerjoin(Room, Room.id == Suggestion.room_id).where(*where))
    total = count(session, statement)
    ordered = order_by(statement, request, {"received_at": col(Suggestion.received_at),
                                            "reply_due_on": col(Suggestion.reply_due_on)},
                       [col(Suggestion.received_at).desc(), col(Suggestion.id).desc()])
    names = category_names(session, language)
    today = local_today()
    rows = [{"id": s.id, "received_at": local_text(s.received_at), "community": community, "room": room or "",
             "channel": str(s.channel), "category": names.get(s.category_id, ""), "content": _excerpt(s.content),
             "status": str(s.status), "outcome": str(s.outcome or ""), "reply_due_on": s.reply_due_on.isoformat(),
             "overdue": s.status in AWAITING_REPLY and s.reply_due_on < today}
            for s, community, room in session.exec(paginate(ordered, request)).all()]
    return Page(rows, total, request.page, request.page_size)


def overdue_count(session: Session, principal: Principal, today=None) -> int:
    """Suggestions of the principal's communities not answered by their due date (the home page's card)."""
    principal.require(Perm.SUGGESTIONS_VIEW)
    return session.scalar(sa.select(sa.func.count(Suggestion.id)).where(
        principal.scope_clause(Suggestion.community_id), overdue_clause(today))) or 0


def suggestion_detail(session: Session, principal: Principal, suggestion_id: Any,
                      language: str = "zh-CN") -> dict[str, Any]:
    s = load_suggestion(session, principal, suggestion_id, Perm.SUGGESTIONS_VIEW)
    community = session.get(Community, s.community_id)
    room = session.get(Room, s.room_id) if s.room_id else None
    ticket = session.get(Ticket, s.ticket_id) if s.ticket_id else None
    duplicates = session.exec(select(Suggestion.id).where(Suggestion.duplicate_of_id == s.id)
                              .order_by(col(Suggestion.id))).all()
    notice_id = int(s.improvement_notice_ref.split(":")[1]) if s.improvement_notice_ref.startswith("notice:") else 0
    return {"id": s.id, "version": s.version, "community": community.name if community else "",
            "community_id": s.community_id, "channel": str(s.channel),
            "category": category_names(session, language).get(s.category_id, ""), "content": s.content,
            "room": room.code if room else "", "submitter_name": s.submitter_name, "source": s.source,
            "has_photo": bool(s.photo_sha256), "received_at": local_text(s.received_at), "received_by": "" if s.account_id else s.received_by,
            "reply_due_on": s.reply_due_on.isoformat(),
            "overdue": s.status in AWAITING_REPLY and s.reply_due_on < local_today(),
            "status": str(s.status), "outcome": str(s.outcome or ""), "triage_note": s.triage_note,
            "triaged_by": s.triaged_by, "triaged_at": local_text(s.triaged_at),
            "duplicate_of_id": s.duplicate_of_id or 0, "duplicates": "、".join(f"#{i}" for i in duplicates),
            "ticket_id": ticket.id if ticket else 0, "ticket_code": ticket.code if ticket else "",
            "improvement": s.improvement, "notice_id": notice_id,
            "reply": s.reply, "replied_by": s.replied_by, "replied_at": local_text(s.replied_at),
            "closed_at": local_text(s.closed_at), "told_in_portal": s.account_id is not None}


def _owner_row(s: Suggestion, names: dict[int, str]) -> dict[str, Any]:
    return {"id": s.id, "received_at": local_text(s.received_at), "room_id": s.room_id,
            "category_id": s.category_id, "category": names.get(s.category_id, ""), "content": s.content,
            "status": str(s.status), "outcome": str(s.outcome or ""), "reply": s.reply,
            "replied_at": local_text(s.replied_at), "reply_due_on": s.reply_due_on.isoformat()}


def owner_suggestions(session: Session, owner: OwnerPrincipal, language: str, limit: int = 50,
                      before_id: int | None = None) -> list[dict]:
    """What the owner's account wrote, with where it stands and the reply (never anybody else's); newest first.
    ``before_id`` continues the list below that suggestion of theirs (a cursor; another's id gives nothing)."""
    owner.require(PortalPerm.FEEDBACK)
    mine = Suggestion.account_id == owner.account_id
    statement = select(Suggestion).where(mine)
    if before_id:
        after = session.exec(select(Suggestion.received_at).where(mine, Suggestion.id == before_id)).first()
        if after is None:
            return []
        statement = statement.where(sa.tuple_(col(Suggestion.received_at), col(Suggestion.id)) < (after, before_id))
    names = category_names(session, language)
    rows = session.exec(statement.order_by(col(Suggestion.received_at).desc(), col(Suggestion.id).desc())
                        .limit(limit)).all()
    return [_owner_row(s, names) for s in rows]


def owner_suggestion(session: Session, owner: OwnerPrincipal, suggestion_id: int, language: str) -> dict | None:
    """One suggestion the owner's account wrote, as in their list (None for anybody else's)."""
    owner.require(PortalPerm.FEEDBACK)
    s = session.exec(select(Suggestion).where(Suggestion.account_id == owner.account_id,
                                              Suggestion.id == suggestion_id)).first()
    return _owner_row(s, category_names(session, language)) if s else None
