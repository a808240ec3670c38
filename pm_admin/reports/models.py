"""The stored monthly reports: one snapshot per community and closed month, never changed once written."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlmodel import JSON, Field, SQLModel

from pm_admin.core.clock import utcnow
from pm_admin.core.errors import DomainError
from pm_admin.core.types import UTCDateTime


class MonthlyReport(SQLModel, table=True):
    """The figures of a community's closed month as they were generated (the daily job on the 1st, or the first
    reader who asked): later changes to tickets, callbacks or judgements never reach them."""

    __tablename__ = "monthly_report"
    __table_args__ = (sa.UniqueConstraint("community_id", "month", name="uq_monthly_report"),)
    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id")
    month: date  # the month's first day
    figures: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    generated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    generated_by: str = Field(max_length=64)  # a staff username, or "system" (the daily job)


@event.listens_for(MonthlyReport, "before_update")
@event.listens_for(MonthlyReport, "before_delete")
def _never_changed(_mapper, _connection, _target) -> None:
    raise DomainError("reports.snapshot_is_final")
