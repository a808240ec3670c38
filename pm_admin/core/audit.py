"""The append-only audit log: its table and ``record``, the one way anything writes to it.

In core because every layer writes to it (services, the guard, file routes); reading it is the ``audit`` screen.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import JSON, Field, Session, SQLModel

from pm_admin.core.clock import utcnow
from pm_admin.core.permissions import ClientInfo, Principal
from pm_admin.core.types import UTCDateTime


class AuditEvent(SQLModel, table=True):
    """One thing that happened. Rows are only ever inserted: database triggers refuse
    UPDATE and DELETE, and no code path offers either."""

    __tablename__ = "audit_event"
    __table_args__ = (
        sa.Index("ix_audit_event_occurred", "occurred_at"),
        sa.Index("ix_audit_event_community_time", "community_id", "occurred_at"),
        sa.Index("ix_audit_event_actor_time", "actor_user_id", "occurred_at"),
        sa.Index("ix_audit_event_entity", "entity_type", "entity_id"),
        sa.Index("ix_audit_event_action_time", "action", "occurred_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    occurred_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    actor_user_id: int | None = Field(default=None)
    actor_name: str = Field(default="", max_length=64)
    action: str = Field(max_length=64)
    outcome: str = Field(default="ok", max_length=16)  # ok | denied | failed
    entity_type: str = Field(default="", max_length=32)
    entity_id: str = Field(default="", max_length=64)
    community_id: int | None = Field(default=None)
    changes: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    client_ip: str = Field(default="", max_length=64)
    user_agent: str = Field(default="", max_length=256)

# Fields whose values never belong in the audit log, even as "before".
REDACTED_FIELDS = frozenset({"password", "password_hash", "token_hash", "ticket_hash"})


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_jsonable(v) for v in sorted(value, key=str)] if isinstance(value, (set, frozenset)) else [_jsonable(v) for v in value]
    return str(value)


def diff(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for the fields that differ (all fields on create/delete)."""
    before = before or {}
    after = after or {}
    changes: dict[str, list[Any]] = {}
    for field in sorted(set(before) | set(after)):
        old, new = before.get(field), after.get(field)
        if field in REDACTED_FIELDS:
            if old != new:
                changes[field] = ["***", "***"]
            continue
        if _jsonable(old) != _jsonable(new):
            changes[field] = [_jsonable(old), _jsonable(new)]
    return changes


def record(
    session: Session,
    *,
    action: str,
    actor: Principal | None = None,
    entity_type: str = "",
    entity_id: Any = "",
    community_id: int | None = None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    details: Mapping[str, Any] | None = None,
    outcome: str = "ok",
    client: ClientInfo | None = None,
    actor_name: str | None = None,
    actor_user_id: int | None = None,
) -> AuditEvent:
    """Append one audit event in the caller's transaction (it commits with the change)."""
    client = client or (actor.client if actor else ClientInfo())
    changes: dict[str, Any] = diff(before, after)
    if details:
        changes.update({key: _jsonable(value) for key, value in details.items()})
    event = AuditEvent(
        actor_user_id=actor.audit_user_id if actor else actor_user_id,
        actor_name=(actor.username if actor else actor_name) or "",
        action=action,
        outcome=outcome,
        entity_type=entity_type,
        entity_id=str(entity_id) if entity_id is not None else "",
        community_id=community_id,
        changes=changes,
        client_ip=client.ip[:64],
        user_agent=client.user_agent[:256],
    )
    session.add(event)
    return event
