"""The append-only audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel
from sqlmodel import JSON, Field, SQLModel

from pm_admin.core.clock import utcnow
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


class AuditRow(BaseModel):
    id: int
    occurred_at: str
    actor_name: str
    action: str
    action_label: str  # in the reader's language
    outcome: str
    entity_type: str
    entity_label: str
    entity_id: str
    community_name: str
    changes: str
    client_ip: str
