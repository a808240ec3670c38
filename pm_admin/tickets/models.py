"""Tickets 工单: complaints, requests, repairs, suggestions, inquiries and anonymous feedback, with
their SLA clocks, timeline, evidence, callbacks 回访 and the departments that handle them."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from pydantic import BaseModel
from sqlmodel import Field, SQLModel

from pm_admin.core.clock import utcnow
from pm_admin.core.mixins import version_column
from pm_admin.core.types import UTCDateTime, str_enum


class Kind(enum.StrEnum):
    COMPLAINT = "complaint"  # 投诉
    REQUEST = "request"  # 诉求/报事
    REPAIR = "repair"  # 报修
    SUGGESTION = "suggestion"  # 建议
    INQUIRY = "inquiry"  # 咨询
    ANONYMOUS = "anonymous"  # 匿名反馈: the submitter is never stored


class Tier(enum.StrEnum):
    """In the order every list and form shows them (紧急 / 重要 / 一般): iterate the enum, never spell the order."""

    URGENT = "urgent"  # 紧急
    IMPORTANT = "important"  # 重要
    NORMAL = "normal"  # 一般


class Channel(enum.StrEnum):
    HOTLINE = "hotline"  # 热线
    FRONT_DESK = "front_desk"  # 前台
    SUGGESTION_BOX = "suggestion_box"  # 意见箱
    WECHAT_GROUP = "wechat_group"  # 微信群
    ONLINE = "online"  # 线上
    PATROL = "patrol"  # 巡查
    MEETING = "meeting"  # 座谈会
    VISIT = "visit"  # 走访
    ANONYMOUS = "anonymous"  # 匿名


class Status(enum.StrEnum):
    NEW = "new"  # 待受理
    ASSIGNED = "assigned"  # 已派单
    IN_PROGRESS = "in_progress"  # 处理中
    ON_HOLD = "on_hold"  # 挂起
    RESOLVED = "resolved"  # 待回访
    CLOSED = "closed"  # 已关闭
    CANCELLED = "cancelled"  # 已撤销
    INVALID = "invalid"  # 无效


OPEN_STATUSES = (Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS, Status.ON_HOLD, Status.RESOLVED)
BOARD_STATUSES = OPEN_STATUSES
FINAL_STATUSES = (Status.CLOSED, Status.CANCELLED, Status.INVALID)


class Relation(enum.StrEnum):
    """Who reported the ticket, seen from the room: the contact for the callback and the visit."""

    OWNER = "owner"  # 业主
    FAMILY = "family"  # 家属
    TENANT = "tenant"  # 租户
    OTHER = "other"  # 其他


class Department(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=16, unique=True)
    name: str = Field(max_length=32)
    name_en: str = Field(default="", max_length=48)


class DepartmentMember(SQLModel, table=True):
    __tablename__ = "department_member"
    department_id: int = Field(foreign_key="department.id", primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", primary_key=True)
    is_active: bool = Field(default=True)


class TicketCategory(SQLModel, table=True):
    """The category tree (物业服务 → 客服态度 …); a category routes to a department (auto-assignment)."""

    __tablename__ = "ticket_category"
    id: int | None = Field(default=None, primary_key=True)
    parent_id: int | None = Field(default=None, foreign_key="ticket_category.id", index=True)
    code: str = Field(max_length=32, unique=True)
    name_zh: str = Field(max_length=32)
    name_en: str = Field(max_length=48)
    department_id: int | None = Field(default=None, foreign_key="department.id")
    round_robin: bool = Field(default=False)  # assign to the department's members in turn
    last_assignee_id: int | None = Field(default=None, foreign_key="app_user.id")
    is_active: bool = Field(default=True)
    sort: int = Field(default=0)


class SlaPolicy(SQLModel, table=True):
    """Targets in minutes per tier and (top-level) category; category NULL is the tier's default."""

    __tablename__ = "sla_policy"
    __table_args__ = (sa.UniqueConstraint("tier", "category_id", name="uq_sla_tier_category"),)
    id: int | None = Field(default=None, primary_key=True)
    tier: Tier = Field(sa_type=str_enum(Tier, 12))
    category_id: int | None = Field(default=None, foreign_key="ticket_category.id")
    respond_minutes: int
    onsite_minutes: int | None = None
    resolve_minutes: int


_ticket_version = version_column()


