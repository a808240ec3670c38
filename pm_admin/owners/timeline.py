"""The owner timeline: one list in time order, from the registry's own changes and from every domain above
(tickets, callbacks, archives, surveys, arrears, census) whose sources ``pm_admin.wiring`` adds.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date

from pydantic import BaseModel
from sqlmodel import Session, select

from pm_admin.core.change_text import change_line
from pm_admin.core.clock import local_text
from pm_admin.core.events import require_installed
from pm_admin.core.permissions import Principal
from pm_admin.owners.models import OwnerChange, Ownership
from pm_admin.owners.queries import change_in_reach, in_reach
from pm_admin.places.models import Room


class TimelineItem(BaseModel):
    at: str  # ISO UTC, for ordering
    at_text: str  # local time for people
    kind: str  # ownership | change | ticket | callback | archive | survey | arrears …
    title_key: str  # catalog key of the headline
    detail: str
    link: str = ""


TimelineSource = Callable[[Session, Principal, int, str], list[TimelineItem]]
_ADDED: list[TimelineSource] = []


def add_sources(*sources: TimelineSource) -> None:
    _ADDED.extend(source for source in sources if source not in _ADDED)


@dataclasses.dataclass(frozen=True)
class OwnedPeriod:
    room_id: int
    started_on: date
    ended_on: date | None

    def covers(self, day: date) -> bool:
        return self.started_on <= day and (self.ended_on is None or day <= self.ended_on)


def owned_periods(session: Session, owner_id: int) -> list[OwnedPeriod]:
    """The rooms the owner holds or held, with when: room-level events (arrears, surveys, archive entries)
    belong on the timeline of whoever owned the room on that day."""
    return [OwnedPeriod(room_id, started, ended) for room_id, started, ended in session.exec(
        select(Ownership.room_id, Ownership.started_on, Ownership.ended_on).where(Ownership.owner_id == owner_id)).all()]


def during_ownership(periods: list[OwnedPeriod], room_id: int, day: date) -> bool:
    return any(p.room_id == room_id and p.covers(day) for p in periods)


def ownership_events(session: Session, principal: Principal, owner_id: int, language: str) -> list[TimelineItem]:
    items = []
    for ownership, code in session.exec(select(Ownership, Room.code).join(Room, Room.id == Ownership.room_id)
                                        .where(Ownership.owner_id == owner_id,
                                               in_reach(principal, Ownership.community_id))).all():
        items.append(TimelineItem(at=ownership.started_on.isoformat(), at_text=ownership.started_on.isoformat(),
                                  kind="ownership", title_key="timeline.ownership_started", detail=code))
        if ownership.ended_on:
            items.append(TimelineItem(at=ownership.ended_on.isoformat(), at_text=ownership.ended_on.isoformat(),
                                      kind="ownership", title_key="timeline.ownership_ended", detail=code))
    return items


def profile_changes(session: Session, principal: Principal, owner_id: int, language: str) -> list[TimelineItem]:
    changes = session.exec(select(OwnerChange).where(OwnerChange.owner_id == owner_id, OwnerChange.kind != "ownership",
                                                     change_in_reach(principal))
                           .order_by(OwnerChange.occurred_at.desc()).limit(100)).all()
    return [TimelineItem(at=c.occurred_at.isoformat(), at_text=local_text(c.occurred_at), kind="change",
                         title_key=f"timeline.change_{c.kind}",
                         detail=f"{change_line(c.field, c.old_value, c.new_value, language)} · {c.actor_name}")
            for c in changes]


OWN_SOURCES = (ownership_events, profile_changes)


def owner_timeline(session: Session, principal: Principal, owner_id: int, language: str,
                   limit: int = 100) -> list[TimelineItem]:
    """Everything registered sources know about the owner, newest first (scope checked by the caller)."""
    require_installed()
    items = [item for source in (*OWN_SOURCES, *_ADDED) for item in source(session, principal, owner_id, language)]
    return sorted(items, key=lambda item: item.at, reverse=True)[:limit]
