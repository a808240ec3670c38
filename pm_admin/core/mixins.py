"""Column helpers: timestamps and an optimistic-concurrency version."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field

from pm_admin.core.clock import utcnow
from pm_admin.core.types import UTCDateTime


class Timestamped:
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


def version_column() -> sa.Column:
    """A ``version`` column for ``__mapper_args__ = {"version_id_col": ...}``.

    SQLAlchemy then bumps it on every UPDATE and adds ``WHERE version = :old``, so two
    saves from the same starting point cannot both succeed.
    """
    return sa.Column("version", sa.Integer, nullable=False, default=1, server_default="1")
