"""Audit page state: filters that live in the URL (home cards link to filtered views), one page of rows."""

from __future__ import annotations

import json
from datetime import date
from typing import Any, ClassVar
from urllib.parse import urlencode

import reflex as rx

from pm_admin.audit.queries import OUTCOMES, AuditFilter, action_codes, entity_types, list_events
from pm_admin.core.base_state import ProtectedState
from pm_admin.core.db import read_only
from pm_admin.core.guard import requires
from pm_admin.core.ids import optional_id
from pm_admin.core.paged_state import PagedMixin
from pm_admin.core.permissions import Perm
from pm_admin.places.queries import community_options

FILTER_KEYS = ("action", "actor", "entity_type", "entity_id", "outcome", "community", "since", "until")
PICKED = {"action": action_codes, "entity_type": entity_types, "outcome": lambda: list(OUTCOMES)}


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


class AuditState(PagedMixin, ProtectedState):
    _PAGE_PERMISSION: ClassVar[str] = Perm.AUDIT_VIEW
    filters: dict[str, str] = {key: "" for key in FILTER_KEYS}
    community_choices: list[dict[str, str]] = []
    form_key: int = 0  # remounts the filter form so its inputs show the current filters

    def _set_filters(self, values: dict[str, Any]) -> None:
        """Keep only values a filter can take: codes from the pickers, a community in scope, ISO days."""
        cleaned = {key: str(values.get(key, "") or "").strip()[:64] for key in FILTER_KEYS}
        for key, choices in PICKED.items():
            if cleaned[key] not in choices():
                cleaned[key] = ""
        if cleaned["community"] not in {c["value"] for c in self.community_choices}:
            cleaned["community"] = ""
        for key in ("since", "until"):
            cleaned[key] = cleaned[key] if _day(cleaned[key]) else ""
        self.filters = cleaned
        self.page, self.form_key = 1, self.form_key + 1

    def _load(self) -> None:
        f = self.filters
        filters = AuditFilter(action=f["action"], actor=f["actor"], entity_type=f["entity_type"],
                              entity_id=f["entity_id"], outcome=f["outcome"],
                              community_id=optional_id(f["community"]),
                              since=_day(f["since"]), until=_day(f["until"]))
        with read_only() as session:
            self._show(list_events(session, self.principal, self._page_request(), filters, self.lang))

    def _sync_url(self):
        params = {key: value for key, value in self.filters.items() if value}
        url = f"/audit?{urlencode(params)}" if params else "/audit"
        return rx.call_script(f"window.history.replaceState(null, '', {json.dumps(url)})")

    @requires(Perm.AUDIT_VIEW)
    def load(self):
        with read_only() as session:
            self.community_choices = [{"value": str(i), "label": name}
                                      for i, name in community_options(session, self.principal, whole_scope=False)]
        self._set_filters(dict(self.router.url.query_parameters))
        self._load()

    @requires(Perm.AUDIT_VIEW)
    def apply_filters(self, form: dict[str, Any]):
        # The pickers' "all" entry has a value (Radix refuses an empty one); it means no filter.
        self._set_filters({key: "" if value == "all" else value for key, value in form.items()})
        self._load()
        return self._sync_url()

    @requires(Perm.AUDIT_VIEW)
    def clear_filters(self):
        self._set_filters({})
        self._load()
        return self._sync_url()
