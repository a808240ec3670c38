"""The header's global search and reminders bell (thin: check, call ``home.search`` / ``home.reminders``, show)."""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

from pm_admin.core.base_state import ProtectedState
from pm_admin.core.db import read_only, unit_of_work
from pm_admin.core.guard import requires
from pm_admin.home import search
from pm_admin.home.reminders import reminders


class GlobalSearchState(ProtectedState):
    """The palette's results. The text typed is not kept: a phone or ID number stays in the browser's box only."""

    _ANY_GROUP: ClassVar[tuple[str, ...]] = tuple(permission for _, permission in search.GROUPS)
    groups: list[dict[str, Any]] = []  # [{key, hits: [{title, detail, href, tag_key}]}], groups with hits only
    searched: bool = False
    throttled: bool = False

    @requires(_ANY_GROUP)
    def reset_results(self, _open: bool = True):
        self.groups, self.searched, self.throttled = [], False, False

    @requires(_ANY_GROUP)
    def search(self, text: str):
        text = str(text)[:search.MAX_TEXT * 2]
        opener = unit_of_work if search.needs_writing(text) else read_only
        with opener() as session:
            result = search.global_search(session, self.principal, text)
        self.groups = [{"key": group.key, "hits": [dataclasses.asdict(hit) for hit in group.hits]}
                       for group in result.groups if group.hits]
        self.searched = bool(text.strip())
        self.throttled = result.throttled



class BellState(ProtectedState):
    """The reminders bell: counted when a page loads (``pages`` puts ``load`` after the page's own)."""

    items: list[dict[str, Any]] = []
    total: int = 0

    @requires()
    def load(self):
        with read_only() as session:
            found = reminders(session, self.principal)
        self.items = [dataclasses.asdict(item) for item in found if item.count > 0]
        self.total = sum(item.count for item in found)
