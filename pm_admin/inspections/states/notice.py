"""The printable 《(火险)隐患整改通知书》 of a rectification."""

from __future__ import annotations

from typing import Any

from pm_admin.core.base_state import ProtectedState
from pm_admin.core.db import off_loop, read_only
from pm_admin.core.errors import DomainError
from pm_admin.core.guard import requires
from pm_admin.core.ids import route_id
from pm_admin.core.permissions import Perm
from pm_admin.inspections.queries.rectifications import notice


class RectificationNoticeState(ProtectedState):
    sheet: dict[str, Any] = {}
    missing: bool = False

    def _read(self, rectification_id: int) -> None:
        try:
            with read_only() as session:
                self.sheet, self.missing = notice(session, self.principal, rectification_id, self.lang), False
        except DomainError:
            self.sheet, self.missing = {}, True

    @requires(Perm.INSPECTIONS_VIEW)
    async def load(self):
        await off_loop(self._read, route_id(str(self.rx_router_page.params.get("rectification_id", ""))))
