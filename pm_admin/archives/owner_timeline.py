"""Archive entries (added, voided, replaced) of the owner's rooms on the owner's timeline."""

from __future__ import annotations

from sqlmodel import Session, col, select

from pm_admin.archives.models import Archive, ArchiveChange
from pm_admin.archives.queries import change_detail
from pm_admin.core.clock import DISPLAY_ZONE, as_utc, local_text
from pm_admin.core.permissions import Perm, Principal
from pm_admin.owners.timeline import TimelineItem, during_ownership, owned_periods

# Contact and owner changes are already on the timeline from the registry itself.
DOCUMENT_KINDS = ("entry_added", "entry_voided", "file_replaced")


def archive_documents(session: Session, principal: Principal, owner_id: int, language: str) -> list[TimelineItem]:
    if not principal.has(Perm.ARCHIVES_VIEW):
        return []
    periods = owned_periods(session, owner_id)
    rows = session.exec(
        select(ArchiveChange, Archive.id, Archive.room_id).join(Archive, Archive.id == ArchiveChange.archive_id)
        .where(col(Archive.room_id).in_({p.room_id for p in periods}), col(ArchiveChange.kind).in_(DOCUMENT_KINDS),
               principal.scope_clause(Archive.community_id))
        .order_by(col(ArchiveChange.occurred_at).desc()).limit(100)).all()
    return [TimelineItem(at=as_utc(change.occurred_at).isoformat(), at_text=local_text(change.occurred_at),
                         kind="archive", title_key=f"archives.change.{change.kind}",
                         detail=f"{change_detail(change, language)} · {change.actor_name}",
                         link=f"/archives/{archive_id}")
            for change, archive_id, room_id in rows
            if during_ownership(periods, room_id, as_utc(change.occurred_at).astimezone(DISPLAY_ZONE).date())]


SOURCES = (archive_documents,)
