"""What every archive service shares: reasons, loading an archive in scope, the change record."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session

from pm_admin.archives.models import (
    Archive,
    ArchiveChange,
)
from pm_admin.core.errors import FieldErrors
from pm_admin.core.files import (
    UploadPurpose,
    private_dir,
)
from pm_admin.core.parsers import clean_reason
from pm_admin.core.permissions import Perm, Principal
from pm_admin.core.scoping import load_scoped

DOCUMENT_PURPOSE = "archive_document"


GRANT_HOURS = 24


MIN_REASON = 4


MAX_SCAN_BYTES = 30 * 1024 * 1024  # the upload route and the form's hint read it from here


MAX_REMARKS = 500


# What a scan may be, told by its first bytes rather than its name.
SIGNATURES = ((b"%PDF-", "application/pdf"), (b"\xff\xd8\xff", "image/jpeg"), (b"\x89PNG\r\n\x1a\n", "image/png"),
              (b"II*\x00", "image/tiff"), (b"MM\x00*", "image/tiff"))


DOCUMENT_UPLOAD = UploadPurpose(
    Perm.ARCHIVES_MANAGE, MAX_SCAN_BYTES, (".pdf", ".jpg", ".jpeg", ".png", ".tif", ".tiff"))


def sniff_content_type(data: bytes) -> str | None:
    return next((kind for magic, kind in SIGNATURES if data.startswith(magic)), None)


def stored_path(sha256: str) -> Path:
    """Scans are stored by content hash under data/private/archives, outside every served folder."""
    return private_dir("archives", sha256[:2]) / sha256


def require_reason(errors: FieldErrors, reason: str, field: str = "reason") -> str:
    return clean_reason(errors, field, reason, min_length=MIN_REASON)


def load_archive(session: Session, actor: Principal, archive_id: int) -> Archive:
    archive = load_scoped(session, Archive, archive_id, actor, entity="archive")
    return archive


def record_change(session: Session, archive_id: int, kind: str, detail: str, actor_name: str, *,
                  key: str = "", params: dict | None = None) -> None:
    """One line of the change record: ``detail`` as given, or a catalog ``key`` with its ``params``."""
    session.add(ArchiveChange(archive_id=archive_id, kind=kind, detail=detail[:500], detail_key=key,
                              detail_params=params or {}, actor_name=actor_name))
