"""Owner registry events other features react to in the same transaction (e.g. archive tracking).

Listeners register at import time; ``pm_admin.wiring`` imports every listener module.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from typing import Any

from sqlmodel import Session, col, select

from pm_admin.core.i18n import DEFAULT_LANGUAGE, translate
from pm_admin.owners.models import Ownership


@dataclasses.dataclass(frozen=True)
class OwnerEvent:
    kind: str  # contact_changed | owner_changed | occupant_changed
    owner_id: int
    room_ids: tuple[int, ...]
    detail: str  # masked, ready to show (``key`` rendered in the default language)
    actor_name: str
    # The same as a catalog key and its (masked) parameters, for a reader in another language.
    key: str = ""
    params: dict[str, Any] = dataclasses.field(default_factory=dict)


Listener = Callable[[Session, OwnerEvent], None]
BatchListener = Callable[[Session, list[OwnerEvent]], None]
_listeners: list[tuple[Listener, BatchListener | None]] = []


def subscribe(listener: Listener, *, batch: BatchListener | None = None) -> Listener:
    """Register a listener; ``batch`` takes many events at once (a spreadsheet import) in one pass."""
    _listeners.append((listener, batch))
    return listener


def unsubscribe(listener: Listener) -> None:
    _listeners[:] = [(known, batch) for known, batch in _listeners if known is not listener]


def current_rooms(session: Session, owner_id: int) -> tuple[int, ...]:
    return tuple(session.exec(select(Ownership.room_id).where(Ownership.owner_id == owner_id,
                                                              col(Ownership.ended_on).is_(None))).all())


def publish(session: Session, event: OwnerEvent) -> None:
    for listener, _ in _listeners:
        listener(session, event)


def publish_all(session: Session, events: list[OwnerEvent]) -> None:
    """Many events in the same transaction, handed over together to listeners that can take a batch."""
    for listener, batch in _listeners:
        if batch is not None:
            batch(session, events)
        else:
            for event in events:
                listener(session, event)


def owner_event(kind: str, owner_id: int, room_ids: Iterable[int], actor_name: str, key: str,
                **params: Any) -> OwnerEvent:
    """An event whose text comes from the catalog (``owners.event.*``), never built in code."""
    params = {name: str(value) for name, value in params.items()}
    return OwnerEvent(kind, owner_id, tuple(room_ids), translate(key, DEFAULT_LANGUAGE, **params).strip(),
                      actor_name, key, params)


def announce(session: Session, kind: str, owner_id: int, room_ids: Iterable[int], actor_name: str, key: str,
             **params: Any) -> None:
    publish(session, owner_event(kind, owner_id, room_ids, actor_name, key, **params))
