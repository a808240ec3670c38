"""Archive custody: entries and scans (kept forever), access requests and grants, the access log."""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session, col, select

from pm_admin.archives.models import (
    AccessLog,
    AccessRequest,
    Archive,
    ArchiveChange,
    ArchiveEntry,
    ArchiveFile,
    DocType,
    RequestStatus,
)
from pm_admin.core.audit import record
from pm_admin.core.clock import local_today, utcnow
from pm_admin.core.db import insert_unless_taken
from pm_admin.core.errors import ConcurrencyConflict, FieldErrors, NotFound, PermissionDenied, ValidationFailed
from pm_admin.core.files import (
    UploadPurpose,
    discard_upload,
    private_dir,
    read_upload,
    store_by_hash,
)
from pm_admin.core.parsers import clean_reason, parse_date
from pm_admin.core.permissions import SYSTEM, ClientInfo, Perm, Principal
from pm_admin.owners.events import OwnerEvent
from pm_admin.places.events import RoomRenumbered
from pm_admin.places.models import Room

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


def _require_reason(errors: FieldErrors, reason: str, field: str = "reason") -> str:
    return clean_reason(errors, field, reason, min_length=MIN_REASON)


def _scoped_archive(session: Session, actor: Principal, archive_id: int) -> Archive:
    archive = session.get(Archive, archive_id)
    if archive is None:
        raise NotFound("archive")
    actor.require_community(archive.community_id)
    return archive


def record_change(session: Session, archive_id: int, kind: str, detail: str, actor_name: str, *,
                  key: str = "", params: dict | None = None) -> None:
    """One line of the change record: ``detail`` as given, or a catalog ``key`` with its ``params``."""
    session.add(ArchiveChange(archive_id=archive_id, kind=kind, detail=detail[:500], detail_key=key,
                              detail_params=params or {}, actor_name=actor_name))


# ---------------------------------------------------------------- archives and entries


def _number_taken(session: Session, number: str, archive_id: int | None) -> bool:
    statement = select(Archive.id).where(Archive.archive_no == number)
    if archive_id is not None:
        statement = statement.where(Archive.id != archive_id)
    return session.exec(statement).first() is not None


def _suffixed(number: str, code: str) -> bool:
    return number.startswith(code + "-") and number[len(code) + 1:].isdigit()


def archive_number_for(session: Session, code: str, archive: Archive | None = None) -> str:
    """The room code (the 楼号房号 label of seed 4.3.1); when another archive still holds it, the code with
    the first free suffix (``-2``, ``-3`` …). Room codes have exactly three dashes, so a suffixed number
    is never another room's code. An archive already on a suffix of this code keeps it."""
    archive_id = archive.id if archive is not None else None
    if archive is not None and archive.archive_no == code:
        return code
    if not _number_taken(session, code, archive_id):
        return code
    if archive is not None and _suffixed(archive.archive_no, code):
        return archive.archive_no
    n = 2
    while _number_taken(session, f"{code}-{n}", archive_id):
        n += 1
    return f"{code}-{n}"


def _note_number_clash(session: Session, archive: Archive, code: str, actor_name: str) -> None:
    if archive.archive_no != code:
        record_change(session, archive.id, "renumbered", "", actor_name, key="archives.detail.number_taken",
                      params={"code": code, "number": archive.archive_no})


def ensure_archive(session: Session, *, actor: Principal, room_id: int) -> Archive:
    """The room's archive, created (建档) on first use with the room code as its number.

    Never fails on the number: if another archive holds the room code (a room renumbered in an older
    version, or two 建档 at once), the archive gets a free number and its change record says so.
    """
    room = session.get(Room, room_id)
    if room is None:
        raise NotFound("room")
    actor.require(Perm.ARCHIVES_MANAGE)
    actor.require_community(room.community_id)
    actor_name = actor.username
    for _attempt in range(5):
        archive = session.exec(select(Archive).where(Archive.room_id == room.id)).first()
        if archive is not None:
            return archive
        # Without a savepoint: a twin committed meanwhile (same room or same number) makes this insert a no-op.
        archive_id = insert_unless_taken(session, Archive(
            room_id=room.id, community_id=room.community_id, archive_no=archive_number_for(session, room.code),
            sort_key=room.sort_key))
        if archive_id is None:
            continue
        archive = session.get(Archive, archive_id)
        _note_number_clash(session, archive, room.code, actor_name)
        record(session, action="archive.create", actor=actor,
               entity_type="archive", entity_id=archive.id, community_id=room.community_id,
               after={"archive_no": archive.archive_no, "room_code": room.code})
        return archive
    raise ConcurrencyConflict({"room": room.code})


