"""Home page state: the figures for the signed-in user's roles and scope."""

from __future__ import annotations

import dataclasses
from typing import Any

from pm_admin.core.base_state import ProtectedState
from pm_admin.core.db import read_only
from pm_admin.core.guard import requires
from pm_admin.home.queries import home_figures


class HomeState(ProtectedState):
    sections: list[dict[str, Any]] = []
    occupancy: list[dict[str, Any]] = []
    role_counts: list[dict[str, str]] = []
    roles: list[str] = []

    @requires()
    def load(self):
        principal = self.principal
        with read_only() as session:
            figures = home_figures(session, principal)
        self.roles = sorted(principal.roles)
        self.sections = [dataclasses.asdict(section) for section in figures.sections]
        rooms = sum((figures.occupancy or {}).values())
        self.occupancy = [
            {"value": occupancy, "count": number, "percent": round(100 * number / rooms) if rooms else 0}
            for occupancy, number in (figures.occupancy or {}).items()
        ]
        self.role_counts = [{"value": role, "count": str(n)} for role, n in sorted((figures.users_by_role or {}).items())]
