"""Owner archives 业主档案 (seed 001 §篇3): one archive per room, catalog entries with scanned
documents kept forever, manager-approved time-limited access, and an append-only access log."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel
from sqlmodel import Field, SQLModel

from pm_admin.core.clock import utcnow
from pm_admin.core.mixins import version_column
from pm_admin.core.types import UTCDateTime, str_enum


class DocType(enum.StrEnum):
    """The document types of seed 001 §篇3 4.1."""

    CONVENTION = "convention"  # 业主(临时)公约
    SERVICE_AGREEMENT = "service_agreement"  # 前期物业服务协议
    FIRE_SAFETY = "fire_safety"  # 消防安全责任书
    RESIDENT_FORM = "resident_form"  # 业主(住户)情况登记表
    RECEIPT = "receipt"  # 资料签收表
    KEY_REGISTER = "key_register"  # 钥匙领(借)用登记表
    HANDOVER = "handover"  # 房屋交付验收表
    RENOVATION = "renovation"  # 装修申请审批表及图纸
    VIOLATION = "violation"  # 违章处理通知单及处理结果
    ID_COPY = "id_copy"  # 证件复印件
    OTHER = "other"  # 其他


class RequestStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    REVOKED = "revoked"


_entry_version = version_column()


class Archive(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    room_id: int = Field(foreign_key="room.id", unique=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    archive_no: str = Field(max_length=64, unique=True)  # the room code, e.g. C01-3-2-1502
    sort_key: str = Field(default="", max_length=64, index=True)  # the room's natural order
    remarks: str = Field(default="", max_length=500)  # 备注 of the catalog (seed 4.3.4)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ArchiveEntry(SQLModel, table=True):
    """A catalog line: one document of the archive. Never deleted; voided entries stay visible."""

    __tablename__ = "archive_entry"
    id: int | None = Field(default=None, primary_key=True)
    archive_id: int = Field(foreign_key="archive.id", index=True)
    doc_type: DocType = Field(sa_type=str_enum(DocType, 24))
    title: str = Field(default="", max_length=100)
    pages: int = Field(default=1)
    copies: int = Field(default=1)
    doc_date: date | None = None
    handed_over_by: str = Field(default="", max_length=64)
    received_by: str = Field(default="", max_length=64)
    remarks: str = Field(default="", max_length=500)
    voided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    void_reason: str = Field(default="", max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    created_by: str = Field(default="", max_length=64)
    version: int = Field(default=1, sa_column=_entry_version)
    __mapper_args__ = {"version_id_col": _entry_version}


class ArchiveFile(SQLModel, table=True):
    """One scanned version of an entry's document; a replacement adds a version, keeps the old."""

    __tablename__ = "archive_file"
    __table_args__ = (sa.UniqueConstraint("entry_id", "version_no", name="uq_archive_file_version"),)
    id: int | None = Field(default=None, primary_key=True)
    entry_id: int = Field(foreign_key="archive_entry.id", index=True)
    version_no: int
    filename: str = Field(max_length=200)
    content_type: str = Field(max_length=64)
    size: int
    sha256: str = Field(max_length=64)
    replace_reason: str = Field(default="", max_length=200)
    uploaded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    uploaded_by: str = Field(default="", max_length=64)


class ArchiveChange(SQLModel, table=True):
    """The archive's change record (seed 4.4.1): contact and owner changes land here by themselves."""

    __tablename__ = "archive_change"
    __table_args__ = (sa.Index("ix_archive_change_archive_time", "archive_id", "occurred_at"),)
    id: int | None = Field(default=None, primary_key=True)
    archive_id: int = Field(foreign_key="archive.id")
    occurred_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # contact | owner_change | occupant_change | entry_added | entry_voided | file_replaced | renumbered
    kind: str = Field(max_length=24)
    detail: str = Field(default="", max_length=500)  # text as given (the registry's masked change lines)
    # Details this module writes are a catalog key and its parameters, rendered in the reader's language.
    detail_key: str = Field(default="", max_length=64)
    detail_params: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    actor_name: str = Field(default="", max_length=64)


class AccessRequest(SQLModel, table=True):
    """查阅申请: a reason, a manager's decision, and when approved a grant that expires."""

    __tablename__ = "access_request"
    __table_args__ = (sa.Index("ix_access_request_status_community", "status", "community_id"),)
    id: int | None = Field(default=None, primary_key=True)
    archive_id: int = Field(foreign_key="archive.id", index=True)
    community_id: int = Field(foreign_key="community.id")
    requester_id: int = Field(foreign_key="app_user.id", index=True)
    requester_name: str = Field(max_length=64)
    reason: str = Field(max_length=300)
    status: RequestStatus = Field(default=RequestStatus.PENDING, sa_type=str_enum(RequestStatus, 16))
    requested_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    decided_by: str = Field(default="", max_length=64)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decision_note: str = Field(default="", max_length=300)
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Revoking an approved grant keeps the approval (decided_by, decision_note) and adds its own record.
    revoked_by: str = Field(default="", max_length=64)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoke_note: str = Field(default="", max_length=300)


class AccessLog(SQLModel, table=True):
    """Every attempt to open or download a document, granted or refused. Append-only (triggers)."""

    __tablename__ = "access_log"
    __table_args__ = (sa.Index("ix_access_log_archive_time", "archive_id", "occurred_at"),)
    id: int | None = Field(default=None, primary_key=True)
    occurred_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    user_id: int | None = None
    username: str = Field(default="", max_length=64)
    archive_id: int | None = None
    entry_id: int | None = None
    file_id: int | None = None
    request_id: int | None = None
    action: str = Field(max_length=16)  # view | download
    outcome: str = Field(max_length=16)  # ok | denied
    reason: str = Field(default="", max_length=64)
    client_ip: str = Field(default="", max_length=64)


# ---------------------------------------------------------------- public shapes


class ArchiveRow(BaseModel):
    id: int
    archive_no: str
    room_code: str
    community_name: str
    building_name: str
    owner_names: str
    moved_in: str
    pages: int
    entries: int
    voided: int
    remarks: str


class EntryRow(BaseModel):
    id: int
    doc_type: str
    title: str
    pages: int
    copies: int
    doc_date: str
    handed_over_by: str
    received_by: str
    remarks: str
    voided: bool
    void_reason: str
    file_id: int
    file_name: str
    versions: int
    version: int


class FileVersionRow(BaseModel):
    id: int
    entry_id: int
    version_no: int
    filename: str
    size: int
    sha256: str
    uploaded_at: str
    uploaded_by: str
    replace_reason: str


class RequestRow(BaseModel):
    id: int
    archive_id: int
    archive_no: str
    requester_name: str
    reason: str
    status: str  # pending | approved | rejected | revoked | expired
    requested_at: str
    decided_by: str
    decision_note: str
    expires_at: str
    revoked_by: str
    revoke_note: str
    own: bool  # the reader's own request: they may not decide it


class AccessLogRow(BaseModel):
    occurred_at: str
    username: str
    action: str
    outcome: str
    reason: str
    entry_id: int
    file_id: int
