"""Home page state: the figures for the signed-in user's role and scope."""

from __future__ import annotations

from typing import Any

from pm_admin.core.base_state import ProtectedState
from pm_admin.core.db import read_only
from pm_admin.core.guard import requires
from pm_admin.home.queries import home_figures


class HomeState(ProtectedState):
    place_stats: list[dict[str, str]] = []
    occupancy: list[dict[str, Any]] = []
    staff_stats: list[dict[str, str]] = []
    role_counts: list[dict[str, str]] = []
    roles: list[str] = []

    @requires()
    def load(self):
        principal = self.principal
        with read_only() as session:
            figures = home_figures(session, principal)
        places = figures.places
        self.roles = sorted(principal.roles)
        self.place_stats = [
            {"key": "home.communities", "value": str(places.communities)},
            {"key": "home.buildings", "value": str(places.buildings)},
            {"key": "home.units", "value": str(places.units)},
            {"key": "home.rooms", "value": str(places.rooms)},
            {"key": "home.area", "value": places.area},
        ]
        self.occupancy = [
            {"value": occupancy, "count": number, "percent": round(100 * number / places.rooms) if places.rooms else 0}
            for occupancy, number in places.by_occupancy.items()
        ]
        self.staff_stats, self.role_counts = [], []
        if figures.users is not None:
            self.staff_stats = [
                {"key": "home.active_users", "value": str(figures.users.active)},
                {"key": "home.disabled_users", "value": str(figures.users.disabled)},
            ]
            self.role_counts = [{"value": role, "count": str(n)} for role, n in sorted(figures.users.by_role.items())]
        if figures.failed_logins_24h is not None:
            self.staff_stats.append(
                {"key": "home.failed_logins", "value": str(figures.failed_logins_24h)})
