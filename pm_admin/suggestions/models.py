"""The suggestion box 意见箱 (seed 002 §3.1.2, seed 003 5.27): suggestions from the portal, the physical box (entered
by staff with a photo of the slip), visits, meetings and owner groups; triaged, replied within a set number of days,
closed; an accepted one can carry an improvement action published as 整改公示."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from pm_admin.core.clock import utcnow
from pm_admin.core.mixins import version_column
from pm_admin.core.types import UTCDateTime, str_enum


class SuggestionChannel(enum.StrEnum):
    PORTAL = "portal"  # 业主端
    BOX = "box"  # 意见箱: a paper slip entered by staff
    VISIT = "visit"  # 走访
    MEETING = "meeting"  # 座谈会
    GROUP = "group"  # 业主群
    FRONT_DESK = "front_desk"  # 前台 / 来电


class SuggestionStatus(enum.StrEnum):
    NEW = "new"  # 待分拣
    TRIAGED = "triaged"  # 待答复: the outcome decided, the owner not answered yet
    REPLIED = "replied"  # 已答复
    CLOSED = "closed"  # 已关闭


class Outcome(enum.StrEnum):
    """What triage decided."""

    ACCEPTED = "accepted"  # 已采纳: may carry an improvement action published as 整改公示
    TICKET = "ticket"  # 已转工单
    DECLINED = "declined"  # 不采纳 (with the reason the owner is told)
    DUPLICATE = "duplicate"  # 重复 (of an earlier suggestion)


AWAITING_REPLY = (SuggestionStatus.NEW, SuggestionStatus.TRIAGED)  # the reply's due date counts

_suggestion_version = version_column()


class Suggestion(SQLModel, table=True):
    __table_args__ = (sa.Index("ix_suggestion_community_received", "community_id", "received_at"),
                      sa.Index("ix_suggestion_status_due", "status", "reply_due_on"))
    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id")
    channel: SuggestionChannel = Field(sa_type=str_enum(SuggestionChannel, 12))
    category_id: int = Field(foreign_key="ticket_category.id")
    content: str = Field(max_length=2000)
    # Who gave it, when known: a room (a signed slip, a visit), the portal account that wrote it. An unsigned slip
    # has neither.
    room_id: int | None = Field(default=None, foreign_key="room.id", index=True)
    account_id: int | None = Field(default=None, foreign_key="owner_account.id", index=True)
    language: str = Field(default="zh-CN", max_length=8)  # the portal account's, for the reply
    submitter_name: str = Field(default="", max_length=40)
    source: str = Field(default="", max_length=64)  # "meeting:12", "visit:…": where staff heard it
    # The slip's photo, stored privately by content hash (never in the public upload folder).
    photo_sha256: str = Field(default="", max_length=64)
    photo_type: str = Field(default="", max_length=32)
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    received_by: str = Field(max_length=64)  # a staff username, or owner:<account>
    reply_due_on: date
    status: SuggestionStatus = Field(default=SuggestionStatus.NEW, sa_type=str_enum(SuggestionStatus, 12))
    outcome: Outcome | None = Field(default=None, sa_type=str_enum(Outcome, 12))
    triage_note: str = Field(default="", max_length=500)  # why declined, what was accepted
    duplicate_of_id: int | None = Field(default=None, foreign_key="suggestion.id")
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id")
    triaged_by: str = Field(default="", max_length=64)
    triaged_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    improvement: str = Field(default="", max_length=2000)  # 整改措施 of an accepted suggestion
    improvement_notice_ref: str = Field(default="", max_length=64)  # notice:<id> of its 整改公示
    reply: str = Field(default="", max_length=2000)
    replied_by: str = Field(default="", max_length=64)
    replied_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    version: int = Field(default=1, sa_column=_suggestion_version)
    __mapper_args__ = {"version_id_col": _suggestion_version}
