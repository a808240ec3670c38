"""Audit log queries: filtered, scoped, one page at a time."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session

from pm_admin.audit.models import AuditEvent, AuditRow
from pm_admin.core.clock import local_text
from pm_admin.core.paging import Page, PageRequest, count, paginate
from pm_admin.core.permissions import Perm, Principal
from pm_admin.places.models import Community


@dataclasses.dataclass(frozen=True)
class AuditFilter:
    action: str = ""
    actor: str = ""
    entity_type: str = ""
    entity_id: str = ""
    outcome: str = ""
    since: datetime | None = None
    until: datetime | None = None


def _text(value) -> str:
    return "∅" if value is None else json.dumps(value, ensure_ascii=False) if isinstance(value, (list, dict)) else str(value)


def describe_changes(changes: dict) -> str:
    """One line per field: ``area: 88.50 → 95.00``; details without a before/after read ``rooms: 1592``."""
    lines = []
    for field, value in changes.items():
        if isinstance(value, list) and len(value) == 2:
            lines.append(f"{field}: {_text(value[0])} → {_text(value[1])}")
        else:
            lines.append(f"{field}: {_text(value)}")
    return "\n".join(lines)


def _visible(principal: Principal) -> sa.ColumnElement[bool]:
    """Company-wide users see everything; others see their communities' events and their own."""
    ids = principal.community_filter()
    if ids is None:
        return sa.true()
    own = AuditEvent.actor_user_id == principal.user_id
    return sa.or_(AuditEvent.community_id.in_(sorted(ids)), own) if ids else own


def list_events(session: Session, principal: Principal, request: PageRequest, filters: AuditFilter) -> Page[AuditRow]:
    principal.require(Perm.AUDIT_VIEW)
    request = request.clamp()
    statement = (
        sa.select(AuditEvent, Community.name)
        .outerjoin(Community, Community.id == AuditEvent.community_id)
        .where(_visible(principal))
    )
    if filters.action:
        statement = statement.where(AuditEvent.action.like(f"{filters.action}%"))
    if filters.actor:
        statement = statement.where(AuditEvent.actor_name == filters.actor.strip().lower())
    if filters.entity_type:
        statement = statement.where(AuditEvent.entity_type == filters.entity_type)
    if filters.entity_id:
        statement = statement.where(AuditEvent.entity_id == filters.entity_id.strip())
    if filters.outcome:
        statement = statement.where(AuditEvent.outcome == filters.outcome)
    if filters.since:
        statement = statement.where(AuditEvent.occurred_at >= filters.since)
    if filters.until:
        statement = statement.where(AuditEvent.occurred_at < filters.until)
    total = count(session, statement)
    statement = statement.order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    rows = [
        AuditRow(
            id=event.id, occurred_at=local_text(event.occurred_at, seconds=True), actor_name=event.actor_name,
            action=event.action, outcome=event.outcome, entity_type=event.entity_type, entity_id=event.entity_id,
            community_name=community_name or "", changes=describe_changes(event.changes),
            client_ip=event.client_ip,
        )
        for event, community_name in session.execute(paginate(statement, request)).all()
    ]
    return Page(rows, total, request.page, request.page_size)


def count_recent(session: Session, principal: Principal, *, action: str, since: datetime) -> int:
    """How many ``action`` events since a time, within what the principal may see."""
    return session.scalar(
        sa.select(sa.func.count(AuditEvent.id))
        .where(_visible(principal), AuditEvent.action == action, AuditEvent.occurred_at >= since)
    ) or 0
