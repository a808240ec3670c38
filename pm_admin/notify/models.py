"""Outbox messages and owners' channel preferences."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from pm_admin.core.clock import utcnow
from pm_admin.core.types import UTCDateTime, str_enum

DEV_PROVIDER_ID = "dev"  # provider id of a message the development outbox took (no channel configured)


class Channel(enum.StrEnum):
    INBOX = "inbox"  # the owner portal's notices, or a staff member's bell
    SMS = "sms"
    EMAIL = "email"
    WECOM = "wecom"  # a WeCom group robot webhook


class Recipient(enum.StrEnum):
    OWNER_ACCOUNT = "owner_account"
    USER = "user"  # a staff member
    GROUP = "group"  # a WeCom group robot (address = the configured robot's name)


class Delivery(enum.StrEnum):
    QUEUED = "queued"
    SENDING = "sending"  # claimed by a dispatcher until ``claimed_until``
    SENT = "sent"  # the channel accepted it
    DELIVERED = "delivered"  # the channel confirmed it reached the person (the inbox: at once)
    READ = "read"
    FAILED = "failed"  # will be retried at ``next_attempt_at``
    DEAD = "dead"  # gave up; staff may retry
    SKIPPED = "skipped"  # the owner switched this channel off (never for emergencies)


class OutboxMessage(SQLModel, table=True):
    """One message to one recipient on one channel.

    Written in the same transaction as its cause; ``key`` makes the cause's retry or a double click produce one
    message, not two. The address is resolved when the cause happens (a later phone change does not redirect a
    message already written) and kept encrypted; the screen shows ``address_masked``.
    """

    __tablename__ = "outbox_message"
    __table_args__ = (sa.Index("ix_outbox_due", "status", "next_attempt_at"),
                      sa.Index("ix_outbox_recipient", "recipient_kind", "recipient_id", "channel"))
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=160, unique=True)
    channel: Channel = Field(sa_type=str_enum(Channel, 8))
    recipient_kind: Recipient = Field(sa_type=str_enum(Recipient, 16))
    recipient_id: int | None = None
    community_id: int | None = Field(default=None, foreign_key="community.id", index=True)
    address_enc: str | None = Field(default=None, max_length=512)
    address_masked: str = Field(default="", max_length=64)
    template: str = Field(max_length=80)  # a message-catalog key, e.g. notify.ticket.registered
    params: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    language: str = Field(default="zh-CN", max_length=8)
    urgent: bool = Field(default=False)  # emergencies: owners cannot switch them off
    cause: str = Field(default="", max_length=64, index=True)  # e.g. ticket:123, for "what was sent about this"
    status: Delivery = Field(default=Delivery.QUEUED, sa_type=str_enum(Delivery, 12))
    attempts: int = Field(default=0)
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    claimed_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Which claim holds a ``sending`` row (one per dispatcher batch): a dispatcher writes an outcome only while
    # the row is still its own, so one whose lease ran out cannot overwrite the dispatcher that took over.
    claimed_by: str = Field(default="", max_length=40)
    last_error: str = Field(default="", max_length=500)
    provider_message_id: str = Field(default="", max_length=128)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    read_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ChannelPreference(SQLModel, table=True):
    """A recipient's choice to switch a channel off (no row: on). Emergencies are sent regardless."""

    __tablename__ = "channel_preference"
    recipient_kind: Recipient = Field(sa_type=str_enum(Recipient, 16), primary_key=True)
    recipient_id: int = Field(primary_key=True)
    channel: Channel = Field(sa_type=str_enum(Channel, 8), primary_key=True)
    enabled: bool = Field(default=True)
