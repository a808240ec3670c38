"""What the inspection services share: loading rows in scope, the audit entry, the photos (checked by content,
stored privately by hash, served through one-time download tickets)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from pm_admin.core.audit import record
from pm_admin.core.errors import FieldErrors, NotFound, PermissionDenied
from pm_admin.core.files import Download, UploadPurpose, discard_upload, private_dir, read_upload, store_by_hash
from pm_admin.core.permissions import Perm, Principal
from pm_admin.core.scoping import load_scoped
from pm_admin.inspections.models import (
    InspectionAnswer,
    InspectionTask,
    Rectification,
    RectificationCheck,
)
from pm_admin.places.models import Room
from pm_admin.tickets.services.evidence import sniff_media

PHOTO_PURPOSE = "inspection_photo"
PHOTO_UPLOAD = UploadPurpose((Perm.INSPECTIONS_WORK,), 15 * 1024 * 1024, (".jpg", ".jpeg", ".png", ".webp"))
PHOTO_EXTENSIONS = {"image/png": "png", "image/webp": "webp"}


def load_task(session: Session, actor: Principal, task_id: Any, permission: str = Perm.INSPECTIONS_VIEW
              ) -> InspectionTask:
    actor.require(permission)
    return load_scoped(session, InspectionTask, task_id, actor, entity="inspection_task")


def load_rectification(session: Session, actor: Principal, rectification_id: Any,
                       permission: str = Perm.INSPECTIONS_VIEW) -> Rectification:
    actor.require(permission)
    return load_scoped(session, Rectification, rectification_id, actor, entity="rectification")


def room_by_code(session: Session, errors: FieldErrors, field: str, community_id: int, code: Any) -> Room | None:
    """The community's room of that code (``1502`` typed as ``1502``), or none when no code was typed; an unknown
    code is refused beside ``field``."""
    code = str(code or "").strip().upper()
    if not code:
        return None
    room = session.exec(select(Room).where(Room.community_id == community_id, Room.code == code)).first()
    if room is None:
        errors.add(field, "inspections.room_unknown")
    return room


def audit(session: Session, actor: Principal, action: str, entity_type: str, entity_id: int, community_id: int,
          *, before: dict[str, Any] | None = None, after: dict[str, Any] | None = None, **details: Any) -> None:
    """``before`` / ``after``: the audit log's own ``{field: [old, new]}`` of the fields that changed."""
    record(session, action=action, actor=actor, entity_type=entity_type, entity_id=entity_id,
           community_id=community_id, before=before, after=after, details=details)


def photo_path(sha256: str) -> Path:
    return private_dir("inspections", sha256[:2]) / sha256


def store_photo(session: Session, actor: Principal, errors: FieldErrors, field: str, upload_id: str
                ) -> tuple[str, str]:
    """The upload as (sha256, content type) once stored privately; a file that is not a photo is refused beside
    ``field``."""
    upload, data = read_upload(session, principal=actor, upload_id=upload_id, purpose_name=PHOTO_PURPOSE)
    content_type = sniff_media(data)
    if content_type is None or not content_type.startswith("image/"):
        errors.add(field, "inspections.not_a_photo")
        return "", ""
    digest = hashlib.sha256(data).hexdigest()
    store_by_hash(photo_path(digest), data, digest)
    discard_upload(session, upload.id)
    return digest, content_type


def photo_download(session: Session, principal: Principal, params: dict[str, Any]) -> Download:
    """A checklist item's photo (``answer``) or a recheck's (``check``), for staff who may see its task; a photo of
    another community answers like a missing one."""
    try:
        return _photo(session, principal, params.get("of"), params.get("id"))
    except PermissionDenied:
        raise NotFound("inspection_photo") from None


def _photo(session: Session, principal: Principal, kind: Any, row_id: Any) -> Download:
    if kind == "answer":
        answer = session.get(InspectionAnswer, row_id) if isinstance(row_id, int) else None
        if answer is None:
            raise NotFound("inspection_photo")
        load_task(session, principal, answer.task_id)
        sha256, content_type, name = answer.photo_sha256, answer.photo_type, f"巡检-{answer.task_id}-{answer.position + 1}"
    elif kind == "check":
        check = session.get(RectificationCheck, row_id) if isinstance(row_id, int) else None
        if check is None:
            raise NotFound("inspection_photo")
        load_rectification(session, principal, check.rectification_id)
        sha256, content_type, name = check.photo_sha256, check.photo_type, f"复查-{check.rectification_id}-{check.id}"
    else:
        raise NotFound("inspection_photo")
    if not sha256:
        raise NotFound("inspection_photo")
    return Download(f"{name}.{PHOTO_EXTENSIONS.get(content_type, 'jpg')}", content_type,
                    [photo_path(sha256).read_bytes()])


DOWNLOADS = {"inspection_photo": photo_download}
