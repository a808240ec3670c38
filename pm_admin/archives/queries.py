"""Archive reads: the catalog (业主档案目录表), one archive's entries and records, request queues."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from pm_admin.archives.models import (
    AccessLog,
    AccessLogRow,
    AccessRequest,
    Archive,
    ArchiveChange,
    ArchiveEntry,
    ArchiveFile,
    ArchiveRow,
    EntryRow,
    FileVersionRow,
    RequestRow,
    RequestStatus,
)
from pm_admin.auth.queries import display_names
from pm_admin.core.clock import local_text, utcnow
from pm_admin.core.i18n import DEFAULT_LANGUAGE, translate
from pm_admin.core.masking import remask_older_ids
from pm_admin.core.paging import Page, PageRequest, count, paginate
from pm_admin.core.permissions import Perm, Principal
from pm_admin.owners.models import Owner, Ownership
from pm_admin.places.models import Building, Community, Room

FIRST_PAGE = PageRequest()


@dataclasses.dataclass(frozen=True)
class ArchiveFilter:
    community_id: int | None = None
    building_id: int | None = None
    unit_id: int | None = None
    search: str = ""  # archive number / room code prefix
    owner: str = ""  # a current owner's name (part of it), or its pinyin / initials prefix


def _owner_matches(text: str) -> sa.ColumnElement[bool]:
    """A part of the name; Latin letters may also start the pinyin ("zhang") or the initials ("zs")."""
    matches = [Owner.name.contains(text, autoescape=True)]
    if text.isascii() and text.isalpha():
        matches += [Owner.name_pinyin.startswith(text.lower(), autoescape=True),
                    Owner.name_initials.startswith(text.lower(), autoescape=True)]
    return sa.or_(*matches)


def _catalog_statement(principal: Principal, filters: ArchiveFilter) -> sa.Select:
    statement = sa.select(Archive.id).where(principal.scope_clause(Archive.community_id))
    if filters.community_id:
        statement = statement.where(Archive.community_id == filters.community_id)
    rooms = sa.select(Room.id)
    if filters.building_id:
        rooms = rooms.where(Room.building_id == filters.building_id)
    if filters.unit_id:
        rooms = rooms.where(Room.unit_id == filters.unit_id)
    if rooms.whereclause is not None:
        statement = statement.where(Archive.room_id.in_(rooms))
    if filters.search.strip():
        text = filters.search.strip().upper()
        statement = statement.where(Archive.archive_no >= text, Archive.archive_no < text + "\uffff")
    if filters.owner.strip():
        statement = statement.where(sa.exists().where(
            Ownership.room_id == Archive.room_id, col(Ownership.ended_on).is_(None), Owner.id == Ownership.owner_id,
            _owner_matches(filters.owner.strip())))
    return statement


def _catalog_rows(session: Session, archive_ids: list[int]) -> list[ArchiveRow]:
    """The catalog columns of seed 4.3.4: 房号, 档案编号, 业主姓名, 入住时间, 档案页数, 备注."""
    if not archive_ids:
        return []
    rows = session.execute(
        sa.select(Archive, Room.code, Community.name, Building.name)
        .join(Room, Room.id == Archive.room_id).join(Community, Community.id == Archive.community_id)
        .join(Building, Building.id == Room.building_id).where(col(Archive.id).in_(archive_ids))
    ).all()
    owners: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for room_id, name, started in session.execute(
        sa.select(Ownership.room_id, Owner.name, Ownership.started_on).join(Owner, Owner.id == Ownership.owner_id)
        .where(col(Ownership.room_id).in_([a.room_id for a, *_ in rows]), col(Ownership.ended_on).is_(None))
        .order_by(Ownership.started_on)
    ).all():
        owners[room_id].append((name, started.isoformat()))
    entry_figures = {archive_id: (n, pages) for archive_id, n, pages in session.execute(
        sa.select(ArchiveEntry.archive_id, sa.func.count(ArchiveEntry.id), sa.func.coalesce(sa.func.sum(ArchiveEntry.pages), 0))
        .where(col(ArchiveEntry.archive_id).in_(archive_ids), col(ArchiveEntry.voided_at).is_(None))
        .group_by(ArchiveEntry.archive_id)).all()}
    voided = dict(session.execute(
        sa.select(ArchiveEntry.archive_id, sa.func.count(ArchiveEntry.id))
        .where(col(ArchiveEntry.archive_id).in_(archive_ids), col(ArchiveEntry.voided_at).is_not(None))
        .group_by(ArchiveEntry.archive_id)).all())
    order = {archive_id: n for n, archive_id in enumerate(archive_ids)}
    result = []
    for archive, room_code, community_name, building_name in sorted(rows, key=lambda r: order[r[0].id]):
        holders = owners.get(archive.room_id, [])
        entries, pages = entry_figures.get(archive.id, (0, 0))
        result.append(ArchiveRow(
            id=archive.id, archive_no=archive.archive_no, room_code=room_code, community_name=community_name,
            building_name=building_name, owner_names="、".join(name for name, _ in holders),
            moved_in=holders[0][1] if holders else "", pages=int(pages), entries=int(entries),
            voided=int(voided.get(archive.id, 0)), remarks=archive.remarks))
    return result


def catalog(session: Session, principal: Principal, request: PageRequest, filters: ArchiveFilter) -> Page[ArchiveRow]:
    """Ordered by building → unit → room (seed 4.3.3)."""
    principal.require(Perm.ARCHIVES_VIEW)
    request = request.clamp()
    statement = _catalog_statement(principal, filters)
    total = count(session, statement)
    ids = list(session.scalars(paginate(statement.order_by(Archive.sort_key, Archive.id), request)).all())
    return Page(_catalog_rows(session, ids), total, request.page, request.page_size)


def catalog_export_rows(session: Session, principal: Principal, filters: ArchiveFilter,
                        limit: int | None = None) -> tuple[list[ArchiveRow], int]:
    """The filtered catalog in the grid's order: its first ``limit`` rows (every row when None), and how many it has
    (a print layout shows a part of a big catalog and says so)."""
    principal.require(Perm.ARCHIVES_VIEW)
    ids = list(session.scalars(_catalog_statement(principal, filters).order_by(Archive.sort_key, Archive.id)).all())
    shown = ids[:limit]
    return [row for start in range(0, len(shown), 1000) for row in _catalog_rows(session, shown[start:start + 1000])], \
        len(ids)


def visible_archive(session: Session, principal: Principal, archive_id: int) -> Archive | None:
    principal.require(Perm.ARCHIVES_VIEW)
    archive = session.get(Archive, archive_id)
    if archive is None or not principal.can_access_community(archive.community_id):
        return None
    return archive


def archive_header(session: Session, principal: Principal, archive_id: int) -> ArchiveRow | None:
    """None for an archive that does not exist; one of another community is refused (and audited by the
    caller's guard): an id typed into the URL or a crafted event is not a way round the scope."""
    principal.require(Perm.ARCHIVES_VIEW)
    archive = session.get(Archive, archive_id)
    if archive is None:
        return None
    principal.require_community(archive.community_id)
    return _catalog_rows(session, [archive.id])[0]


def entries(session: Session, principal: Principal, archive_id: int) -> list[EntryRow]:
    """Every entry, voided ones included (archives are kept forever)."""
    if visible_archive(session, principal, archive_id) is None:
        return []
    rows = session.exec(select(ArchiveEntry).where(ArchiveEntry.archive_id == archive_id)
                        .order_by(col(ArchiveEntry.voided_at).is_not(None), ArchiveEntry.id)).all()
    latest: dict[int, ArchiveFile] = {}
    versions: dict[int, int] = defaultdict(int)
    for file in session.exec(select(ArchiveFile).where(col(ArchiveFile.entry_id).in_([e.id for e in rows]))
                             .order_by(ArchiveFile.version_no)).all():
        latest[file.entry_id] = file
        versions[file.entry_id] += 1
    return [EntryRow(
        id=e.id, doc_type=str(e.doc_type), title=e.title, pages=e.pages, copies=e.copies,
        doc_date=e.doc_date.isoformat() if e.doc_date else "", handed_over_by=e.handed_over_by,
        received_by=e.received_by, remarks=e.remarks, voided=e.voided_at is not None, void_reason=e.void_reason,
        file_id=latest[e.id].id if e.id in latest else 0, file_name=latest[e.id].filename if e.id in latest else "",
        versions=versions[e.id], version=e.version) for e in rows]


def file_versions(session: Session, principal: Principal, archive_id: int) -> list[FileVersionRow]:
    if visible_archive(session, principal, archive_id) is None:
        return []
    files = session.exec(select(ArchiveFile).join(ArchiveEntry, ArchiveEntry.id == ArchiveFile.entry_id)
                         .where(ArchiveEntry.archive_id == archive_id)
                         .order_by(ArchiveFile.entry_id, ArchiveFile.version_no)).all()
    return [FileVersionRow(id=f.id, entry_id=f.entry_id, version_no=f.version_no, filename=f.filename, size=f.size,
                           sha256=f.sha256, uploaded_at=local_text(f.uploaded_at), uploaded_by=f.uploaded_by,
                           replace_reason=f.replace_reason) for f in files]


def change_detail(change: ArchiveChange, language: str) -> str:
    """The record's detail in the reader's language (older rows and registry lines are stored as text)."""
    if not change.detail_key:
        return remask_older_ids(change.detail)
    params = {key: remask_older_ids(value) if isinstance(value, str) else value
              for key, value in (change.detail_params or {}).items()}
    if "doc_type" in params:
        params["doc_type"] = translate(f"doc.{params['doc_type']}", language)
    if "title" in params:
        params["title"] = f" · {params['title']}" if params["title"] else ""
    return translate(change.detail_key, language, **params)


def changes(session: Session, principal: Principal, archive_id: int, language: str = DEFAULT_LANGUAGE,
            request: PageRequest = FIRST_PAGE) -> Page[dict]:
    """The change record, newest first, one page at a time."""
    request = request.clamp()
    if visible_archive(session, principal, archive_id) is None:
        return Page([], 0, 1, request.page_size)
    statement = select(ArchiveChange).where(ArchiveChange.archive_id == archive_id)
    total = count(session, statement)
    rows = session.exec(paginate(statement.order_by(ArchiveChange.occurred_at.desc(), ArchiveChange.id.desc()),
                                 request)).all()
    names = display_names(session, {c.actor_name for c in rows})
    return Page([{"occurred_at": local_text(c.occurred_at), "kind": c.kind, "detail": change_detail(c, language),
                  "actor_name": names[c.actor_name]} for c in rows], total, request.page, request.page_size)


def access_log(session: Session, principal: Principal, archive_id: int,
               request: PageRequest = FIRST_PAGE) -> Page[AccessLogRow]:
    """Who opened what: for the custodians and approvers, not for everyone who may see the catalog."""
    request = request.clamp()
    if visible_archive(session, principal, archive_id) is None or not (
            principal.has(Perm.ARCHIVES_MANAGE) or principal.has(Perm.ARCHIVES_APPROVE)):
        return Page([], 0, 1, request.page_size)
    statement = select(AccessLog).where(AccessLog.archive_id == archive_id)
    total = count(session, statement)
    rows = session.exec(paginate(statement.order_by(AccessLog.occurred_at.desc(), AccessLog.id.desc()),
                                 request)).all()
    names = display_names(session, {r.username for r in rows})
    return Page([AccessLogRow(occurred_at=local_text(r.occurred_at, seconds=True), username=names[r.username],
                              action=r.action, outcome=r.outcome, reason=r.reason, entry_id=r.entry_id or 0,
                              file_id=r.file_id or 0) for r in rows], total, request.page, request.page_size)


def _status(request: AccessRequest, now: datetime) -> str:
    if request.status == RequestStatus.APPROVED and request.expires_at and request.expires_at <= now:
        return "expired"
    return str(request.status)


def _request_page(session: Session, principal: Principal, statement, order, request: PageRequest) -> Page[RequestRow]:
    request, now = request.clamp(), utcnow()
    total = count(session, statement)
    rows = session.execute(paginate(statement.order_by(*order), request).join(
        Archive, Archive.id == AccessRequest.archive_id).add_columns(Archive.archive_no)).all()
    names = display_names(session, {n for r, _ in rows for n in (r.requester_name, r.decided_by, r.revoked_by)})
    return Page([RequestRow(id=r.id, archive_id=r.archive_id, archive_no=no, requester_name=names[r.requester_name],
                            reason=r.reason, status=_status(r, now), requested_at=local_text(r.requested_at),
                            decided_by=names[r.decided_by], decision_note=r.decision_note,
                            expires_at=local_text(r.expires_at), revoked_by=names[r.revoked_by],
                            revoke_note=r.revoke_note,
                            own=r.requester_id == principal.user_id)
                 for r, no in rows], total, request.page, request.page_size)


def my_requests(session: Session, principal: Principal, archive_id: int | None = None,
                request: PageRequest = FIRST_PAGE) -> Page[RequestRow]:
    statement = select(AccessRequest).where(AccessRequest.requester_id == principal.user_id)
    if archive_id is not None:
        statement = statement.where(AccessRequest.archive_id == archive_id)
    return _request_page(session, principal, statement, (AccessRequest.requested_at.desc(), AccessRequest.id.desc()),
                         request)


def pending_requests(session: Session, principal: Principal, request: PageRequest = FIRST_PAGE) -> Page[RequestRow]:
    """The approver's queue: pending requests of their communities, oldest first."""
    principal.require(Perm.ARCHIVES_APPROVE)
    statement = select(AccessRequest).where(AccessRequest.status == RequestStatus.PENDING,
                                            principal.scope_clause(AccessRequest.community_id))
    return _request_page(session, principal, statement, (AccessRequest.requested_at, AccessRequest.id), request)


def active_grants(session: Session, principal: Principal, request: PageRequest = FIRST_PAGE) -> Page[RequestRow]:
    principal.require(Perm.ARCHIVES_APPROVE)
    statement = select(AccessRequest).where(AccessRequest.status == RequestStatus.APPROVED,
                                            col(AccessRequest.expires_at) > utcnow(),
                                            principal.scope_clause(AccessRequest.community_id))
    return _request_page(session, principal, statement, (AccessRequest.expires_at, AccessRequest.id), request)
