"""Census page state: my tasks this quarter, opening a quarter, completion per community."""

from __future__ import annotations

from typing import Any, ClassVar

import reflex as rx

from pm_admin.census import queries, services
from pm_admin.core.base_state import ProtectedState
from pm_admin.core.choices import select_options
from pm_admin.core.clock import local_today
from pm_admin.core.db import off_loop, read_only, unit_of_work
from pm_admin.core.dialog_form import DialogForm, close_dialogs
from pm_admin.core.errors import ConcurrencyConflict, ValidationFailed
from pm_admin.core.guard import requires
from pm_admin.core.ids import NO_CHOICE, required_id
from pm_admin.core.paged_state import PagedMixin
from pm_admin.core.permissions import Perm
from pm_admin.core.url_filters import UrlFilters
from pm_admin.places.queries import community_options


class CensusState(UrlFilters, PagedMixin, ProtectedState):
    _PAGE_PERMISSION: ClassVar[str] = Perm.CENSUS_WORK
    _PATH: ClassVar[str] = "/census"
    _FILTERS: ClassVar[tuple[str, ...]] = ("mine", "pending")
    _FLAGS: ClassVar[frozenset[str]] = frozenset({"mine", "pending"})
    quarter: str = ""
    heading: str = ""  # 普查季度：2026年第4季度 — the whole sentence from the catalog
    completion: list[dict[str, Any]] = []
    community_choices: list[dict[str, str]] = []
    can_manage: bool = False

    def _filter_defaults(self) -> dict[str, str]:
        """Pending tasks; a steward's or cs's own, a manager's of every community."""
        return {"mine": "" if self.principal.has(Perm.CENSUS_MANAGE) else "1", "pending": "1"}

    def _load(self) -> None:
        principal, f = self.principal, self.filters
        with read_only() as session:
            self._show(queries.tasks(session, principal, self._page_request(), queries.TaskFilter(
                quarter=self.quarter, mine=f.get("mine") == "1", pending_only=f.get("pending") == "1")))
            self.completion = [row.model_dump() for row in queries.completion(session, principal, self.quarter)]

    def _community_choices(self) -> list[dict[str, str]]:
        with read_only() as session:
            return select_options(community_options(session, self.principal, whole_scope=False))

    @requires(Perm.CENSUS_WORK)
    async def load(self):
        principal = self.principal
        self.quarter = services.quarter_of(local_today())
        year, number = self.quarter.split("Q")
        self.heading = self._tr("census.heading", quarter=self._tr("census.quarter_label", year=year, number=number))
        self.can_manage = principal.has(Perm.CENSUS_MANAGE)
        if self.can_manage:
            self.community_choices = await off_loop(self._community_choices)
        await close_dialogs(self)
        self._start_filters()
        await off_loop(self._load)

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


class CompleteForm(DialogForm, CensusState):
    """The census result of a task: a note, and for "changed" the changes the registry recorded. ``subject``:
    the room, the owner and whether it changed; the task's id and version stay on the server."""

    @requires(Perm.CENSUS_WORK)
    def open_complete(self, task_id: int, changed: bool):
        row = self._row(task_id) or {}
        self._open({"note": ""}, record_id=int(task_id), version=int(row.get("version") or 0),
                   subject={"changed": bool(changed), "room_code": row.get("room_code", ""),
                            "owner_name": row.get("owner_name", "")})

    @requires(Perm.CENSUS_WORK)
    def save(self, form: dict[str, Any]):
        # The service decides (scope, assignee, state): a crafted id is refused there, and audited.
        return self._submit(form, lambda session: services.complete_task(
            session, actor=self.principal, task_id=self._record_id, changed=bool(self.subject.get("changed")),
            note=str(form.get("note", "")), expected_version=self._version or None))

    def _refused(self, error: ValidationFailed | ConcurrencyConflict, submitted: dict[str, Any]):
        messages = self._field_messages(error) if isinstance(error, ValidationFailed) else {}
        if isinstance(error, ConcurrencyConflict) or "census.already_done_by" in {
                key for key, _ in error.fields.values()}:
            self._close()  # someone completed it meanwhile: say who, on the fresh list
            self._load()
            return rx.toast.error(next(iter(messages.values()), self._tr("error.conflict")))
        self._keep_input(submitted)
        self.errors = {"note": next(iter(messages.values()), "")}
        return None