def follow_room(session: Session, event: RoomRenumbered) -> None:
    """A renumbered room takes its archive along: the number (its label) and the catalog position follow
    the room's code, and the change record keeps the old and the new number."""
    archive = session.exec(select(Archive).where(Archive.room_id == event.room_id)).first()
    if archive is None:
        return
    archive.sort_key = event.sort_key
    number, previous = archive_number_for(session, event.code, archive), archive.archive_no
    if number != previous:
        archive.archive_no = number
        session.add(archive)
        session.flush()
        record_change(session, archive.id, "renumbered", "", event.actor.username, key="archives.detail.renumbered",
                      params={"old": previous, "new": number})
        _note_number_clash(session, archive, event.code, event.actor.username)
        record(session, action="archive.renumber", actor=event.actor, entity_type="archive", entity_id=archive.id,
               community_id=archive.community_id, before={"archive_no": previous},
               after={"archive_no": number, "room_code": event.code})
    else:
        session.add(archive)


def set_remarks(session: Session, *, actor: Principal, archive_id: int, remarks: str, expected: str) -> Archive:
    """The catalog's 备注 for the archive. ``expected`` is the text the editor started from: if someone
    changed it meanwhile, their text is kept and the editor is told (no version column needed)."""
    actor.require(Perm.ARCHIVES_MANAGE)
    archive = _scoped_archive(session, actor, archive_id)
    remarks = remarks.strip()
    errors = FieldErrors()
    if len(remarks) > MAX_REMARKS:
        errors.add("remarks", "error.too_long", max=MAX_REMARKS)
    errors.raise_if_any()
    if remarks == expected:
        return archive
    changed = session.execute(sa.update(Archive).where(Archive.id == archive.id, Archive.remarks == expected)
                              .values(remarks=remarks).execution_options(synchronize_session=False)).rowcount
    session.refresh(archive)
    if changed != 1:
        raise ConcurrencyConflict({"remarks": archive.remarks})
    record(session, action="archive.remarks", actor=actor, entity_type="archive", entity_id=archive.id,
           community_id=archive.community_id, before={"remarks": expected}, after={"remarks": remarks})
    return archive


@dataclasses.dataclass
class EntryInput:
    doc_type: str
    title: str = ""
    pages: int | str = 1
    copies: int | str = 1
    doc_date: str = ""
    handed_over_by: str = ""
    received_by: str = ""
    remarks: str = ""


def _clean_entry(errors: FieldErrors, data: EntryInput) -> dict:
    try:
        doc_type = DocType(data.doc_type)
    except ValueError:
        errors.add("doc_type", "archives.doc_type_invalid")
        doc_type = DocType.OTHER
    numbers = {}
    for field, high in (("pages", 2000), ("copies", 50)):
        try:
            numbers[field] = int(str(getattr(data, field)).strip())
            if not 1 <= numbers[field] <= high:
                errors.add(field, "error.out_of_range", low=1, high=high)
        except ValueError:
            errors.add(field, "error.integer_required")
            numbers[field] = 1
    doc_date = parse_date(errors, "doc_date", data.doc_date, required=False, not_after=local_today())
    for field, limit in (("title", 100), ("handed_over_by", 64), ("received_by", 64), ("remarks", 500)):
        if len(getattr(data, field).strip()) > limit:
            errors.add(field, "error.too_long", max=limit)
    return {"doc_type": doc_type, "doc_date": doc_date, **numbers, "title": data.title.strip(),
            "handed_over_by": data.handed_over_by.strip(), "received_by": data.received_by.strip(),
            "remarks": data.remarks.strip()}


