"""Photos an owner adds to a report: checked by content (images only), kept privately until the report is sent,
then attached to the ticket as evidence (the same private, hash-named store staff evidence uses)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from pm_admin.core.clock import utcnow
from pm_admin.core.errors import DomainError
from pm_admin.core.files import private_dir, store_by_hash
from pm_admin.core.permissions import OwnerPrincipal, PortalPerm
from pm_admin.portal.models import PortalUpload
from pm_admin.tickets.models import Ticket, TicketEventKind, TicketEvidence
from pm_admin.tickets.services.common import timeline_event
from pm_admin.tickets.services.evidence import sniff_media, stored_path

MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_PHOTOS = 6
IMAGE_TYPES = ("image/jpeg", "image/png", "image/webp")
PENDING_LIFETIME = timedelta(days=1)


def _pending_path(upload_id: str):
    return private_dir("portal_uploads") / upload_id


def store_photo(session: Session, *, owner: OwnerPrincipal, filename: str, data: bytes) -> PortalUpload:
    owner.require(PortalPerm.TICKETS)
    if len(data) > MAX_PHOTO_BYTES:
        raise DomainError("files.too_large", max_mb=MAX_PHOTO_BYTES // (1024 * 1024))
    content_type = sniff_media(data)
    if content_type not in IMAGE_TYPES:
        raise DomainError("portal.not_a_photo")
    upload = PortalUpload(id=secrets.token_hex(16), account_id=owner.account_id, filename=filename[-200:] or "photo",
                          content_type=content_type, size=len(data), sha256=hashlib.sha256(data).hexdigest())
    store_by_hash(_pending_path(upload.id), data, upload.sha256)
    session.add(upload)
    return upload


def attach_photos(session: Session, *, owner: OwnerPrincipal, ticket: Ticket, upload_ids: list[str],
                  actor) -> int:
    """The owner's own pending photos become the ticket's evidence; anyone else's id is ignored."""
    wanted = [i for i in upload_ids[:MAX_PHOTOS] if isinstance(i, str) and i.isalnum()]
    if not wanted:
        return 0
    uploads = session.exec(select(PortalUpload).where(col(PortalUpload.id).in_(wanted),
                                                      PortalUpload.account_id == owner.account_id)).all()
    for upload in uploads:
        pending = _pending_path(upload.id)
        store_by_hash(stored_path(upload.sha256), pending.read_bytes(), upload.sha256)
        session.add(TicketEvidence(ticket_id=ticket.id, filename=upload.filename, content_type=upload.content_type,
                                   size=upload.size, sha256=upload.sha256, uploaded_by=actor.username))
        timeline_event(session, ticket, actor, TicketEventKind.EVIDENCE, upload.filename)
        pending.unlink(missing_ok=True)
        session.delete(upload)
    return len(uploads)


def purge_pending(session: Session, now: datetime | None = None) -> int:
    """Photos of reports never sent (a closed tab) are removed after a day: they may show someone's home."""
    cutoff = (now or utcnow()) - PENDING_LIFETIME
    stale = session.exec(select(PortalUpload).where(PortalUpload.created_at < cutoff)).all()
    for upload in stale:
        _pending_path(upload.id).unlink(missing_ok=True)
        session.delete(upload)
    return len(stale)
