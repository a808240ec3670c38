"""Uploaded files and download tickets, kept outside every public folder.

Reflex serves its upload directory to anyone at ``/_upload`` and its upload endpoint trusts a
client-chosen state token, so files go through our own routes instead: the session cookie says
who is calling, files land under ``data/private/``, and downloads need a one-time ticket.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlmodel import JSON, Field, Session, SQLModel, select

from pm_admin.core.clock import utcnow
from pm_admin.core.errors import DomainError, NotFound, PermissionDenied
from pm_admin.core.permissions import Principal
from pm_admin.core.types import UTCDateTime
from pm_admin.settings import get_settings

TICKET_LIFETIME = timedelta(minutes=2)


class StoredUpload(SQLModel, table=True):
    __tablename__ = "stored_upload"
    id: str = Field(primary_key=True, max_length=32)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    purpose: str = Field(max_length=32)
    filename: str = Field(max_length=200)
    size: int
    sha256: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class DownloadTicket(SQLModel, table=True):
    __tablename__ = "download_ticket"
    id: str = Field(primary_key=True, max_length=48)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    kind: str = Field(max_length=32)
    params: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


def private_dir(*parts: str) -> Path:
    path = get_settings().data_dir.joinpath("private", *parts)
    path.mkdir(parents=True, exist_ok=True)
    return path


# ---------------------------------------------------------------- uploads


@dataclass(frozen=True)
class UploadPurpose:
    permission: str | tuple[str, ...]  # several: holding any one of them is enough
    max_bytes: int
    extensions: tuple[str, ...]


UPLOAD_PURPOSES: dict[str, UploadPurpose] = {}


def register_upload_purpose(name: str, purpose: UploadPurpose) -> None:
    UPLOAD_PURPOSES[name] = purpose


def may_upload(principal: Principal, purpose: UploadPurpose) -> bool:
    needed = (purpose.permission,) if isinstance(purpose.permission, str) else purpose.permission
    return any(principal.has(permission) for permission in needed)


def store_upload(session: Session, *, principal: Principal, purpose_name: str, filename: str, data: bytes) -> StoredUpload:
    purpose = UPLOAD_PURPOSES.get(purpose_name)
    if purpose is None:
        raise NotFound("upload purpose")
    if not may_upload(principal, purpose):
        raise PermissionDenied()
    if not data:
        raise DomainError("files.empty")
    if len(data) > purpose.max_bytes:
        raise DomainError("files.too_large", max_mb=purpose.max_bytes // (1024 * 1024))
    if not filename.lower().endswith(purpose.extensions):
        raise DomainError("files.wrong_type", allowed=" ".join(purpose.extensions))
    upload = StoredUpload(id=secrets.token_hex(16), user_id=principal.user_id, purpose=purpose_name,
                          filename=Path(filename).name[:200], size=len(data), sha256=hashlib.sha256(data).hexdigest())
    (private_dir("uploads") / upload.id).write_bytes(data)
    session.add(upload)
    return upload


def read_upload(session: Session, *, principal: Principal, upload_id: str, purpose_name: str) -> tuple[StoredUpload, bytes]:
    """The bytes of an upload, only for the user who uploaded it and for the purpose it was made."""
    upload = session.get(StoredUpload, upload_id) if upload_id.isalnum() else None
    if upload is None or upload.purpose != purpose_name:
        raise NotFound("upload")
    if upload.user_id != principal.user_id:
        raise PermissionDenied()
    return upload, (private_dir("uploads") / upload.id).read_bytes()


def discard_upload(session: Session, upload_id: str) -> None:
    upload = session.get(StoredUpload, upload_id)
    if upload is not None:
        (private_dir("uploads") / upload.id).unlink(missing_ok=True)
        session.delete(upload)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def store_by_hash(path: Path, data: bytes, sha256: str) -> None:
    """Write a private file under its content hash so that no crash leaves a short file there: a temp file in the
    same folder, fsync, then an atomic rename. A file already there whose content does not match its name (left by
    a crash before writes were atomic) is rewritten, not trusted."""
    if path.exists() and file_sha256(path) == sha256:
        return
    # *.partial: backup skips files still being written
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{sha256[:12]}-", suffix=".partial")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)  # the rename itself survives a power cut
    finally:
        os.close(folder)


UPLOAD_LIFETIME = timedelta(days=1)


def purge_stale_uploads(session: Session, now: datetime | None = None) -> int:
    """Uploads nobody used within a day (an abandoned dialog, a closed tab): their bytes may be owners'
    personal data, so they are not left lying around. Returns how many were removed."""
    cutoff = (now or utcnow()) - UPLOAD_LIFETIME
    stale = session.exec(select(StoredUpload.id).where(StoredUpload.created_at < cutoff)).all()
    for upload_id in stale:
        discard_upload(session, upload_id)
    session.flush()
    return len(stale)


# ---------------------------------------------------------------- downloads


@dataclass(frozen=True)
class Download:
    filename: str
    media_type: str
    chunks: Iterable[bytes]


# kind -> function(session, principal, params) producing the file; it checks permissions itself.
DOWNLOAD_KINDS: dict[str, Callable[[Session, Principal, dict[str, Any]], Download]] = {}


def register_download(kind: str, producer: Callable[[Session, Principal, dict[str, Any]], Download]) -> None:
    DOWNLOAD_KINDS[kind] = producer


def issue_download(session: Session, *, principal: Principal, kind: str, params: dict[str, Any]) -> str:
    if kind not in DOWNLOAD_KINDS:
        raise NotFound("download kind")
    ticket = DownloadTicket(id=secrets.token_urlsafe(32), user_id=principal.user_id, kind=kind, params=params,
                            expires_at=utcnow() + TICKET_LIFETIME)
    session.add(ticket)
    return ticket.id


def redeem_download(session: Session, *, principal: Principal, ticket_id: str) -> Download:
    ticket = session.get(DownloadTicket, ticket_id)
    if ticket is None or ticket.used_at is not None or ticket.expires_at < utcnow():
        raise NotFound("download")
    if ticket.user_id != principal.user_id:
        raise PermissionDenied()
    ticket.used_at = utcnow()
    session.add(ticket)
    return DOWNLOAD_KINDS[ticket.kind](session, principal, ticket.params)
