"""Place changes other domains react to in the same transaction (subscribed in ``pm_admin.wiring``)."""

from __future__ import annotations

import dataclasses

from pm_admin.core.permissions import Principal


@dataclasses.dataclass(frozen=True)
class HouseholdWorkChanged:
    """Who does a community's household work (its census and arrears follow-ups) changed: the community's
    choice of role, or a building's steward."""

    community_id: int
    actor: Principal


@dataclasses.dataclass(frozen=True)
class RoomRenumbered:
    """A room's number or floor changed: its code and sort key are new (records kept in room order follow)."""

    room_id: int
    code: str
    sort_key: str
    actor: Principal
