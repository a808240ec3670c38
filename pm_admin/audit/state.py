"""Audit page state."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from pm_admin.audit.queries import AuditFilter, list_events
from pm_admin.core.base_state import ProtectedState
from pm_admin.core.db import read_only
from pm_admin.core.guard import requires
from pm_admin.core.paged_state import PagedMixin
from pm_admin.core.permissions import Perm

OUTCOMES = ["ok", "denied", "failed"]


def _day(value: str, *, end: bool = False) -> datetime | None:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return None
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return start + timedelta(days=1) if end else start


class AuditState(PagedMixin, ProtectedState):
    action: str = ""
    actor: str = ""
    entity_type: str = ""
    entity_id: str = ""
    outcome: str = ""
    since: str = ""
    until: str = ""

    def _load(self) -> None:
        filters = AuditFilter(action=self.action, actor=self.actor, entity_type=self.entity_type,
                              entity_id=self.entity_id, outcome=self.outcome,
                              since=_day(self.since), until=_day(self.until, end=True))
        with read_only() as session:
            self._show(list_events(session, self.principal, self._page_request(), filters))

    @requires(Perm.AUDIT_VIEW)
    def load(self):
        self._load()

    @requires(Perm.AUDIT_VIEW)
    def apply_filters(self, form: dict[str, Any]):
        self.action = str(form.get("action", "")).strip()[:64]
        self.actor = str(form.get("actor", "")).strip()[:64]
        self.entity_type = str(form.get("entity_type", "")).strip()[:32]
        self.entity_id = str(form.get("entity_id", "")).strip()[:64]
        outcome = str(form.get("outcome", ""))
        self.outcome = outcome if outcome in OUTCOMES else ""
        self.since = str(form.get("since", ""))[:10]
        self.until = str(form.get("until", ""))[:10]
        self.page = 1
        self._load()

    @requires(Perm.AUDIT_VIEW)
    def clear_filters(self):
        self.action = self.actor = self.entity_type = self.entity_id = self.outcome = self.since = self.until = ""
        self.page = 1
        self._load()
