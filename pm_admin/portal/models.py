"""Owner accounts, their invitations, one-time codes and sessions (separate from staff users and sessions)."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from pm_admin.core.clock import utcnow
from pm_admin.core.mixins import version_column
from pm_admin.core.types import UTCDateTime, str_enum

_account_version = version_column()


class PersonKind(enum.StrEnum):
    OWNER = "owner"  # an owner of the registry: their current rooms
    MEMBER = "member"  # a household member of an owner: the owner's current rooms
    OCCUPANT = "occupant"  # a tenant or resident listed on a room: that room while they live there


class AccountStatus(enum.StrEnum):
    INVITED = "invited"
    ACTIVE = "active"
    DISABLED = "disabled"


class OwnerAccount(SQLModel, table=True):
    """The portal identity of one person of the registry. The phone is the sign-in name; its blind index finds it."""

    __tablename__ = "owner_account"
    __table_args__ = (sa.UniqueConstraint("person_kind", "person_id", name="uq_owner_account_person"),)
    id: int | None = Field(default=None, primary_key=True)
    person_kind: PersonKind = Field(sa_type=str_enum(PersonKind, 12))
    person_id: int  # owner.id, household_member.id or occupant.id
    community_id: int = Field(foreign_key="community.id", index=True)  # where it was issued (staff scope)
    display_name: str = Field(max_length=64)
    phone_enc: str = Field(max_length=256)
    phone_index: str = Field(max_length=40, unique=True)
    password_hash: str | None = Field(default=None, max_length=128)
    status: AccountStatus = Field(default=AccountStatus.INVITED, sa_type=str_enum(AccountStatus, 12))
    language: str = Field(default="zh-CN", max_length=8)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    activated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    disabled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    disabled_reason: str = Field(default="", max_length=200)
    version: int = Field(default=1, sa_column=_account_version)
    __mapper_args__ = {"version_id_col": _account_version}


class Invitation(SQLModel, table=True):
    """A one-time activation link (and its QR code). Only the hash of its token is kept."""

    __tablename__ = "owner_invitation"
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="owner_account.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    created_by: int | None = Field(default=None, foreign_key="app_user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class CodePurpose(enum.StrEnum):
    ACTIVATE = "activate"
    SIGN_IN = "sign_in"


class OneTimeCode(SQLModel, table=True):
    """A six-digit code sent through the outbox (SMS). Hashed; a few wrong tries spend it."""

    __tablename__ = "owner_code"
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="owner_account.id", index=True)
    purpose: CodePurpose = Field(sa_type=str_enum(CodePurpose, 12))
    code_hash: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    failures: int = Field(default=0)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class PortalSession(SQLModel, table=True):
    """An owner's session: its own table and cookie, so a staff cookie never opens the portal and vice versa."""

    __tablename__ = "portal_session"
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="owner_account.id", index=True)
    token_hash: str | None = Field(default=None, max_length=64, unique=True)
    ticket_hash: str | None = Field(default=None, max_length=64, unique=True)
    ticket_expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoke_reason: str = Field(default="", max_length=32)


class PortalUpload(SQLModel, table=True):
    """A photo an owner uploaded for a report not yet sent: stored privately by content hash, attached (and this row
    removed) when the report is sent; unsent ones are purged with the staff uploads."""

    __tablename__ = "portal_upload"
    id: str = Field(primary_key=True, max_length=32)
    account_id: int = Field(foreign_key="owner_account.id", index=True)
    filename: str = Field(max_length=200)
    content_type: str = Field(max_length=32)
    size: int
    sha256: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class RequestStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


_request_version = version_column()


class ContactRequest(SQLModel, table=True):
    """An owner's request to change their contact data in the registry (phone, second phone, address). Staff approve
    it (applied through the owner registry: history, archive change record, audit) or reject it with a reason the
    owner reads. Typed phones are kept encrypted only while the request waits; the masked form stays for the record.
    One waiting request per account."""

    __tablename__ = "owner_contact_request"
    __table_args__ = (
        sa.Index("ix_owner_contact_request_waiting", "account_id", unique=True,
                 sqlite_where=sa.text("status = 'pending'"), postgresql_where=sa.text("status = 'pending'")),
        sa.Index("ix_owner_contact_request_community", "community_id", "status", "id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="owner_account.id", index=True)
    owner_id: int = Field(foreign_key="owner.id", index=True)
    community_id: int = Field(foreign_key="community.id")  # the staff who decide: the owner's first room's community
    phone_enc: str | None = Field(default=None, max_length=256)  # a new first phone (a mobile: also the sign-in)
    phone_masked: str = Field(default="", max_length=32)
    phone2_enc: str | None = Field(default=None, max_length=256)  # a new second phone
    phone2_masked: str = Field(default="", max_length=32)
    drop_phone2: bool = Field(default=False)
    address: str | None = Field(default=None, max_length=200)  # None: unchanged
    status: RequestStatus = Field(default=RequestStatus.PENDING, sa_type=str_enum(RequestStatus, 12))
    reason: str = Field(default="", max_length=200)  # why it was rejected, as the owner reads it
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decided_by: int | None = Field(default=None, foreign_key="app_user.id")
    decided_by_name: str = Field(default="", max_length=64)
    version: int = Field(default=1, sa_column=_request_version)
    __mapper_args__ = {"version_id_col": _request_version}