def add_entry(session: Session, *, actor: Principal, archive_id: int, data: EntryInput,
              upload_id: str | None = None) -> ArchiveEntry:
    actor.require(Perm.ARCHIVES_MANAGE)
    archive = _scoped_archive(session, actor, archive_id)
    errors = FieldErrors()
    values = _clean_entry(errors, data)
    errors.raise_if_any()
    entry = ArchiveEntry(archive_id=archive.id, created_by=actor.username, **values)
    session.add(entry)
    session.flush()
    if upload_id:
        attach_file(session, actor=actor, entry_id=entry.id, upload_id=upload_id, reason="")
    record_change(session, archive.id, "entry_added", "", actor.username, key="archives.detail.entry_added",
                  params={"doc_type": str(values["doc_type"]), "title": values["title"]})
    record(session, action="archive.entry_add", actor=actor, entity_type="archive", entity_id=archive.id,
           community_id=archive.community_id, after={**values, "entry_id": entry.id})
    return entry


def attach_file(session: Session, *, actor: Principal, entry_id: int, upload_id: str, reason: str) -> ArchiveFile:
    """A scan for the entry; a second scan is a replacement: it needs a reason and keeps the first."""
    actor.require(Perm.ARCHIVES_MANAGE)
    entry = session.get(ArchiveEntry, entry_id)
    if entry is None:
        raise NotFound("archive entry")
    archive = _scoped_archive(session, actor, entry.archive_id)
    errors = FieldErrors()
    if entry.voided_at is not None:
        errors.add("file", "archives.entry_voided")
    previous = session.exec(select(ArchiveFile).where(ArchiveFile.entry_id == entry.id)
                            .order_by(ArchiveFile.version_no.desc())).first()
    if previous is not None:
        reason = _require_reason(errors, reason)
    upload, data = read_upload(session, principal=actor, upload_id=upload_id, purpose_name=DOCUMENT_PURPOSE)
    content_type = sniff_content_type(data)
    if content_type is None:
        errors.add("file", "archives.not_a_scan")
    errors.raise_if_any()
    digest = hashlib.sha256(data).hexdigest()
    store_by_hash(stored_path(digest), data, digest)
    version = ArchiveFile(entry_id=entry.id, version_no=(previous.version_no + 1) if previous else 1,
                          filename=upload.filename, content_type=content_type, size=len(data), sha256=digest,
                          replace_reason=reason, uploaded_by=actor.username)
    session.add(version)
    discard_upload(session, upload.id)
    session.flush()
    if previous is not None:
        record_change(session, archive.id, "file_replaced", "", actor.username, key="archives.detail.file_replaced",
                      params={"doc_type": str(entry.doc_type), "title": entry.title, "old": previous.version_no,
                              "new": version.version_no, "reason": reason})
    record(session, action="archive.file_add", actor=actor, entity_type="archive", entity_id=archive.id,
           community_id=archive.community_id,
           after={"entry_id": entry.id, "version": version.version_no, "sha256": digest, "reason": reason})
    return version


def void_entry(session: Session, *, actor: Principal, entry_id: int, expected_version: int, reason: str) -> None:
    """作废: the entry stays in the catalog (archives are kept forever), marked with why."""
    actor.require(Perm.ARCHIVES_MANAGE)
    entry = session.get(ArchiveEntry, entry_id)
    if entry is None:
        raise NotFound("archive entry")
    archive = _scoped_archive(session, actor, entry.archive_id)
    if entry.version != expected_version:
        raise ConcurrencyConflict({"voided": entry.voided_at is not None, "void_reason": entry.void_reason})
    errors = FieldErrors()
    reason = _require_reason(errors, reason)
    if entry.voided_at is not None:
        errors.add("reason", "archives.entry_voided")
    errors.raise_if_any()
    entry.voided_at, entry.void_reason = utcnow(), reason
    session.add(entry)
    record_change(session, archive.id, "entry_voided", "", actor.username, key="archives.detail.entry_voided",
                  params={"doc_type": str(entry.doc_type), "title": entry.title, "reason": reason})
    record(session, action="archive.entry_void", actor=actor, entity_type="archive", entity_id=archive.id,
           community_id=archive.community_id, details={"entry_id": entry.id, "reason": reason})


