"""Archives and their numbers: opened (建档) on first use with the room code, renumbered with the room, remarks."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, select

from pm_admin.archives.models import (
    Archive,
)
from pm_admin.archives.services.common import MAX_REMARKS, load_archive, record_change
from pm_admin.core.audit import record
from pm_admin.core.db import insert_unless_taken
from pm_admin.core.errors import ConcurrencyConflict, FieldErrors
from pm_admin.core.permissions import Perm, Principal
from pm_admin.core.scoping import load_scoped
from pm_admin.places.events import RoomRenumbered
from pm_admin.places.models import Room


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


def note_number_clash(session: Session, archive: Archive, code: str, actor_name: str) -> None:
    if archive.archive_no != code:
        record_change(session, archive.id, "renumbered", "", actor_name, key="archives.detail.number_taken",
                      params={"code": code, "number": archive.archive_no})


def ensure_archive(session: Session, *, actor: Principal, room_id: int) -> Archive:
    """The room's archive, created (建档) on first use with the room code as its number.

    Never fails on the number: if another archive holds the room code (a room renumbered in an older
    version, or two 建档 at once), the archive gets a free number and its change record says so.
    """
    actor.require(Perm.ARCHIVES_MANAGE)
    room = load_scoped(session, Room, room_id, actor, entity="room")
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
        note_number_clash(session, archive, room.code, actor_name)
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
        note_number_clash(session, archive, event.code, event.actor.username)
        record(session, action="archive.renumber", actor=event.actor, entity_type="archive", entity_id=archive.id,
               community_id=archive.community_id, before={"archive_no": previous},
               after={"archive_no": number, "room_code": event.code})
    else:
        session.add(archive)


def set_remarks(session: Session, *, actor: Principal, archive_id: int, remarks: str, expected: str) -> Archive:
    """The catalog's 备注 for the archive. ``expected`` is the text the editor started from: if someone
    changed it meanwhile, their text is kept and the editor is told (no version column needed)."""
    actor.require(Perm.ARCHIVES_MANAGE)
    archive = load_archive(session, actor, archive_id)
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
