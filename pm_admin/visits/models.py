"""The visit programme 走访 / 回访计划 (seed 002 §3.1.2, seed 003 5.27.2, seed 000 §三): plans per community generate
visit tasks (weekly rounds per steward, quarterly visits per building, the yearly door-to-door round per household);
a visit record keeps who was met, what was talked about, the satisfaction and the issues raised, each of which can
become a ticket or a suggestion, and may carry the reply date promised to the owner (告知预约回复时间)."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from pm_admin.core.clock import utcnow
from pm_admin.core.mixins import version_column
from pm_admin.core.types import UTCDateTime, str_enum


class PlanKind(enum.StrEnum):
    WEEKLY = "weekly"  # 每周走访: one round per steward each week (seed 002 §3.1.2 服务专员每周定期走访)
    QUARTERLY = "quarterly"  # 每季回访: each building, the steward's area, once a quarter (seed 003 5.27.2 b.2)
    DOOR_TO_DOOR = "door_to_door"  # 登门回访: every household once or twice a year (seed 003 5.27.2 b.1)


class Method(enum.StrEnum):
    DOOR = "door"  # 上门
    PHONE = "phone"  # 电话
    FORUM = "forum"  # 座谈
    OTHER = "other"  # 其他


class Met(enum.StrEnum):
    """Who was met; nobody (不在家 / 未接通) means the household was not reached."""

    OWNER = "owner"  # 业主本人
    FAMILY = "family"  # 家属
    TENANT = "tenant"  # 租户
    OTHER = "other"  # 其他
    NOBODY = "nobody"  # 未遇到


class IssueAction(enum.StrEnum):
    """What became of an issue the household raised."""

    ANSWERED = "answered"  # 当场答复
    TICKET = "ticket"  # 转工单 (channel 走访)
    SUGGESTION = "suggestion"  # 转建议 (suggestion box, channel 走访)
    PENDING = "pending"  # 待答复: could not be answered at once, a reply date was promised (seed 003 5.27.2 a.3)


class TaskStatus(enum.StrEnum):
    PENDING = "pending"
    DONE = "done"  # the task's visits reached its target within its period


# The ticket kinds an issue may become (never anonymous feedback: a visit names the household; never a suggestion
# ticket: a suggestion goes to the suggestion box).
TICKET_KINDS = ("request", "complaint", "repair", "inquiry")

_plan_version = version_column()
_issue_version = version_column()


class VisitPlan(SQLModel, table=True):
    """One plan per community and kind; ``target`` visits complete one of its tasks."""

    __tablename__ = "visit_plan"
    __table_args__ = (sa.UniqueConstraint("community_id", "kind", name="uq_visit_plan_kind"),)
    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    kind: PlanKind = Field(sa_type=str_enum(PlanKind, 16))
    target: int = Field(default=1)  # visits that complete a task (a weekly round: the visits of the week)
    times_per_year: int = Field(default=1)  # the door-to-door round: once (a year) or twice (each half-year)
    is_active: bool = Field(default=True)
    starts_on: date  # no tasks for periods that end before it
    updated_by: str = Field(max_length=64)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    version: int = Field(default=1, sa_column=_plan_version)
    __mapper_args__ = {"version_id_col": _plan_version}


class VisitTask(SQLModel, table=True):
    """A plan's task for one period: a steward's weekly round (subject ``u<user>``), a building's quarterly visit
    (``b<building>``) or a household's door-to-door visit (``r<room>``). ``visits`` counts the reaching visits of
    the period that fit it; at ``target`` it is done."""

    __tablename__ = "visit_task"
    __table_args__ = (sa.UniqueConstraint("plan_id", "period", "subject", name="uq_visit_task_subject"),
                      sa.Index("ix_visit_task_community", "community_id", "ends_on", "status"),
                      sa.Index("ix_visit_task_assignee", "assignee_id", "status", "ends_on"))
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="visit_plan.id")
    community_id: int = Field(foreign_key="community.id")
    kind: PlanKind = Field(sa_type=str_enum(PlanKind, 16))
    period: str = Field(max_length=10)  # 2026-W48, 2026Q4, 2026, 2026H2
    starts_on: date
    ends_on: date  # the task is due by this day
    subject: str = Field(max_length=16)
    assignee_id: int | None = Field(default=None, foreign_key="app_user.id")
    building_id: int | None = Field(default=None, foreign_key="building.id")
    room_id: int | None = Field(default=None, foreign_key="room.id", index=True)
    target: int = Field(default=1)
    visits: int = Field(default=0)
    status: TaskStatus = Field(default=TaskStatus.PENDING, sa_type=str_enum(TaskStatus, 12))
    completed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Visit(SQLModel, table=True):
    """One visit to a household (seed 000 §三(三): 溝通時間、方式、內容、處理結果). Kept as written: a visit is a record."""

    __tablename__ = "visit"
    __table_args__ = (sa.Index("ix_visit_community_day", "community_id", "visited_on"),
                      sa.Index("ix_visit_room_day", "room_id", "visited_on"),
                      sa.Index("ix_visit_visitor_day", "visitor_id", "visited_on"))
    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id")
    building_id: int = Field(foreign_key="building.id")
    room_id: int = Field(foreign_key="room.id")
    owner_id: int | None = Field(default=None, foreign_key="owner.id")  # the room's owner on the day, if any
    visitor_id: int = Field(foreign_key="app_user.id")
    visited_on: date
    method: Method = Field(sa_type=str_enum(Method, 8))
    met: Met = Field(sa_type=str_enum(Met, 8))
    met_name: str = Field(default="", max_length=40)
    topics: str = Field(default="", max_length=1000)  # 回访内容: what was talked about
    satisfaction: int | None = None  # 1–5, as the repair callback's 业主满意程度 (seed 003 5.28); none if nobody met
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class VisitIssue(SQLModel, table=True):
    """An issue raised on a visit: answered at once, a ticket, a suggestion, or waiting for the promised reply."""

    __tablename__ = "visit_issue"
    __table_args__ = (sa.Index("ix_visit_issue_promise", "community_id", "promised_on", "replied_at"),)
    id: int | None = Field(default=None, primary_key=True)
    visit_id: int = Field(foreign_key="visit.id", index=True)
    community_id: int = Field(foreign_key="community.id")
    room_id: int = Field(foreign_key="room.id")
    text: str = Field(max_length=500)
    action: IssueAction = Field(sa_type=str_enum(IssueAction, 12))
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id")
    suggestion_id: int | None = Field(default=None, foreign_key="suggestion.id")
    promised_on: date | None = None  # 预约回复时间 the owner was told
    reminded_on: date | None = None  # the day the visitor was reminded of it (once)
    reply: str = Field(default="", max_length=500)
    replied_by: str = Field(default="", max_length=64)
    replied_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    version: int = Field(default=1, sa_column=_issue_version)
    __mapper_args__ = {"version_id_col": _issue_version}