# ---------------------------------------------------------------- access requests


def request_access(session: Session, *, actor: Principal, archive_id: int, reason: str) -> AccessRequest:
    actor.require(Perm.ARCHIVES_REQUEST)
    archive = _scoped_archive(session, actor, archive_id)
    errors = FieldErrors()
    reason = _require_reason(errors, reason)
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
    request = session.get(AccessRequest, request_id)
    if request is None:
        raise NotFound("access request")
    actor.require_community(request.community_id)
    if request.requester_id == actor.user_id:
        raise PermissionDenied("archives.no_self_approval")
    if request.status != RequestStatus.PENDING:
        raise _already_decided(request)
    errors = FieldErrors()
    if not 1 <= hours <= 24 * 7:
        errors.add("hours", "error.out_of_range", low=1, high=24 * 7)
    if not approve:
        note = _require_reason(errors, note, "note")
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
    request = session.get(AccessRequest, request_id)
    if request is None:
        raise NotFound("access request")
    actor.require_community(request.community_id)
    errors = FieldErrors()
    note = _require_reason(errors, note, "note")
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


# ---------------------------------------------------------------- tracking (seed 4.4.1)


def track_owner_event(session: Session, event: OwnerEvent) -> None:
    """Contact, owner and occupant changes in the registry append to the rooms' archive change records
    (seed 001 4.4.1). A room without an archive yet gets one, so no change goes unrecorded."""
    kind = EVENT_CHANGE_KINDS[event.kind]
    for room_id in event.room_ids:
        archive = ensure_archive(session, actor=SYSTEM, room_id=room_id)
        # The text as published (masked), and its catalog key + parameters for readers of another language.
        record_change(session, archive.id, kind, event.detail, event.actor_name, key=event.key, params=event.params)


def track_owner_events(session: Session, events: list[OwnerEvent]) -> None:
    """The same for many events (an import): archives found and opened for all their rooms at once."""
    archive_ids = ensure_archives(session, {room_id for event in events for room_id in event.room_ids})
    for event in events:
        for room_id in event.room_ids:
            record_change(session, archive_ids[room_id], EVENT_CHANGE_KINDS[event.kind], event.detail,
                          event.actor_name, key=event.key, params=event.params)


CHUNK = 500  # ids per IN (...) list


def ensure_archives(session: Session, room_ids: set[int]) -> dict[int, int]:
    """Archive id per room, opening (建档) the missing ones in one insert. A room whose code another archive
    still holds goes through ``ensure_archive`` for its free number."""
    ids = sorted(room_ids)
    found: dict[int, int] = {}
    for start in range(0, len(ids), CHUNK):
        found.update(session.exec(select(Archive.room_id, Archive.id)
                                  .where(col(Archive.room_id).in_(ids[start:start + CHUNK]))).all())
    missing = [room_id for room_id in ids if room_id not in found]
    rooms: list[Room] = []
    for start in range(0, len(missing), CHUNK):
        rooms += session.exec(select(Room).where(col(Room.id).in_(missing[start:start + CHUNK]))).all()
    codes = [room.code for room in rooms]
    taken: set[str] = set()
    for start in range(0, len(codes), CHUNK):
        taken.update(session.exec(select(Archive.archive_no)
                                  .where(col(Archive.archive_no).in_(codes[start:start + CHUNK]))).all())
    opened = [Archive(room_id=room.id, community_id=room.community_id, archive_no=room.code, sort_key=room.sort_key)
              for room in rooms if room.code not in taken]
    session.add_all(opened)
    session.flush()
    for archive, room in zip(opened, [room for room in rooms if room.code not in taken], strict=True):
        found[room.id] = archive.id
        record(session, action="archive.create", actor_name="system", entity_type="archive", entity_id=archive.id,
               community_id=room.community_id, after={"archive_no": archive.archive_no, "room_code": room.code})
    for room in rooms:
        if room.code in taken:
            found[room.id] = ensure_archive(session, actor=SYSTEM, room_id=room.id).id
    return found


EVENT_CHANGE_KINDS = {"contact_changed": "contact", "owner_changed": "owner_change",
                      "occupant_changed": "occupant_change"}
