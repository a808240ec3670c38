"""我的巡检: a technician's checklists to work through today (and any left over), on a phone."""

from __future__ import annotations

from typing import Any

from pm_admin.core.base_state import ProtectedState
from pm_admin.core.db import off_loop, read_only
from pm_admin.core.guard import requires
from pm_admin.core.permissions import Perm
from pm_admin.inspections.queries.tasks import my_tasks


class MyInspectionsState(ProtectedState):
    tasks: list[dict[str, Any]] = []

    def _load(self) -> None:
        with read_only() as session:
            self.tasks = my_tasks(session, self.principal)

    @requires(Perm.INSPECTIONS_WORK)
    async def load(self):
        await off_loop(self._load)
