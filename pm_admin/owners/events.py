"""Owner registry events other domains react to in the same transaction (archive tracking), subscribed in
``pm_admin.wiring``."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

from sqlmodel import Session, col, select

from pm_admin.core.events import publish
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


def current_rooms(session: Session, owner_id: int) -> tuple[int, ...]:
    return tuple(session.exec(select(Ownership.room_id).where(Ownership.owner_id == owner_id,
                                                              col(Ownership.ended_on).is_(None))).all())


def owner_event(kind: str, owner_id: int, room_ids: Iterable[int], actor_name: str, key: str,
                **params: Any) -> OwnerEvent:
    """An event whose text comes from the catalog (``owners.event.*``), never built in code."""
    params = {name: str(value) for name, value in params.items()}
    return OwnerEvent(kind, owner_id, tuple(room_ids), translate(key, DEFAULT_LANGUAGE, **params).strip(),
                      actor_name, key, params)


def announce(session: Session, kind: str, owner_id: int, room_ids: Iterable[int], actor_name: str, key: str,
             **params: Any) -> None:
    publish(session, owner_event(kind, owner_id, room_ids, actor_name, key, **params))
