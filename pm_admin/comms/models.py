"""Notices 公告 and emergencies 紧急通知, their households, progress updates and category templates."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from pm_admin.core.clock import utcnow
from pm_admin.core.mixins import version_column
from pm_admin.core.types import UTCDateTime, str_enum

_notice_version = version_column()


class NoticeKind(enum.StrEnum):
    ANNOUNCEMENT = "announcement"  # 公告
    EMERGENCY = "emergency"  # 紧急通知
    OUTAGE = "outage"  # 停水停电
    GREETING = "greeting"  # 节日祝福
    ACTIVITY = "activity"  # 活动通知
    MINUTES = "minutes"  # 会议纪要
    RECTIFICATION = "rectification"  # 整改公示
    SURVEY_RESULT = "survey_result"  # 调查结果


class NoticeStatus(enum.StrEnum):
    DRAFT = "draft"
    PENDING = "pending"  # waiting for a manager's approval
    SCHEDULED = "scheduled"  # approved, content frozen, goes out at send_at
    SENT = "sent"  # written to every household's outbox
    EXPIRED = "expired"  # past valid_until
    WITHDRAWN = "withdrawn"


class Group(enum.StrEnum):
    """Who among the households of the chosen places: all owners, or a group of them."""

    ALL = "all"
    VIP = "vip"
    ARREARS = "arrears"  # households with an open arrears case
    TENANTS = "tenants"  # rooms with a current tenant


class Notice(SQLModel, table=True):
    __table_args__ = (sa.Index("ix_notice_community_status", "community_id", "status"),)
    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id")
    kind: NoticeKind = Field(sa_type=str_enum(NoticeKind, 16))
    category: str = Field(default="", max_length=16)  # a template's code: water, power, elevator …
    title: str = Field(max_length=100)
    body: str = Field(default="", max_length=8000)  # Markdown, rendered safely
    # The places it reaches (none: the whole community) and the group among their households.
    building_ids: list[int] = Field(default_factory=list, sa_type=sa.JSON)
    unit_ids: list[int] = Field(default_factory=list, sa_type=sa.JSON)
    room_ids: list[int] = Field(default_factory=list, sa_type=sa.JSON)
    group: Group = Field(default=Group.ALL, sa_type=str_enum(Group, 12))
    channels: list[str] = Field(default_factory=lambda: ["inbox"], sa_type=sa.JSON)
    send_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    valid_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    pinned: bool = Field(default=False)
    requires_ack: bool = Field(default=False)
    escalate_after_minutes: int = Field(default=60)
    status: NoticeStatus = Field(default=NoticeStatus.DRAFT, sa_type=str_enum(NoticeStatus, 12))
    corrects_id: int | None = Field(default=None, foreign_key="notice.id")
    source: str = Field(default="", max_length=40)  # what it publishes: meeting:12, ticket:34 …
    created_by: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    approved_by: str = Field(default="", max_length=64)
    approved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    review_needed: bool = Field(default=False)  # an emergency sent at once by the duty manager, reviewed after
    reviewed_by: str = Field(default="", max_length=64)
    withdrawn_reason: str = Field(default="", max_length=200)
    version: int = Field(default=1, sa_column=_notice_version)
    __mapper_args__ = {"version_id_col": _notice_version}


class NoticeHousehold(SQLModel, table=True):
    """One household (room) a sent notice reached: read, acknowledged 已知悉, escalated, called."""

    __tablename__ = "notice_household"
    __table_args__ = (sa.Index("ix_notice_household_building", "notice_id", "building_id"),)
    notice_id: int = Field(foreign_key="notice.id", primary_key=True)
    room_id: int = Field(foreign_key="room.id", primary_key=True)
    building_id: int = Field(foreign_key="building.id")
    accounts: int = Field(default=0)  # portal accounts it went to (0: only a call or SMS reaches them)
    read_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    acknowledged_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    escalation: int = Field(default=0)  # 0 portal, 1 SMS sent, 2 on the steward's call list
    called_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    called_by: str = Field(default="", max_length=64)
    call_note: str = Field(default="", max_length=200)


class NoticeUpdate(SQLModel, table=True):
    """处置进展: a progress line of an emergency, to the same households (处置中 → 已恢复)."""

    __tablename__ = "notice_update"
    id: int | None = Field(default=None, primary_key=True)
    notice_id: int = Field(foreign_key="notice.id", index=True)
    stage: str = Field(max_length=16)  # in_progress | restored
    body: str = Field(max_length=2000)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    by: str = Field(max_length=64)


class NoticeTemplate(SQLModel, table=True):
    """A category's wording (停水, 停电, 电梯, 消防, 燃气, 绿化 …), edited by admins; {placeholders} filled by staff."""

    __tablename__ = "notice_template"
    code: str = Field(primary_key=True, max_length=16)
    kind: NoticeKind = Field(sa_type=str_enum(NoticeKind, 16))
    name: str = Field(max_length=32)
    title: str = Field(max_length=100)
    body: str = Field(max_length=4000)
    extra: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
