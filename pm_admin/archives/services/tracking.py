"""Owner registry changes appended to the rooms' archive change records (seed 001 4.4.1), one or many at once."""

from __future__ import annotations

from sqlmodel import Session, col, select

from pm_admin.archives.models import (
    Archive,
)
from pm_admin.archives.services.catalog import ensure_archive
from pm_admin.archives.services.common import record_change
from pm_admin.core.audit import record
from pm_admin.core.permissions import SYSTEM
from pm_admin.owners.events import OwnerEvent
from pm_admin.places.models import Room


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
