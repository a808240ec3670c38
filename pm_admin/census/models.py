"""Quarterly census 普查 (seed 001 §篇3 4.4.2): one task per household each quarter."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from pydantic import BaseModel
from sqlmodel import Field, SQLModel

from pm_admin.core.clock import utcnow
from pm_admin.core.mixins import version_column
from pm_admin.core.types import UTCDateTime, str_enum


class TaskStatus(enum.StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"  # nothing changed
    CHANGED = "changed"  # changes were entered in the owner registry


_task_version = version_column()


class CensusTask(SQLModel, table=True):
    __tablename__ = "census_task"
    __table_args__ = (sa.UniqueConstraint("quarter", "room_id", name="uq_census_quarter_room"),
                      sa.Index("ix_census_quarter_community", "quarter", "community_id", "status"),
                      sa.Index("ix_census_assignee", "assignee_id", "quarter", "status"))
    id: int | None = Field(default=None, primary_key=True)
    quarter: str = Field(max_length=8)  # 2026Q4
    room_id: int = Field(foreign_key="room.id")
    community_id: int = Field(foreign_key="community.id")
    building_id: int = Field(foreign_key="building.id")
    owner_id: int = Field(foreign_key="owner.id")
    assignee_id: int | None = Field(default=None, foreign_key="app_user.id")
    status: TaskStatus = Field(default=TaskStatus.PENDING, sa_type=str_enum(TaskStatus, 12))
    note: str = Field(default="", max_length=300)
    # What the registry recorded for the household while the task was open (owner-change field codes,
    # comma-separated): the "changed" result says what changed.
    changed_fields: str = Field(default="", max_length=300)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    completed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    completed_by: str = Field(default="", max_length=64)
    version: int = Field(default=1, sa_column=_task_version)
    __mapper_args__ = {"version_id_col": _task_version}


class TaskRow(BaseModel):
    id: int
    room_code: str
    owner_id: int
    owner_name: str
    assignee: str
    status: str
    note: str
    completed_at: str
    version: int


class CompletionRow(BaseModel):
    community_id: int
    community_name: str
    total: int
    done: int
    changed: int
    percent: int
