"""Arrears follow-up cases 催缴 and their follow-ups; the balances they follow are ``billing.models.RoomArrears``."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from pydantic import BaseModel
from sqlmodel import Field, SQLModel

from pm_admin.core.clock import utcnow
from pm_admin.core.types import UTCDateTime, str_enum


class CaseStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class Channel(enum.StrEnum):
    PHONE = "phone"  # 电话
    SMS = "sms"  # 短信
    VISIT = "visit"  # 上门
    WECHAT = "wechat"  # 微信


class ReasonCategory(enum.StrEnum):
    FORGOT = "forgot"  # 忘记缴纳
    HARDSHIP = "hardship"  # 经济困难
    SERVICE_DISPUTE = "service_dispute"  # 对服务有异议 (linked to a ticket)
    ABSENT = "absent"  # 长期不在
    REFUSES = "refuses"  # 拒缴
    OTHER = "other"


class ArrearsCase(SQLModel, table=True):
    """催缴 case of a room more than a month in arrears: followed up at least every 15 days."""

    __tablename__ = "arrears_case"
    __table_args__ = (
        sa.Index("ix_arrears_case_open_due", "status", "community_id", "next_due_on"),
        sa.Index("ix_arrears_case_assignee", "assignee_id", "status"),
        # One open case per room, whoever opens it (the daily job, an import, two managers at once).
        sa.Index("uq_arrears_case_open_room", "room_id", unique=True, sqlite_where=sa.text("status = 'open'"),
                 postgresql_where=sa.text("status = 'open'")),
    )
    id: int | None = Field(default=None, primary_key=True)
    room_id: int = Field(foreign_key="room.id", index=True)
    community_id: int = Field(foreign_key="community.id")
    building_id: int = Field(foreign_key="building.id")
    # Who follows it up: the community's choice (``household_work``), a cs or the building's steward; None: anyone.
    assignee_id: int | None = Field(default=None, foreign_key="app_user.id")
    status: CaseStatus = Field(default=CaseStatus.OPEN, sa_type=str_enum(CaseStatus, 8))
    opened_on: date
    next_due_on: date
    last_follow_up_on: date | None = None
    closed_on: date | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class FollowUp(SQLModel, table=True):
    __tablename__ = "arrears_follow_up"
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="arrears_case.id", index=True)
    done_on: date
    channel: Channel = Field(sa_type=str_enum(Channel, 8))
    result: str = Field(max_length=300)
    promise_date: date | None = None
    reason_category: ReasonCategory = Field(sa_type=str_enum(ReasonCategory, 16))
    ticket_code: str = Field(default="", max_length=32)  # the service dispute's ticket, when there is one
    actor_user_id: int | None = None
    actor_name: str = Field(default="", max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ArrearsRow(BaseModel):
    case_id: int
    room_id: int
    room_code: str
    owner_names: str
    amount: str
    since: str
    months: int
    next_due_on: str
    overdue_days: int
    last_follow_up_on: str
    follow_ups: int
    assignee: str
    balance_version: int  # what a balance edit started from


class FollowUpRow(BaseModel):
    done_on: str
    channel: str
    result: str
    promise_date: str
    reason_category: str
    ticket_code: str
    ticket_id: int  # 0 when no ticket is named
    actor_name: str
