"""Community activities 社区活动 (seed 001 05.3: 主题策划 → 活动通知 → 报名参与 → 现场管理 → 效果评估): the plan with its
staff roles, sign-ups of households (people counted against the capacity, a waiting list beyond it), check-in on
the day, the participants' evaluations and the manager's review."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from pm_admin.core.clock import utcnow
from pm_admin.core.mixins import version_column
from pm_admin.core.types import UTCDateTime, str_enum


class ActivityStatus(enum.StrEnum):
    PLANNED = "planned"  # 主题策划
    OPEN = "open"  # sign-up open (the 活动通知 drafted)
    CLOSED = "closed"  # sign-up closed
    DONE = "done"  # held: participants may evaluate it
    REVIEWED = "reviewed"  # the manager's review saved


class SignupStatus(enum.StrEnum):
    CONFIRMED = "confirmed"
    WAITING = "waiting"  # beyond the capacity, in the order of signing up
    CANCELLED = "cancelled"


class SignupSource(enum.StrEnum):
    PORTAL = "portal"
    STAFF = "staff"
    WALK_IN = "walk_in"  # came on the day without signing up


MAX_PEOPLE = 5  # a household brings 1–5 people


_activity_version = version_column()


class Activity(SQLModel, table=True):
    __tablename__ = "activity"
    __table_args__ = (sa.Index("ix_activity_community_time", "community_id", "starts_at"),)
    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id")
    theme: str = Field(default="", max_length=40)  # 主题: 亲子, 节日, 健康, 文体 …
    title: str = Field(max_length=100)
    description: str = Field(default="", max_length=4000)
    starts_at: datetime = Field(sa_type=UTCDateTime)
    ends_at: datetime = Field(sa_type=UTCDateTime)
    place: str = Field(max_length=100)
    capacity: int  # people
    budget: Decimal = Field(default=Decimal("0"), sa_type=sa.Numeric(12, 2))
    status: ActivityStatus = Field(default=ActivityStatus.PLANNED, sa_type=str_enum(ActivityStatus, 12))
    notice_ref: str = Field(default="", max_length=64)  # the 活动通知 drafted when sign-up opened
    improvement: str = Field(default="", max_length=2000)  # what to improve (the review)
    reviewed_by: str = Field(default="", max_length=64)
    reviewed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_by: str = Field(default="", max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    version: int = Field(default=1, sa_column=_activity_version)
    __mapper_args__ = {"version_id_col": _activity_version}


class ActivityStaff(SQLModel, table=True):
    """A staff member's role at the activity: 主持, 签到, 后勤 …"""

    __tablename__ = "activity_staff"
    __table_args__ = (sa.UniqueConstraint("activity_id", "user_id", name="uq_activity_staff"),)
    id: int | None = Field(default=None, primary_key=True)
    activity_id: int = Field(foreign_key="activity.id", index=True)
    user_id: int = Field(foreign_key="app_user.id")
    name: str = Field(max_length=64)
    role: str = Field(max_length=40)


class ActivitySignup(SQLModel, table=True):
    """One household's sign-up (one per room and activity; a walk-in without a room has none)."""

    __tablename__ = "activity_signup"
    __table_args__ = (sa.UniqueConstraint("activity_id", "room_id", name="uq_activity_signup_room"),
                      sa.Index("ix_activity_signup_activity", "activity_id", "status", "id"))
    id: int | None = Field(default=None, primary_key=True)
    activity_id: int = Field(foreign_key="activity.id")
    community_id: int = Field(foreign_key="community.id")
    room_id: int | None = Field(default=None, foreign_key="room.id", index=True)
    room_code: str = Field(default="", max_length=40)
    name: str = Field(default="", max_length=64)  # who signed up (the owner's or the walk-in's name)
    people: int = Field(default=1)
    status: SignupStatus = Field(sa_type=str_enum(SignupStatus, 12))
    source: SignupSource = Field(sa_type=str_enum(SignupSource, 8))
    account_id: int | None = Field(default=None)  # the portal account that signed up (told when promoted)
    language: str = Field(default="zh-CN", max_length=8)
    signed_up_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)  # waiting-list order
    checked_in_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    cancelled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_by: str = Field(default="", max_length=64)


class ActivityEvaluation(SQLModel, table=True):
    """A participating household's evaluation 效果评估: 1–5 and a comment, once per household."""

    __tablename__ = "activity_evaluation"
    __table_args__ = (sa.UniqueConstraint("activity_id", "room_id", name="uq_activity_evaluation_room"),)
    id: int | None = Field(default=None, primary_key=True)
    activity_id: int = Field(foreign_key="activity.id", index=True)
    room_id: int = Field(foreign_key="room.id")
    account_id: int
    score: int
    comment: str = Field(default="", max_length=500)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
