"""Entries of an archive and their scans: added, a scan attached or replaced, voided with a reason (never deleted)."""

from __future__ import annotations

import dataclasses
import hashlib

from sqlmodel import Session, select

from pm_admin.archives.models import (
    Archive,
    ArchiveEntry,
    ArchiveFile,
    DocType,
)
from pm_admin.archives.services.common import (
    DOCUMENT_PURPOSE,
    load_archive,
    record_change,
    require_reason,
    sniff_content_type,
    stored_path,
)
from pm_admin.core.audit import record
from pm_admin.core.clock import local_today, utcnow
from pm_admin.core.errors import FieldErrors, NotFound
from pm_admin.core.files import (
    discard_upload,
    read_upload,
    store_by_hash,
)
from pm_admin.core.ids import is_id
from pm_admin.core.parsers import parse_choice, parse_date
from pm_admin.core.permissions import Perm, Principal
from pm_admin.core.scoping import expect_version


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
    doc_type = parse_choice(errors, "doc_type", data.doc_type, DocType, key="archives.doc_type_invalid",
                            default=DocType.OTHER)
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
    archive = load_archive(session, actor, archive_id)
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


def _entry_of(session: Session, actor: Principal, entry_id: int) -> tuple[ArchiveEntry, Archive]:
    """An entry of an archive in the actor's communities, with that archive."""
    entry = session.get(ArchiveEntry, entry_id) if is_id(entry_id) else None
    if entry is None:
        raise NotFound("archive entry")
    return entry, load_archive(session, actor, entry.archive_id)


def attach_file(session: Session, *, actor: Principal, entry_id: int, upload_id: str, reason: str) -> ArchiveFile:
    """A scan for the entry; a second scan is a replacement: it needs a reason and keeps the first."""
    actor.require(Perm.ARCHIVES_MANAGE)
    entry, archive = _entry_of(session, actor, entry_id)
    errors = FieldErrors()
    if entry.voided_at is not None:
        errors.add("file", "archives.entry_voided")
    previous = session.exec(select(ArchiveFile).where(ArchiveFile.entry_id == entry.id)
                            .order_by(ArchiveFile.version_no.desc())).first()
    if previous is not None:
        reason = require_reason(errors, reason)
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
    entry, archive = _entry_of(session, actor, entry_id)
    expect_version(entry, expected_version,
                   lambda: {"voided": entry.voided_at is not None, "void_reason": entry.void_reason})
    errors = FieldErrors()
    reason = require_reason(errors, reason)
    if entry.voided_at is not None:
        errors.add("reason", "archives.entry_voided")
    errors.raise_if_any()
    entry.voided_at, entry.void_reason = utcnow(), reason
    session.add(entry)
    record_change(session, archive.id, "entry_voided", "", actor.username, key="archives.detail.entry_voided",
                  params={"doc_type": str(entry.doc_type), "title": entry.title, "reason": reason})
    record(session, action="archive.entry_void", actor=actor, entity_type="archive", entity_id=archive.id,
           community_id=archive.community_id, details={"entry_id": entry.id, "reason": reason})
