"""Place changes other features react to in the same transaction: who does a community's household work
(its census and arrears follow-ups) changed — the community's choice of role, or a building's steward.

Listeners register at import time; ``pm_admin.wiring`` imports every listener module.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session

from pm_admin.core.permissions import Principal

Listener = Callable[[Session, int, Principal | None], None]
_listeners: list[Listener] = []


def on_household_work_change(listener: Listener) -> Listener:
    """Register ``listener(session, community_id, actor)``."""
    _listeners.append(listener)
    return listener


def household_work_changed(session: Session, community_id: int, actor: Principal | None) -> None:
    for listener in _listeners:
        listener(session, community_id, actor)
