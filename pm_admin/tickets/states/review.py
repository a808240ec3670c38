"""日清日审: the day's late and nearly late tickets by department, today's figures, XLSX export."""

from __future__ import annotations

from datetime import date
from typing import Any

from pm_admin.core.base_state import ProtectedState
from pm_admin.core.clock import local_today
from pm_admin.core.db import read_only
from pm_admin.core.guard import requires
from pm_admin.core.permissions import Perm
from pm_admin.tickets.services.review import daily_review


class DailyReviewState(ProtectedState):
    day: str = ""
    figures: dict[str, int] = {}
    groups: list[dict[str, Any]] = []
    truncated: bool = False

    @requires(Perm.TICKETS_REVIEW)
    def load(self):
        with read_only() as session:
            review = daily_review(session, self.principal, language=self.lang)
        self.day, self.figures, self.groups = review["day"], review["figures"], review["groups"]
        self.truncated = review["truncated"]

    @requires(Perm.TICKETS_REVIEW)
    def export(self):
        day = date.fromisoformat(self.day) if self.day else local_today()
        return self._start_download("ticket_review", {"day": day.isoformat(), "language": self.lang})
