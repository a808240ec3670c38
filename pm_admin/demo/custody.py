"""Demo archives (with a few scans), arrears follow-ups, stewards and an opened census quarter (the household work
goes to each community's cs, the default)."""

from __future__ import annotations

import hashlib
import random
from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from pm_admin.archives.models import AccessRequest, Archive, ArchiveEntry, ArchiveFile, DocType
from pm_admin.archives.services.common import stored_path
from pm_admin.arrears.models import ArrearsCase, CaseStatus, FollowUp
from pm_admin.arrears.services import sync_cases
from pm_admin.auth.models import User
from pm_admin.census.models import CensusTask, TaskStatus
from pm_admin.census.services import quarter_of
from pm_admin.core.clock import local_today, utcnow
from pm_admin.household_work.services import assignees
from pm_admin.owners.models import Ownership
from pm_admin.places.models import Building, Community, Room

SCANNED_ARCHIVES = 12
STANDARD_DOCS = (DocType.CONVENTION, DocType.SERVICE_AGREEMENT, DocType.FIRE_SAFETY, DocType.RESIDENT_FORM,
                 DocType.HANDOVER, DocType.KEY_REGISTER)


def demo_pdf(title: str) -> bytes:
    """A one-page PDF standing in for a scan (ASCII text: the base fonts have no Chinese)."""
    text = title.encode("ascii", "replace").replace(b"(", b"[").replace(b")", b"]")
    stream = b"BT /F1 18 Tf 72 720 Td (" + text + b") Tj ET"
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    body, offsets = b"%PDF-1.4\n", []
    for number, content in enumerate(objects, start=1):
        offsets.append(len(body))
        body += b"%d 0 obj\n%s\nendobj\n" % (number, content)
    xref = len(body)
    body += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    body += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    return body + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)


def seed_custody(session: Session, *, community_code: str, rng: random.Random) -> None:
    community = session.exec(select(Community).where(Community.code == community_code)).first()
    if community is None or session.exec(select(Archive.id).where(Archive.community_id == community.id)).first():
        return
    steward = session.exec(select(User).where(User.username == "demo.steward")).first()
    if steward is not None:
        session.exec(sa.update(Building).where(Building.community_id == community.id)
                     .values(steward_user_id=steward.id))
    _seed_archives(session, community, rng)
    _seed_follow_ups(session, community, rng)
    _seed_census(session, community, rng)


def _seed_archives(session: Session, community: Community, rng: random.Random) -> None:
    owned = session.execute(
        sa.select(Room.id, Room.code, Room.sort_key, sa.func.min(Ownership.started_on))
        .join(Ownership, Ownership.room_id == Room.id)
        .where(Room.community_id == community.id, col(Ownership.ended_on).is_(None))
        .group_by(Room.id, Room.code, Room.sort_key).order_by(Room.sort_key)).all()
    result = session.execute(sa.insert(Archive).returning(Archive.id, sort_by_parameter_order=True), [
        {"room_id": room_id, "community_id": community.id, "archive_no": code, "sort_key": key}
        for room_id, code, key, _ in owned])
    archive_ids = [row[0] for row in result.all()]
    numbers = {archive_id: code for archive_id, (_, code, _, _) in zip(archive_ids, owned, strict=True)}
    entries = []
    for archive_id, (_, _, _, moved_in) in zip(archive_ids, owned, strict=True):
        for doc_type in STANDARD_DOCS[:rng.randint(3, len(STANDARD_DOCS))]:
            entries.append({"archive_id": archive_id, "doc_type": doc_type.value, "title": "", "copies": 1,
                            "pages": rng.randint(1, 12), "doc_date": moved_in, "handed_over_by": "业主",
                            "received_by": "陈档案", "remarks": "", "created_by": "system", "version": 1})
    session.execute(sa.insert(ArchiveEntry), entries)
    scanned = session.exec(select(ArchiveEntry).where(col(ArchiveEntry.archive_id).in_(archive_ids[:SCANNED_ARCHIVES]))
                           .order_by(ArchiveEntry.id)).all()
    for entry in scanned:
        archive_no = numbers[entry.archive_id]
        data = demo_pdf(f"{archive_no}  {entry.doc_type}  (demo scan)")
        digest = hashlib.sha256(data).hexdigest()
        stored_path(digest).write_bytes(data)
        session.add(ArchiveFile(entry_id=entry.id, version_no=1, filename=f"{archive_no}-{entry.doc_type}.pdf",
                                content_type="application/pdf", size=len(data), sha256=digest, uploaded_by="system"))
    cs = session.exec(select(User).where(User.username == "demo.cs")).first()
    if cs is not None and archive_ids:
        session.add(AccessRequest(archive_id=archive_ids[0], community_id=community.id, requester_id=cs.id,
                                  requester_name=cs.username, reason="业主委托办理车位过户，核对业主临时公约"))


def _seed_follow_ups(session: Session, community: Community, rng: random.Random) -> None:
    today = local_today()
    sync_cases(session, today=today)
    cases = session.exec(select(ArrearsCase).where(ArrearsCase.community_id == community.id,
                                                   ArrearsCase.status == CaseStatus.OPEN)).all()
    names = dict(session.exec(select(User.id, User.username)).all())
    for case in cases:
        if rng.random() < 0.7:  # the rest are overdue: nobody has called yet
            done = today - timedelta(days=rng.randint(1, 25))
            session.add(FollowUp(case_id=case.id, done_on=done, channel=rng.choice(["phone", "visit", "wechat"]),
                                 result="已提醒业主，承诺近期缴纳", reason_category=rng.choice(["forgot", "absent", "hardship"]),
                                 promise_date=done + timedelta(days=10), actor_user_id=case.assignee_id,
                                 actor_name=names.get(case.assignee_id, "demo.manager")))
            case.last_follow_up_on, case.next_due_on = done, done + timedelta(days=15)
            case.opened_on = min(case.opened_on, done)
            session.add(case)


def _seed_census(session: Session, community: Community, rng: random.Random) -> None:
    rooms = session.execute(
        sa.select(Room.id, Room.building_id, sa.func.min(Ownership.owner_id)).join(Ownership, Ownership.room_id == Room.id)
        .where(Room.community_id == community.id, col(Ownership.ended_on).is_(None))
        .group_by(Room.id, Room.building_id, Room.sort_key).order_by(Room.sort_key)).all()
    people = assignees(session, community.id, [building_id for _, building_id, _ in rooms])
    names = dict(session.exec(select(User.id, User.username)).all())
    quarter = quarter_of(local_today())
    session.execute(sa.insert(CensusTask), [
        {"quarter": quarter, "room_id": room_id, "community_id": community.id, "building_id": building_id,
         "owner_id": owner_id, "assignee_id": assignee, "note": "",
         "completed_by": names.get(assignee, "demo.manager") if done else "",
         "completed_at": utcnow() if done else None, "created_at": utcnow() - timedelta(days=20),
         "status": (TaskStatus.CONFIRMED if done else TaskStatus.PENDING).value}
        for (room_id, building_id, owner_id), assignee in zip(rooms, people, strict=True)
        for done in [rng.random() < 0.35]])
