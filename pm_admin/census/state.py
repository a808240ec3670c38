"""Census page state: my tasks this quarter, opening a quarter, completion per community."""

from __future__ import annotations

from typing import Any, ClassVar

import reflex as rx

from pm_admin.census import queries, services
from pm_admin.core.base_state import ProtectedState
from pm_admin.core.db import read_only, unit_of_work
from pm_admin.core.errors import ConcurrencyConflict, ValidationFailed
from pm_admin.core.guard import requires
from pm_admin.core.ids import NO_CHOICE, required_id
from pm_admin.core.paged_state import PagedMixin
from pm_admin.core.permissions import Perm
from pm_admin.dashboards.periods import local_today
from pm_admin.places.queries import community_options


class CensusState(PagedMixin, ProtectedState):
    _PAGE_PERMISSION: ClassVar[str] = Perm.CENSUS_WORK
    quarter: str = ""
    heading: str = ""  # 普查季度：2026年第4季度 — the whole sentence from the catalog
    mine: bool = True
    pending_only: bool = True
    completion: list[dict[str, Any]] = []
    community_choices: list[dict[str, str]] = []
    can_manage: bool = False
    completing: dict[str, Any] = {}  # the task whose result is being entered: id, changed, room, owner, version
    completing_open: bool = False  # apart from ``completing``: a closing dialog keeps its text while it fades
    note_error: str = ""
    dialog_key: int = 0

    def _load(self) -> None:
        principal = self.principal
        with read_only() as session:
            self._show(queries.tasks(session, principal, self._page_request(), queries.TaskFilter(
                quarter=self.quarter, mine=self.mine, pending_only=self.pending_only)))
            self.completion = [row.model_dump() for row in queries.completion(session, principal, self.quarter)]

    @requires(Perm.CENSUS_WORK)
    def load(self):
        principal = self.principal
        self.quarter = services.quarter_of(local_today())
        year, number = self.quarter.split("Q")
        self.heading = self._tr("census.heading", quarter=self._tr("census.quarter_label", year=year, number=number))
        self.can_manage = principal.has(Perm.CENSUS_MANAGE)
        self.mine, self.completing_open = not self.can_manage, False
        if self.can_manage:
            with read_only() as session:
                self.community_choices = [{"value": str(c), "label": n}
                                          for c, n in community_options(session, principal, whole_scope=False)]
        self._load()

    @requires(Perm.CENSUS_WORK)
    def set_mine(self, value: bool):
        self.mine, self.page = bool(value), 1
        self._load()

    @requires(Perm.CENSUS_WORK)
    def set_pending_only(self, value: bool):
        self.pending_only, self.page = bool(value), 1
        self._load()

    @requires(Perm.CENSUS_MANAGE)
    def open_quarter(self, form: dict[str, Any]):
        community = form.get("community_id", "")
        if community in NO_CHOICE:
            return rx.toast.error(self._tr("error.required"))
        with unit_of_work() as session:
            created = services.open_quarter(session, actor=self.principal, community_id=required_id(community),
                                            quarter=self.quarter)
        self._load()
        return rx.toast.success(self._tr("census.opened", count=created))

    @requires(Perm.CENSUS_WORK)
    def open_complete(self, task_id: int, changed: bool):
        """The result dialog: a note, and for "changed" the changes the registry recorded."""
        row = self._row(task_id) or {}
        self.completing = {"id": int(task_id), "changed": bool(changed), "room_code": row.get("room_code", ""),
                           "owner_name": row.get("owner_name", ""), "version": row.get("version")}
        self.note_error, self.dialog_key = "", self.dialog_key + 1
        self.completing_open = True

    @requires()
    def close_complete(self, _open: bool = False):
        self.completing_open = False

    @requires(Perm.CENSUS_WORK)
    def complete(self, form: dict[str, Any]):
        if not self.completing_open or "id" not in self.completing:  # no dialog open: nothing to complete
            return None
        task = self.completing
        # The service decides (scope, assignee, state): a crafted id is refused there, and audited.
        try:
            with unit_of_work() as session:
                services.complete_task(session, actor=self.principal, task_id=int(task["id"]),
                                       changed=bool(task["changed"]), note=str(form.get("note", "")),
                                       expected_version=task.get("version"))
        except ValidationFailed as error:
            messages = self._field_messages(error)
            if "census.already_done_by" in {key for key, _ in error.fields.values()}:
                self.completing_open = False
                self._load()
                return rx.toast.error(next(iter(messages.values())))
            self.note_error = next(iter(messages.values()))
            return None
        except ConcurrencyConflict:
            self.completing_open = False
            self._load()
            return rx.toast.error(self._tr("error.conflict"))
        self.completing_open = False
        self._load()
        return rx.toast.success(self._tr("common.saved"))
