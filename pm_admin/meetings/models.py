"""Meetings 会议 (seed 002 §3.2, seed 003 5.27.2): the owners' committee roster 业委会成员, meetings with their
agenda, attachments, invitees and sign-in, minutes (seed 002 §7.2) reviewed by a manager, and action items."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import JSON, Field, SQLModel

from pm_admin.core.clock import utcnow
from pm_admin.core.mixins import version_column
from pm_admin.core.types import UTCDateTime, str_enum


class Position(enum.StrEnum):
    CHAIR = "chair"  # 主任
    VICE_CHAIR = "vice_chair"  # 副主任
    MEMBER = "member"  # 委员


class MeetingKind(enum.StrEnum):
    QUARTERLY = "quarterly"  # 业主委员会季度会议
    RESIDENTS = "residents"  # 住户座谈会
    TOPIC = "topic"  # 专题座谈会


class Topic(enum.StrEnum):
    SAFETY = "safety"  # 安全
    GREENING = "greening"  # 绿化
    FACILITIES = "facilities"  # 设施
    HYGIENE = "hygiene"  # 环境卫生
    FEES = "fees"  # 收费
    OTHER = "other"  # 其他


class MeetingStatus(enum.StrEnum):
    DRAFT = "draft"  # planned; minutes being written
    MINUTES_PENDING = "minutes_pending"  # minutes submitted for a manager's review
    APPROVED = "approved"
    PUBLISHED = "published"  # sent to every owner of the community as a notice


class InviteeKind(enum.StrEnum):
    COMMITTEE = "committee"  # a committee member (counts towards the quorum)
    OWNER = "owner"
    STAFF = "staff"


class DocType(enum.StrEnum):
    MANAGEMENT_REPORT = "management_report"  # 物业管理报告
    FINANCIAL_REPORT = "financial_report"  # 财务报告
    OTHER = "other"


class ActionStatus(enum.StrEnum):
    OPEN = "open"
    DONE = "done"


_member_version = version_column()


class CommitteeMember(SQLModel, table=True):
    """A member of a community's owners' committee 业委会 for a term (both days inclusive)."""

    __tablename__ = "committee_member"
    __table_args__ = (sa.Index("ix_committee_member_community", "community_id", "term_to"),)
    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id")
    owner_id: int = Field(foreign_key="owner.id")
    room_id: int = Field(foreign_key="room.id")  # the room through which they are an owner of the community
    name: str = Field(max_length=64)
    position: Position = Field(sa_type=str_enum(Position, 12))
    term_from: date
    term_to: date
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    version: int = Field(default=1, sa_column=_member_version)
    __mapper_args__ = {"version_id_col": _member_version}


_meeting_version = version_column()


class Meeting(SQLModel, table=True):
    __tablename__ = "meeting"
    __table_args__ = (sa.Index("ix_meeting_community_time", "community_id", "starts_at"),)
    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id")
    kind: MeetingKind = Field(sa_type=str_enum(MeetingKind, 12))
    topic: str = Field(default="", max_length=12)  # a Topic for a 专题座谈会
    title: str = Field(max_length=100)
    starts_at: datetime = Field(sa_type=UTCDateTime)
    place: str = Field(max_length=100)
    agenda: list[str] = Field(default_factory=list, sa_type=JSON)  # 议题, in order
    status: MeetingStatus = Field(default=MeetingStatus.DRAFT, sa_type=str_enum(MeetingStatus, 16))
    # Minutes 会议纪要 (seed 002 §7.2: 时间, 地点, 出席, 议题 come from the meeting; these are written)
    discussion: str = Field(default="", max_length=8000)  # 讨论
    resolutions: str = Field(default="", max_length=8000)  # 决议
    review_note: str = Field(default="", max_length=500)  # a manager's reason for sending minutes back
    submitted_by: str = Field(default="", max_length=64)
    approved_by: str = Field(default="", max_length=64)
    approved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    notice_ref: str = Field(default="", max_length=64)  # what publishing wrote (a notice's id or the inbox run)
    created_by: str = Field(default="", max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    version: int = Field(default=1, sa_column=_meeting_version)
    __mapper_args__ = {"version_id_col": _meeting_version}


class MeetingInvitee(SQLModel, table=True):
    __tablename__ = "meeting_invitee"
    __table_args__ = (sa.UniqueConstraint("meeting_id", "kind", "person_id", name="uq_meeting_invitee"),)
    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    kind: InviteeKind = Field(sa_type=str_enum(InviteeKind, 12))
    person_id: int  # committee_member.id, owner.id or app_user.id, by kind
    name: str = Field(max_length=64)
    note: str = Field(default="", max_length=64)  # position, room or role shown beside the name
    attended: bool = Field(default=False)
    signed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class MeetingAttachment(SQLModel, table=True):
    """A document of the agenda (物业管理报告, 财务报告 …), stored privately by content hash."""

    __tablename__ = "meeting_attachment"
    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    doc_type: DocType = Field(sa_type=str_enum(DocType, 20))
    filename: str = Field(max_length=200)
    content_type: str = Field(max_length=100)
    size: int
    sha256: str = Field(max_length=64)
    uploaded_by: str = Field(default="", max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


_action_version = version_column()


class MeetingAction(SQLModel, table=True):
    """A decision's action item 待办: who answers for it (a staff member or an owner named), by when, done or not;
    it may have opened a ticket."""

    __tablename__ = "meeting_action"
    __table_args__ = (sa.Index("ix_meeting_action_community_due", "community_id", "status", "due_on"),)
    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    community_id: int = Field(foreign_key="community.id")
    description: str = Field(max_length=500)
    responsible_user_id: int | None = Field(default=None, foreign_key="app_user.id")
    responsible_name: str = Field(max_length=64)
    due_on: date
    status: ActionStatus = Field(default=ActionStatus.OPEN, sa_type=str_enum(ActionStatus, 8))
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id")
    done_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    version: int = Field(default=1, sa_column=_action_version)
    __mapper_args__ = {"version_id_col": _action_version}
