"""Owner registry events other features react to in the same transaction (e.g. archive tracking).

Listeners register at import time; ``pm_admin.wiring`` imports every listener module.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from sqlmodel import Session, col, select

from pm_admin.owners.models import Ownership


@dataclasses.dataclass(frozen=True)
class OwnerEvent:
    kind: str  # contact_changed | owner_changed | occupant_changed
    owner_id: int
    room_ids: tuple[int, ...]
    detail: str  # masked, ready to show
    actor_name: str


Listener = Callable[[Session, OwnerEvent], None]
_listeners: list[Listener] = []


def subscribe(listener: Listener) -> Listener:
    _listeners.append(listener)
    return listener


def current_rooms(session: Session, owner_id: int) -> tuple[int, ...]:
    return tuple(session.exec(select(Ownership.room_id).where(Ownership.owner_id == owner_id,
                                                              col(Ownership.ended_on).is_(None))).all())


def publish(session: Session, event: OwnerEvent) -> None:
    for listener in _listeners:
        listener(session, event)
