"""Audit page state: filters that live in the URL (home cards link to filtered views), one page of rows."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from sqlmodel import Session

from pm_admin.audit.queries import OUTCOMES, AuditFilter, action_codes, entity_types, list_events
from pm_admin.core.base_state import ProtectedState
from pm_admin.core.guard import requires
from pm_admin.core.ids import optional_id
from pm_admin.core.paged_state import PagedMixin
from pm_admin.core.paging import Page, PageRequest
from pm_admin.core.permissions import Perm
from pm_admin.core.url_filters import Picker, UrlFilters
from pm_admin.places.pickers import COMMUNITY_PICKER

FILTER_KEYS = ("action", "actor", "entity_type", "entity_id", "outcome", "community", "since", "until")
PICKED = {"action": action_codes, "entity_type": entity_types, "outcome": lambda: list(OUTCOMES)}


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


class AuditState(UrlFilters, PagedMixin, ProtectedState):
    _PAGE_PERMISSION: ClassVar[str] = Perm.AUDIT_VIEW
    _PATH: ClassVar[str] = "/audit"
    _FILTERS: ClassVar[tuple[str, ...]] = FILTER_KEYS
    _ID_FILTERS: ClassVar[frozenset[str]] = frozenset({"community"})
    _PICKERS: ClassVar[tuple[Picker, ...]] = (COMMUNITY_PICKER,)

    def _clean_filter(self, key: str, value: str) -> str:
        """Only values a filter can take: codes from the pickers, ISO days."""
        if key in PICKED:
            return value if value in PICKED[key]() else ""
        if key in ("since", "until"):
            return value.strip() if _day(value.strip()) else ""
        return super()._clean_filter(key, value)

    def _fetch(self, session: Session, request: PageRequest) -> Page:
        f = self.filters
        in_scope = {c["value"] for c in self.choices.get("community", [])}
        filters = AuditFilter(action=f.get("action", ""), actor=f.get("actor", ""),
                              entity_type=f.get("entity_type", ""), entity_id=f.get("entity_id", ""),
                              outcome=f.get("outcome", ""),
                              community_id=optional_id(f.get("community")) if f.get("community") in in_scope else None,
                              since=_day(f.get("since", "")), until=_day(f.get("until", "")))
        return list_events(session, self.principal, request, filters, self.lang)

    @requires(Perm.AUDIT_VIEW)
    def load(self):
        self._start_filters()
        self._load()
