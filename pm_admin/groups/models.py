"""VIP owner groups 业主VIP群 (seed 001 §03–§05, §09): a group per community (or set of buildings) with its staff
owner 群主, elected owner admins with a term and versioned rules 群规; admission (申请 → 身份核验 → 欠费核验 →
邀请 → 确认加入); violations with a sanction ladder (警告 → 禁言 → 移除, removal with a second approver, one appeal);
the WeCom actions a server cannot do as tasks for the group owner; an append-only moderation log; quarterly
compliance checks.

WeCom lets a server neither add, mute nor remove an external member (see the reference notes): the system decides
and records, the group owner acts in WeCom and confirms here."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from pm_admin.core.clock import utcnow
from pm_admin.core.mixins import version_column
from pm_admin.core.types import UTCDateTime, str_enum


class GroupChannel(enum.StrEnum):
    WECOM = "wecom"  # 企业微信客户群
    WECHAT = "wechat"  # 微信群


class ApplicationStatus(enum.StrEnum):
    SUBMITTED = "submitted"  # checks passed, waiting for staff
    INVITED = "invited"  # approved: the invitation (link / QR) went out through the outbox
    JOINED = "joined"  # the group owner confirmed the member is in the group
    REJECTED = "rejected"  # with the reason the owner reads


class MemberStatus(enum.StrEnum):
    ACTIVE = "active"
    MUTED = "muted"  # 禁言 until ``muted_until``
    REMOVED = "removed"


class ViolationCategory(enum.StrEnum):
    ILLEGAL = "illegal"  # 违法信息
    AD = "ad"  # 广告
    INSULT = "insult"  # 侮辱
    PRIVACY = "privacy"  # 泄露隐私
    SPAM = "spam"  # 刷屏


class ViolationStatus(enum.StrEnum):
    REPORTED = "reported"
    CONFIRMED = "confirmed"  # the sanction applied (a removal once its second approver agreed)
    AWAITING_SECOND = "awaiting_second"  # a removal: confirmed by one reviewer, waiting for a second approver
    DISMISSED = "dismissed"
    OVERTURNED = "overturned"  # the member's appeal was upheld: the sanction lifted


class Sanction(enum.StrEnum):
    WARNING = "warning"  # 警告
    MUTE = "mute"  # 禁言
    REMOVAL = "removal"  # 移除


class TaskKind(enum.StrEnum):
    """What the group owner does by hand in WeCom, then confirms here."""

    ADMIT = "admit"  # the invited owner scanned the code: confirm they are in
    MUTE = "mute"
    UNMUTE = "unmute"
    REMOVE = "remove"


_group_version = version_column()


class VipGroup(SQLModel, table=True):
    __tablename__ = "vip_group"
    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    name: str = Field(max_length=60)
    channel: GroupChannel = Field(default=GroupChannel.WECOM, sa_type=str_enum(GroupChannel, 8))
    building_ids: list[int] = Field(default_factory=list, sa_type=sa.JSON)  # none: the whole community
    owner_user_id: int = Field(foreign_key="app_user.id")  # 群主: a staff member
    join_link: str = Field(default="", max_length=500)  # the WeCom join-way QR code's URL or an invitation link
    is_active: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    version: int = Field(default=1, sa_column=_group_version)
    __mapper_args__ = {"version_id_col": _group_version}


class GroupRules(SQLModel, table=True):
    """群规, one row per version: a member is shown the version in force."""

    __tablename__ = "vip_group_rules"
    __table_args__ = (sa.UniqueConstraint("group_id", "number", name="uq_vip_group_rules_number"),)
    id: int | None = Field(default=None, primary_key=True)
    group_id: int = Field(foreign_key="vip_group.id", index=True)
    number: int
    text: str = Field(max_length=4000)
    published_by: str = Field(max_length=64)
    published_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class GroupAdmin(SQLModel, table=True):
    """管理员: an owner member elected to help keep order, for a term."""

    __tablename__ = "vip_group_admin"
    id: int | None = Field(default=None, primary_key=True)
    group_id: int = Field(foreign_key="vip_group.id", index=True)
    member_id: int = Field(foreign_key="vip_group_member.id")
    term_start: date
    term_end: date
    elected_on: date


_application_version = version_column()


class GroupApplication(SQLModel, table=True):
    __tablename__ = "vip_group_application"
    __table_args__ = (sa.Index("ix_vip_application_group_status", "group_id", "status"),)
    id: int | None = Field(default=None, primary_key=True)
    group_id: int = Field(foreign_key="vip_group.id")
    community_id: int = Field(foreign_key="community.id")
    room_id: int = Field(foreign_key="room.id", index=True)
    account_id: int | None = Field(default=None, foreign_key="owner_account.id", index=True)
    applicant_name: str = Field(max_length=64)
    person_kind: str = Field(max_length=12)  # owner | member (a tenant is not eligible)
    language: str = Field(default="zh-CN", max_length=8)
    status: ApplicationStatus = Field(default=ApplicationStatus.SUBMITTED, sa_type=str_enum(ApplicationStatus, 10))
    # The checks as they were when applied (the owner and the reviewer read the same words).
    identity_ok: bool = Field(default=False)
    identity_note: str = Field(default="", max_length=200)
    fee_ok: bool = Field(default=False)
    fee_note: str = Field(default="", max_length=200)
    override_reason: str = Field(default="", max_length=500)  # a manager admitted despite the fee check
    reject_reason: str = Field(default="", max_length=500)
    decided_by: str = Field(default="", max_length=64)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_by: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    version: int = Field(default=1, sa_column=_application_version)
    __mapper_args__ = {"version_id_col": _application_version}


_member_version = version_column()


class GroupMember(SQLModel, table=True):
    __tablename__ = "vip_group_member"
    __table_args__ = (sa.Index("ix_vip_member_group_status", "group_id", "status"),)
    id: int | None = Field(default=None, primary_key=True)
    group_id: int = Field(foreign_key="vip_group.id")
    application_id: int | None = Field(default=None, foreign_key="vip_group_application.id")
    room_id: int = Field(foreign_key="room.id")
    account_id: int | None = Field(default=None, foreign_key="owner_account.id")
    name: str = Field(max_length=64)
    language: str = Field(default="zh-CN", max_length=8)
    status: MemberStatus = Field(default=MemberStatus.ACTIVE, sa_type=str_enum(MemberStatus, 8))
    muted_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    joined_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    removed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    version: int = Field(default=1, sa_column=_member_version)
    __mapper_args__ = {"version_id_col": _member_version}


_violation_version = version_column()


class Violation(SQLModel, table=True):
    __tablename__ = "vip_group_violation"
    __table_args__ = (sa.Index("ix_vip_violation_member", "member_id", "status"),)
    id: int | None = Field(default=None, primary_key=True)
    group_id: int = Field(foreign_key="vip_group.id", index=True)
    community_id: int = Field(foreign_key="community.id")
    member_id: int = Field(foreign_key="vip_group_member.id")
    category: ViolationCategory = Field(sa_type=str_enum(ViolationCategory, 10))
    description: str = Field(max_length=1000)
    evidence_sha256: str = Field(default="", max_length=64)  # a screenshot, stored privately by hash
    evidence_type: str = Field(default="", max_length=32)
    reported_by: str = Field(max_length=64)
    reported_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    status: ViolationStatus = Field(default=ViolationStatus.REPORTED, sa_type=str_enum(ViolationStatus, 16))
    sanction: Sanction | None = Field(default=None, sa_type=str_enum(Sanction, 8))
    mute_days: int = Field(default=0)
    reviewed_by: str = Field(default="", max_length=64)
    reviewed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    review_note: str = Field(default="", max_length=500)
    second_approver: str = Field(default="", max_length=64)
    appeal: str = Field(default="", max_length=1000)  # the member's one appeal
    appealed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    appeal_decision: str = Field(default="", max_length=500)
    appeal_decided_by: str = Field(default="", max_length=64)
    version: int = Field(default=1, sa_column=_violation_version)
    __mapper_args__ = {"version_id_col": _violation_version}


class GroupTask(SQLModel, table=True):
    """Something the group owner does by hand in WeCom, then confirms."""

    __tablename__ = "vip_group_task"
    __table_args__ = (sa.Index("ix_vip_task_group_open", "group_id", "done_at"),)
    id: int | None = Field(default=None, primary_key=True)
    group_id: int = Field(foreign_key="vip_group.id")
    member_id: int | None = Field(default=None, foreign_key="vip_group_member.id")
    application_id: int | None = Field(default=None, foreign_key="vip_group_application.id")
    violation_id: int | None = Field(default=None, foreign_key="vip_group_violation.id")
    kind: TaskKind = Field(sa_type=str_enum(TaskKind, 8))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    done_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    done_by: str = Field(default="", max_length=64)


class ModerationEntry(SQLModel, table=True):
    """The moderation log: who did what to whom, why, and the state before and after. Append-only
    (``groups.services.log`` refuses updates and deletes)."""

    __tablename__ = "vip_group_moderation_log"
    __table_args__ = (sa.Index("ix_vip_moderation_group_time", "group_id", "created_at"),)
    id: int | None = Field(default=None, primary_key=True)
    group_id: int = Field(foreign_key="vip_group.id")
    member_id: int | None = Field(default=None, foreign_key="vip_group_member.id")
    actor: str = Field(max_length=64)
    action: str = Field(max_length=32)
    reason: str = Field(default="", max_length=500)
    before: str = Field(default="", max_length=64)
    after: str = Field(default="", max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ComplianceCheck(SQLModel, table=True):
    """定期检查 (§09): a quarter's checklist of a group, answered yes / no, with a note."""

    __tablename__ = "vip_group_compliance"
    __table_args__ = (sa.UniqueConstraint("group_id", "quarter", name="uq_vip_compliance_quarter"),)
    id: int | None = Field(default=None, primary_key=True)
    group_id: int = Field(foreign_key="vip_group.id")
    quarter: date  # first day of the quarter
    answers: dict[str, bool] = Field(default_factory=dict, sa_type=sa.JSON)
    note: str = Field(default="", max_length=1000)
    checked_by: str = Field(max_length=64)
    checked_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class GroupPost(SQLModel, table=True):
    """A post or question raised in the group, logged by staff (§05.2 日常管理: 信息发布 → 互动回应 → 问题处理 →
    反馈汇总): when it was asked and answered (the response time of the group score), and the ticket or suggestion
    it became."""

    __tablename__ = "vip_group_post"
    __table_args__ = (sa.Index("ix_vip_post_group_time", "group_id", "posted_at"),)
    id: int | None = Field(default=None, primary_key=True)
    group_id: int = Field(foreign_key="vip_group.id")
    member_id: int | None = Field(default=None, foreign_key="vip_group_member.id")
    text: str = Field(max_length=2000)
    is_question: bool = Field(default=True)
    posted_at: datetime = Field(sa_type=UTCDateTime)
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id")
    suggestion_id: int | None = Field(default=None, foreign_key="suggestion.id")
    logged_by: str = Field(max_length=64)
