"""Reading a scan: requests, a manager's decision, time-limited grants, revocation, and the access log."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session, col, select

from pm_admin.archives.models import (
    AccessLog,
    AccessRequest,
    Archive,
    ArchiveEntry,
    ArchiveFile,
    RequestStatus,
)
from pm_admin.archives.services.common import GRANT_HOURS, load_archive, require_reason, stored_path
from pm_admin.core.audit import record
from pm_admin.core.clock import utcnow
from pm_admin.core.errors import FieldErrors, PermissionDenied, ValidationFailed
from pm_admin.core.permissions import ClientInfo, Perm, Principal
from pm_admin.core.scoping import load_scoped


def request_access(session: Session, *, actor: Principal, archive_id: int, reason: str) -> AccessRequest:
    actor.require(Perm.ARCHIVES_REQUEST)
    archive = load_archive(session, actor, archive_id)
    errors = FieldErrors()
    reason = require_reason(errors, reason)
    errors.raise_if_any()
    pending = session.exec(select(AccessRequest).where(
        AccessRequest.archive_id == archive.id, AccessRequest.requester_id == actor.user_id,
        AccessRequest.status == RequestStatus.PENDING)).first()
    if pending is not None:
        return pending
    request = AccessRequest(archive_id=archive.id, community_id=archive.community_id, requester_id=actor.user_id,
                            requester_name=actor.username, reason=reason)
    session.add(request)
    session.flush()
    record(session, action="archive.access_request", actor=actor, entity_type="archive", entity_id=archive.id,
           community_id=archive.community_id, details={"request_id": request.id, "reason": reason})
    return request


def _already_decided(request: AccessRequest) -> ValidationFailed:
    return ValidationFailed({"note": ("archives.already_decided_by", {"name": request.decided_by})})


def decide_request(session: Session, *, actor: Principal, request_id: int, approve: bool, note: str = "",
                   hours: int = GRANT_HOURS, now: datetime | None = None) -> AccessRequest:
    """A manager of the archive's community approves (a grant for ``hours``) or rejects."""
    actor.require(Perm.ARCHIVES_APPROVE)
    request = load_scoped(session, AccessRequest, request_id, actor, entity="access request")
    if request.requester_id == actor.user_id:
        raise PermissionDenied("archives.no_self_approval")
    if request.status != RequestStatus.PENDING:
        raise _already_decided(request)
    errors = FieldErrors()
    if not 1 <= hours <= 24 * 7:
        errors.add("hours", "error.out_of_range", low=1, high=24 * 7)
    if not approve:
        note = require_reason(errors, note, "note")
    errors.raise_if_any()
    now = now or utcnow()
    # Decided only while still pending, in the UPDATE itself: of two managers deciding at once, the
    # second changes no row and is told who was first.
    decided = session.execute(
        sa.update(AccessRequest)
        .where(AccessRequest.id == request.id, AccessRequest.status == RequestStatus.PENDING)
        .values(status=RequestStatus.APPROVED if approve else RequestStatus.REJECTED, decided_by=actor.username,
                decided_at=now, decision_note=note.strip()[:300],
                expires_at=now + timedelta(hours=hours) if approve else None)
        .execution_options(synchronize_session=False)).rowcount
    session.refresh(request)
    if decided != 1:
        raise _already_decided(request)
    record(session, action="archive.access_" + ("approve" if approve else "reject"), actor=actor,
           entity_type="archive", entity_id=request.archive_id, community_id=request.community_id,
           details={"request_id": request.id, "requester": request.requester_name, "hours": hours if approve else 0,
                    "note": note.strip()})
    return request


def revoke_grant(session: Session, *, actor: Principal, request_id: int, note: str) -> AccessRequest:
    """Ends an approved grant early; the approval (who, when, note) stays next to who revoked it and why."""
    actor.require(Perm.ARCHIVES_APPROVE)
    request = load_scoped(session, AccessRequest, request_id, actor, entity="access request")
    errors = FieldErrors()
    note = require_reason(errors, note, "note")
    if request.status != RequestStatus.APPROVED:
        errors.add("note", "archives.not_active")
    errors.raise_if_any()
    revoked = session.execute(
        sa.update(AccessRequest)
        .where(AccessRequest.id == request.id, AccessRequest.status == RequestStatus.APPROVED)
        .values(status=RequestStatus.REVOKED, revoked_by=actor.username, revoked_at=utcnow(),
                revoke_note=note[:300])
        .execution_options(synchronize_session=False)).rowcount
    session.refresh(request)
    if revoked != 1:
        raise ValidationFailed({"note": ("archives.not_active", {})})
    record(session, action="archive.access_revoke", actor=actor, entity_type="archive", entity_id=request.archive_id,
           community_id=request.community_id, details={"request_id": request.id, "note": note})
    return request


def active_grant(session: Session, principal: Principal, archive_id: int, now: datetime | None = None) -> AccessRequest | None:
    now = now or utcnow()
    return session.exec(select(AccessRequest).where(
        AccessRequest.archive_id == archive_id, AccessRequest.requester_id == principal.user_id,
        AccessRequest.status == RequestStatus.APPROVED, col(AccessRequest.expires_at) > now,
    ).order_by(AccessRequest.expires_at.desc())).first()


@dataclasses.dataclass(frozen=True)
class FileAccess:
    allowed: bool
    reason: str  # why not, for the log
    file: ArchiveFile | None = None
    path: Path | None = None


def open_document(session: Session, *, principal: Principal | None, file_id: int, action: str,
                  client: ClientInfo, now: datetime | None = None) -> FileAccess:
    """Decide one view/download and log it, granted or not (the caller commits either way)."""
    now = now or utcnow()
    file = session.get(ArchiveFile, file_id)
    entry = session.get(ArchiveEntry, file.entry_id) if file else None
    archive = session.get(Archive, entry.archive_id) if entry else None
    grant = None
    if principal is None:
        reason = "not_signed_in"
    elif not (principal.has(Perm.ARCHIVES_VIEW) and principal.has(Perm.ARCHIVES_REQUEST)):
        reason = "no_permission"  # a role taken away ends access at once, whatever grant is still running
    elif file is None or archive is None:
        reason = "no_such_document"
    elif not principal.can_access_community(archive.community_id):
        reason = "out_of_scope"
    elif (grant := active_grant(session, principal, archive.id, now)) is None:
        expired = session.exec(select(AccessRequest.id).where(
            AccessRequest.archive_id == archive.id, AccessRequest.requester_id == principal.user_id,
            AccessRequest.status.in_([RequestStatus.APPROVED, RequestStatus.REVOKED]))).first()
        reason = "grant_expired_or_revoked" if expired else "no_grant"
    else:
        reason = ""
    session.add(AccessLog(
        occurred_at=now, user_id=principal.user_id if principal else None,
        username=principal.username if principal else "anonymous", archive_id=archive.id if archive else None,
        entry_id=entry.id if entry else None, file_id=file_id, request_id=grant.id if grant else None,
        action=action, outcome="denied" if reason else "ok", reason=reason, client_ip=client.ip[:64]))
    if reason:
        return FileAccess(False, reason)
    return FileAccess(True, "", file, stored_path(file.sha256))
