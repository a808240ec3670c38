"""Evidence photos and videos of a ticket: stored privately by content hash, served only to staff who
may see the ticket (never from the public upload folder)."""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

from sqlmodel import Session

from pm_admin.core.audit import record
from pm_admin.core.errors import FieldErrors, NotFound, PermissionDenied
from pm_admin.core.files import (
    UploadPurpose,
    discard_upload,
    private_dir,
    read_upload,
    store_by_hash,
)
from pm_admin.core.permissions import Perm, Principal
from pm_admin.tickets.models import TicketEvent, TicketEventKind, TicketEvidence
from pm_admin.tickets.queries import visible_ticket

EVIDENCE_PURPOSE = "ticket_evidence"
MAX_EVIDENCE_BYTES = 50 * 1024 * 1024
EVIDENCE_UPLOAD = UploadPurpose(
    (Perm.TICKETS_CREATE, Perm.TICKETS_WORK, Perm.TICKETS_OWN), MAX_EVIDENCE_BYTES,
    (".jpg", ".jpeg", ".png", ".webp", ".mp4", ".mov", ".webm"))


def sniff_media(data: bytes) -> str | None:
    """What the bytes are, told by their signature rather than the file name."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[4:8] == b"ftyp":
        return "video/quicktime" if data[8:10] == b"qt" else "video/mp4"
    if data.startswith(b"\x1a\x45\xdf\xa3"):
        return "video/webm"
    return None


def stored_path(sha256: str) -> Path:
    return private_dir("tickets", sha256[:2]) / sha256


def _may_touch(principal: Principal, ticket) -> bool:
    return principal.has(Perm.TICKETS_VIEW) or ticket.assignee_id == principal.user_id


def attach_evidence(session: Session, *, actor: Principal, ticket_id: int, upload_id: str) -> TicketEvidence:
    ticket = visible_ticket(session, actor, ticket_id)
    if ticket is None or not _may_touch(actor, ticket):
        raise NotFound("ticket")
    upload, data = read_upload(session, principal=actor, upload_id=upload_id, purpose_name=EVIDENCE_PURPOSE)
    content_type = sniff_media(data)
    errors = FieldErrors()
    if content_type is None:
        errors.add("file", "tickets.not_media")
    errors.raise_if_any()
    digest = hashlib.sha256(data).hexdigest()
    store_by_hash(stored_path(digest), data, digest)
    evidence = TicketEvidence(ticket_id=ticket.id, filename=upload.filename, content_type=content_type,
                              size=len(data), sha256=digest, uploaded_by=actor.username)
    session.add(evidence)
    discard_upload(session, upload.id)
    session.add(TicketEvent(ticket_id=ticket.id, actor_name=actor.username, kind=TicketEventKind.EVIDENCE, body=upload.filename))
    session.flush()
    record(session, action="ticket.evidence_add", actor=actor, entity_type="ticket", entity_id=ticket.id,
           community_id=ticket.community_id, details={"file": upload.filename, "sha256": digest})
    return evidence


@dataclasses.dataclass(frozen=True)
class EvidenceFile:
    path: Path
    filename: str
    content_type: str


def open_evidence(session: Session, *, principal: Principal | None, evidence_id: int) -> EvidenceFile:
    """The file, if the principal may see its ticket (the route answers 401 signed out, 404 otherwise)."""
    if principal is None:
        raise PermissionDenied("error.not_signed_in")
    evidence = session.get(TicketEvidence, evidence_id)
    # A ticket the principal may not see answers like a missing one, so ids cannot be probed.
    if evidence is None or visible_ticket(session, principal, evidence.ticket_id) is None:
        raise NotFound("evidence")
    return EvidenceFile(stored_path(evidence.sha256), evidence.filename, evidence.content_type)