class Ticket(SQLModel, table=True):
    __table_args__ = (
        # The board: open tickets of a community per tier and status, in deadline order.
        sa.Index("ix_ticket_board", "community_id", "tier", "status", "resolve_due"),
        sa.Index("ix_ticket_tier_status_due", "tier", "status", "resolve_due"),  # company-wide boards
        # Per-community counts over open statuses (home figures, overdue): 110k → 10k rows read at 550k tickets.
        sa.Index("ix_ticket_community_status_due", "community_id", "status", "resolve_due"),
        sa.Index("ix_ticket_status_due", "status", "resolve_due"),
        sa.Index("ix_ticket_room_category", "room_id", "category_id", "created_at"),
        sa.Index("ix_ticket_assignee_status", "assignee_id", "status"),
        sa.Index("ix_ticket_created", "created_at"),
        sa.Index("ix_ticket_resolved", "status", "resolved_at"),
        sa.Index("ix_ticket_community_updated", "community_id", "updated_at"),  # the board's change stamp
        sa.Index("ix_ticket_updated", "updated_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=20, unique=True)  # TS-20261122-0001
    community_id: int = Field(foreign_key="community.id")
    room_id: int | None = Field(default=None, foreign_key="room.id")
    owner_id: int | None = Field(default=None, foreign_key="owner.id")
    kind: Kind = Field(sa_type=str_enum(Kind, 12))
    category_id: int = Field(foreign_key="ticket_category.id")
    tier: Tier = Field(sa_type=str_enum(Tier, 12))
    channel: Channel = Field(sa_type=str_enum(Channel, 16))
    title: str = Field(max_length=100)
    description: str = Field(default="", max_length=4000)
    status: Status = Field(default=Status.NEW, sa_type=str_enum(Status, 12))
    department_id: int | None = Field(default=None, foreign_key="department.id")
    assignee_id: int | None = Field(default=None, foreign_key="app_user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    created_by: str = Field(default="", max_length=64)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    respond_due: datetime = Field(sa_type=UTCDateTime)
    onsite_due: datetime | None = Field(default=None, sa_type=UTCDateTime)
    resolve_due: datetime = Field(sa_type=UTCDateTime)
    responded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    onsite_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    paused_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    paused_seconds: int = Field(default=0)
    hold_until: date | None = None
    hold_reason: str = Field(default="", max_length=200)
    resolution: str = Field(default="", max_length=2000)
    plan: str = Field(default="", max_length=2000)  # 处理方案 of an important ticket
    plan_approved_by: str = Field(default="", max_length=64)
    plan_approved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    reopen_count: int = Field(default=0)
    repeat_of_id: int | None = Field(default=None, foreign_key="ticket.id")  # 二次投诉
    valid_complaint: bool | None = None  # 有效投诉, decided by a manager
    callback_attempts: int = Field(default=0)
    next_callback_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Who reported it (defaults to the room's current owner; never stored for anonymous feedback). The phone
    # is personal data: ciphertext plus a blind index, like owners' phones.
    contact_name: str = Field(default="", max_length=64)
    contact_phone_enc: str | None = Field(default=None, max_length=255)
    contact_phone_index: str | None = Field(default=None, max_length=64, index=True)
    contact_relation: str = Field(default="", max_length=12)  # Relation, "" when nobody is named
    contact_time: str = Field(default="", max_length=64)  # when the contact prefers to be called
    # 预约上门时间: when the handler agreed with the contact to come (set on the ticket page, the owner is told).
    appointment_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The hold_until for which the assignee and managers were told the hold ran out (told once per hold).
    hold_overdue_notified: date | None = None
    version: int = Field(default=1, sa_column=_ticket_version)
    __mapper_args__ = {"version_id_col": _ticket_version}


class TicketSequence(SQLModel, table=True):
    """Last number given out per day, for human codes TS-YYYYMMDD-NNNN."""

    __tablename__ = "ticket_sequence"
    day: str = Field(primary_key=True, max_length=8)
    last: int = Field(default=0)


class TicketObserver(SQLModel, table=True):
    __tablename__ = "ticket_observer"
    ticket_id: int = Field(foreign_key="ticket.id", primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", primary_key=True)


class TicketEventKind(enum.StrEnum):
    """What a line of a ticket's timeline records."""

    CREATED = "created"
    REPEAT = "repeat"  # linked to the earlier ticket it repeats
    STATUS = "status"  # a workflow action: from_status → to_status
    PLAN = "plan"
    PLAN_APPROVED = "plan_approved"
    REPLY = "reply"  # to the owner (public)
    NOTE = "note"  # internal
    TIER = "tier"
    EVIDENCE = "evidence"
    VALID_YES = "valid_yes"
    VALID_NO = "valid_no"
    CALLBACK_SATISFIED = "callback_satisfied"
    CALLBACK_UNSATISFIED = "callback_unsatisfied"
    CALLBACK_UNREACHABLE = "callback_unreachable"
    APPOINTMENT = "appointment"  # 预约上门时间 set or changed (public: the owner is told the time)


class TicketEvent(SQLModel, table=True):
    """The ticket's timeline: every transition, reply (public) and internal note."""

    __tablename__ = "ticket_event"
    __table_args__ = (sa.Index("ix_ticket_event_ticket", "ticket_id", "at"),)
    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id")
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    actor_name: str = Field(default="", max_length=64)
    kind: str = Field(max_length=24)  # a TicketEventKind
    from_status: str = Field(default="", max_length=12)
    to_status: str = Field(default="", max_length=12)
    body: str = Field(default="", max_length=2000)
    public: bool = Field(default=False)  # a reply the owner may see vs an internal note


class TicketEvidence(SQLModel, table=True):
    __tablename__ = "ticket_evidence"
    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    filename: str = Field(max_length=200)
    content_type: str = Field(max_length=64)
    size: int
    sha256: str = Field(max_length=64)
    uploaded_by: str = Field(default="", max_length=64)
    uploaded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class SlaBreach(SQLModel, table=True):
    """A missed target, stored when it happens (size in minutes), never recomputed."""

    __tablename__ = "sla_breach"
    __table_args__ = (sa.UniqueConstraint("ticket_id", "milestone", "round", name="uq_sla_breach"),)
    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    community_id: int = Field(foreign_key="community.id")
    tier: Tier = Field(sa_type=str_enum(Tier, 12))
    milestone: str = Field(max_length=12)  # respond | onsite | resolve
    round: int = Field(default=1)  # the TicketRound number: respond and on-site in round 1, resolve in each
    due_at: datetime = Field(sa_type=UTCDateTime)
    met_at: datetime = Field(sa_type=UTCDateTime)
    minutes_over: int


class TicketRound(SQLModel, table=True):
    """One resolution of a ticket: round 1 from registration to the first resolution, round n+1 from the n-th
    reopening to the next. A round's facts are fixed when it is resolved (tier, hold time, callback due), so the
    figures of a closed period never change; a later cancellation keeps the rounds already completed."""

    __tablename__ = "ticket_round"
    __table_args__ = (
        sa.UniqueConstraint("ticket_id", "number", name="uq_ticket_round"),
        sa.Index("ix_ticket_round_resolved", "community_id", "resolved_at"),
        sa.Index("ix_ticket_round_resolved_all", "resolved_at"),
        sa.Index("ix_ticket_round_callback_due", "community_id", "callback_due_at"),
        sa.Index("ix_ticket_round_callback_due_all", "callback_due_at"),
        sa.Index("ix_ticket_round_resolver", "resolver_id", "resolved_at"),
        sa.Index("ix_ticket_round_department", "department_id", "resolved_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id")
    number: int  # 1, 2, …
    community_id: int = Field(foreign_key="community.id")
    kind: str = Field(max_length=12)
    started_at: datetime = Field(sa_type=UTCDateTime)
    paused_seconds_at_start: int = Field(default=0)  # the ticket's hold total when the round began
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    hold_seconds: int = Field(default=0)  # time on hold inside the round (set at resolution)
    active_seconds: int = Field(default=0)  # resolved − started − hold: the round's time to resolve
    tier: str = Field(default="", max_length=12)  # the ticket's tier at resolution
    breached: bool = Field(default=False)  # an SLA breach of this round is stored (response, on-site, resolution)
    # Set at resolution when the kind needs a callback (never for anonymous feedback).
    callback_due_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    callback_reached_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # first callback that reached
    callback_unreachable: bool = Field(default=False)  # the maximum attempts, nobody reached
    # Who the round's work counts for (scorecards): the assignee and department at resolution, and the callback
    # that ended the round (the first one that reached the owner after it), fixed when they happen.
    resolver_id: int | None = Field(default=None, foreign_key="app_user.id")
    department_id: int | None = Field(default=None, foreign_key="department.id")
    callback_id: int | None = Field(default=None, foreign_key="callback.id")


class KindSetting(SQLModel, table=True):
    """Per ticket kind: whether a resolved ticket needs a callback 回访, and within how many days."""

    __tablename__ = "ticket_kind_setting"
    kind: str = Field(primary_key=True, max_length=12)
    needs_callback: bool = Field(default=True)
    callback_days: int = Field(default=2)


class Callback(SQLModel, table=True):
    """回访: closing needs one; unsatisfied reopens; unreachable retries up to 3 times."""

    __table_args__ = (sa.Index("ix_callback_ticket", "ticket_id", "attempt"),)
    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id")
    attempt: int
    method: str = Field(max_length=12)  # phone | visit | wechat | online
    reached: bool
    satisfied: bool | None = None
    comment: str = Field(default="", max_length=500)
    attitude: int | None = None  # repairs (seed 003 5.28): 1–5
    efficiency: int | None = None
    skill: int | None = None
    result: int | None = None
    overall: int | None = None
    done_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    done_by: str = Field(default="", max_length=64)


class Notification(SQLModel, table=True):
    """On-screen notices (an urgent ticket for its community's managers)."""

    __table_args__ = (sa.Index("ix_notification_user_unread", "user_id", "read_at"),)
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id")
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id")
    message_key: str = Field(max_length=48)
    detail: str = Field(default="", max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    read_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


# ---------------------------------------------------------------- public shapes


class Card(BaseModel):
    id: int
    code: str
    title: str
    room: str
    category: str
    kind: str
    tier: str
    status: str
    sla_state: str  # ok | soon | breached | paused
    sla_text: str
    assignee: str
    reopen_count: int
    is_repeat: bool
    version: int
    targets: str = ""  # the columns the reader may drop it on, space-separated (the board dims the others)


class TicketRow(BaseModel):
    id: int
    code: str
    title: str
    kind: str
    tier: str
    status: str
    room: str
    category: str
    department: str
    assignee: str
    created_at: str
    resolve_due: str
    sla_state: str
    reopen_count: int
    is_repeat: bool
    version: int  # the version the reader saw: a bulk action on the row is refused if it changed since
