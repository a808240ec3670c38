"""Integration tokens and the answers kept for idempotent retries."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from pm_admin.core.clock import utcnow
from pm_admin.core.types import UTCDateTime


class ApiToken(SQLModel, table=True):
    """A staff integration's bearer token (``pmi_…``): only its hash is kept; the prefix names it in lists."""

    __tablename__ = "api_token"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=64)
    prefix: str = Field(max_length=12)
    token_hash: str = Field(max_length=64, unique=True)
    scopes: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    all_communities: bool = Field(default=False)
    community_ids: list[int] = Field(default_factory=list, sa_type=sa.JSON)
    per_minute: int = Field(default=120)  # requests a minute before 429
    created_by: int | None = Field(default=None, foreign_key="app_user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class IdempotentRequest(SQLModel, table=True):
    """The first answer to a POST with an ``Idempotency-Key``: a retry with the same key and body gets it again,
    and nothing is created twice (the row commits with what the request created)."""

    __tablename__ = "api_idempotency"
    caller: str = Field(primary_key=True, max_length=40)  # owner:<account> or token:<id>
    key: str = Field(primary_key=True, max_length=128)
    request_hash: str = Field(max_length=64)
    status_code: int
    body: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
