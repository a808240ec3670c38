"""The ticket ledger 工单台账 (seed 000 §三(三): "对业主沟通与反馈的内容进行详细记录，包括沟通时间、方式、内容、处理结果等信息
… 建立业主沟通与反馈台账"): the ticket list's view as shown — its filters, status, sort and the reader's scope, through
the list's own query (``queries.list_query``) — one row per ticket, the contact's phone masked."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from pm_admin.auth.queries import user_names
from pm_admin.core.clock import local_text, utcnow
from pm_admin.core.i18n import translate
from pm_admin.core.permissions import Principal
from pm_admin.places.models import Community, Room
from pm_admin.tickets.models import Callback, Ticket, TicketCategory
from pm_admin.tickets.queries import TicketFilter, contact_of, list_query, names_of_categories_and_departments

MAX_ROWS = 20_000  # a bigger view is narrowed first (the file says so in its last line)
CHUNK = 1000

# (row key, header catalog key), in the order of the sheet.
COLUMNS = (
    ("code", "tickets.col.code"), ("created_at", "tickets.col.created_at"), ("community", "tickets.col.community"),
    ("channel", "tickets.col.channel"), ("kind", "tickets.col.kind"), ("category", "tickets.col.category"),
    ("tier", "tickets.col.tier"), ("room", "tickets.col.room"), ("contact", "tickets.col.contact"),
    ("phone", "tickets.contact_phone"), ("title", "tickets.col.title"), ("description", "tickets.col.description"),
    ("department", "tickets.col.department"), ("assignee", "tickets.col.assignee"), ("status", "tickets.col.status"),
    ("resolution", "tickets.resolution"), ("resolved_at", "tickets.resolved_at"),
    ("callback", "tickets.col.callback_result"), ("closed_at", "tickets.closed_at"),
)


@dataclasses.dataclass(frozen=True)
class LedgerView:
    """The list as the reader sees it: what ``list_query`` takes."""

    filters: TicketFilter
    status: str = ""
    sort: str = ""
    descending: bool = False

    def params(self, language: str) -> dict[str, Any]:
        """What the download ticket keeps (the ids stay ids: scope is applied again when the file is made)."""
        return {"filters": dataclasses.asdict(self.filters), "status": self.status, "sort": self.sort,
                "descending": self.descending, "language": language}

    @classmethod
    def of(cls, params: dict[str, Any]) -> LedgerView:
        return cls(TicketFilter(**params["filters"]), str(params.get("status") or ""), str(params.get("sort") or ""),
                   bool(params.get("descending")))


@dataclasses.dataclass(frozen=True)
class Ledger:
    rows: list[dict[str, str]]
    total: int  # rows of the view; more than ``len(rows)`` when it was cut at MAX_ROWS


def ledger(session: Session, principal: Principal, view: LedgerView, *, language: str = "zh-CN",
           now: datetime | None = None, limit: int = MAX_ROWS) -> Ledger:
    statement = list_query(principal, view.filters, status=view.status, sort=view.sort, descending=view.descending,
                           now=now or utcnow())
    ids = list(session.scalars(statement.limit(limit + 1)).all())
    names = _names(session, language)
    rows = [row for start in range(0, min(len(ids), limit), CHUNK)
            for row in _rows(session, ids[start:min(start + CHUNK, limit)], language, *names)]
    total = len(rows) if len(ids) <= limit else session.scalar(
        sa.select(sa.func.count()).select_from(statement.order_by(None).subquery())) or 0
    return Ledger(rows, total)


def _names(session: Session, language: str) -> tuple[dict[int, str], dict[int, str]]:
    """The categories' labels ("物业服务 / 客服态度": a sub-category under its parent) and the departments' names."""
    names, departments = names_of_categories_and_departments(session, language)
    parents = session.execute(sa.select(TicketCategory.id, TicketCategory.parent_id)).all()
    return {i: f"{names[parent]} / {names[i]}" if parent in names else names[i] for i, parent in parents}, departments


def _callback_text(callback: Callback | None, language: str) -> str:
    """The latest callback: its result, how and when, and what the owner said."""
    if callback is None:
        return ""
    result = "tickets.unreachable" if not callback.reached else (
        "tickets.satisfied" if callback.satisfied else "tickets.unsatisfied")
    parts = [translate(result, language), translate(f"tickets.method.{callback.method}", language),
             local_text(callback.done_at)]
    return " · ".join(parts) + (f"：{callback.comment}" if callback.comment else "")


def _latest_callbacks(session: Session, ticket_ids: Sequence[int]) -> dict[int, Callback]:
    newest = sa.select(Callback.ticket_id, sa.func.max(Callback.id).label("last")).where(
        col(Callback.ticket_id).in_(ticket_ids)).group_by(Callback.ticket_id).subquery()
    return {c.ticket_id: c for c in session.exec(select(Callback).join(newest, newest.c.last == Callback.id)).all()}


def _rows(session: Session, ids: list[int], language: str, categories: dict[int, str],
          departments: dict[int, str]) -> list[dict[str, str]]:
    if not ids:
        return []
    tickets = {t.id: t for t in session.exec(select(Ticket).where(col(Ticket.id).in_(ids))).all()}
    rooms = dict(session.execute(sa.select(Room.id, Room.code).where(
        col(Room.id).in_({t.room_id for t in tickets.values() if t.room_id}))).all())
    communities = dict(session.execute(sa.select(Community.id, Community.name).where(
        col(Community.id).in_({t.community_id for t in tickets.values()}))).all())
    people = user_names(session, (t.assignee_id for t in tickets.values()))
    callbacks = _latest_callbacks(session, ids)
    rows = []
    for ticket in (tickets[i] for i in ids):
        contact = contact_of(ticket, language)
        rows.append({
            "code": ticket.code, "created_at": local_text(ticket.created_at),
            "community": communities.get(ticket.community_id, ""),
            "channel": translate(f"tickets.channel.{ticket.channel}", language),
            "kind": translate(f"tickets.kind.{ticket.kind}", language),
            "category": categories.get(ticket.category_id, ""), "tier": translate(f"tickets.tier.{ticket.tier}", language),
            "room": rooms.get(ticket.room_id, ""),
            "contact": contact["contact_name"] + (f"（{contact['contact_relation']}）" if contact["contact_relation"] else ""),
            "phone": contact["contact_phone"], "title": ticket.title, "description": ticket.description,
            "department": departments.get(ticket.department_id, ""), "assignee": people.get(ticket.assignee_id, ""),
            "status": translate(f"tickets.status.{ticket.status}", language), "resolution": ticket.resolution,
            "resolved_at": local_text(ticket.resolved_at), "callback": _callback_text(callbacks.get(ticket.id), language),
            "closed_at": local_text(ticket.closed_at)})
    return rows
