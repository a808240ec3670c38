"""Ticket settings 工单设置 (admin): category tree and routing, SLA matrix, department members."""

from __future__ import annotations

from typing import Any, ClassVar

import reflex as rx

from pm_admin.core.base_state import ProtectedState
from pm_admin.core.db import off_loop, read_only, unit_of_work
from pm_admin.core.dialog_form import DialogForm, close_dialogs
from pm_admin.core.errors import NotFound, ValidationFailed
from pm_admin.core.guard import requires
from pm_admin.core.ids import is_id
from pm_admin.core.permissions import Perm
from pm_admin.tickets import queries
from pm_admin.tickets.services import catalog

CATEGORY_FIELDS = ("name_zh", "name_en", "parent_id", "department_id")


class TicketSettingsState(ProtectedState):
    categories: list[dict[str, Any]] = []
    matrix: list[dict[str, Any]] = []
    departments: list[dict[str, Any]] = []
    kinds: list[dict[str, Any]] = []
    kind_errors: dict[str, str] = {}  # kind → message beside its row
    department_choices: list[dict[str, str]] = []
    staff: list[dict[str, str]] = []

    def _load(self) -> None:
        with read_only() as session:
            self.categories = catalog.category_tree(session, self.lang)
            self.matrix = catalog.sla_matrix(session, self.lang)
            self.departments = catalog.departments_with_members(session)
            self.kinds = catalog.kind_settings(session, self.lang)
            self.department_choices = queries.department_options(session, self.lang)
            self.staff = queries.assignee_options(session, self.principal, None)

    def _saved_settings(self):
        self._load()
        return rx.toast.success(self._tr("common.saved"))

    @requires(Perm.TICKETS_SETTINGS)
    async def load(self):
        await close_dialogs(self)
        await off_loop(self._load)

    # ------------------------------------------------------------ callbacks per kind

    @requires(Perm.TICKETS_SETTINGS)
    def save_kind(self, form: dict[str, Any]):
        kind = str(form.get("kind", ""))
        try:
            with unit_of_work() as session:
                catalog.save_kind_setting(session, actor=self.principal, kind=kind,
                                          needs_callback=bool(form.get("needs_callback")),
                                          callback_days=str(form.get("callback_days", "")))
        except ValidationFailed as error:
            self.kind_errors = {kind: next(iter(self._field_messages(error).values()))}
            return None
        self.kind_errors = {}
        return self._saved_settings()


class CategoryForm(DialogForm, TicketSettingsState):
    """A category: names, parent, the department its tickets go to, round robin, active."""

    _CHECKBOXES: ClassVar[frozenset[str]] = frozenset({"round_robin", "is_active"})

    @requires(Perm.TICKETS_SETTINGS)
    def open_category(self, category_id: int):
        row = next((c for c in self.categories if c["id"] == category_id), None)
        if category_id and row is None:
            raise NotFound("category")
        row = row or {"id": 0, "name_zh": "", "name_en": "", "parent_id": 0, "department_id": 0,
                      "round_robin": False, "is_active": True}
        self._open({"name_zh": row["name_zh"], "name_en": row["name_en"], "parent_id": str(row["parent_id"] or ""),
                    "department_id": str(row["department_id"] or ""), "round_robin": row["round_robin"],
                    "is_active": row["is_active"]}, record_id=row["id"])

    @requires(Perm.TICKETS_SETTINGS)
    def save(self, form: dict[str, Any]):
        data = catalog.CategoryInput(**{key: str(form.get(key, "")) for key in CATEGORY_FIELDS},
                                     round_robin=form.get("round_robin") in (True, "on"),
                                     is_active=form.get("is_active") in (True, "on"))
        return self._submit(form, lambda session: catalog.save_category(
            session, actor=self.principal, category_id=self._record_id or None, data=data))


class TargetForm(DialogForm, TicketSettingsState):
    """One cell of the SLA matrix: response, on-site and resolution minutes of a tier (and category)."""

    @requires(Perm.TICKETS_SETTINGS)
    def open_target(self, category_id: int, tier: str):
        row = next((r for r in self.matrix if r["category_id"] == category_id), None)
        if row is None or tier not in row:
            raise NotFound("sla")
        cell = row[tier]
        self._open({"respond": str(cell["respond"]), "onsite": str(cell["onsite"]), "resolve": str(cell["resolve"])},
                   record_id=category_id, subject={"category_id": category_id, "label": row["label"], "tier": tier,
                                                   "own": cell["own"]})

    @requires(Perm.TICKETS_SETTINGS)
    def save(self, form: dict[str, Any]):
        minutes = {key: str(form.get(key, "")) for key in ("respond", "onsite", "resolve")}
        return self._submit(form, lambda session: catalog.set_target(
            session, actor=self.principal, tier=str(self.subject["tier"]), category_id=self._record_id or None,
            **minutes))

    @requires(Perm.TICKETS_SETTINGS)
    def reset_target(self):
        if self.opened and self._record_id:
            with unit_of_work() as session:
                catalog.clear_target(session, actor=self.principal, tier=str(self.subject["tier"]),
                                     category_id=self._record_id)
        return self._saved()


class MembersForm(DialogForm, TicketSettingsState):
    """Who works in a department: ticked one by one, saved together."""

    chosen: list[str] = []

    @requires(Perm.TICKETS_SETTINGS)
    def open_members(self, department_id: int):
        department = next((d for d in self.departments if d["id"] == department_id), None)
        if department is None:
            raise NotFound("department")
        self.chosen = [str(m["id"]) for m in department["members"]]
        self._open({}, record_id=department_id, subject={"name": department["name"]})

    @requires(Perm.TICKETS_SETTINGS)
    def toggle_member(self, user_id: str, on: bool):
        self.chosen = sorted({*self.chosen, user_id} if on else set(self.chosen) - {user_id})

    @requires(Perm.TICKETS_SETTINGS)
    def save(self, form: dict[str, Any]):
        return self._submit(form, lambda session: catalog.set_members(
            session, actor=self.principal, department_id=self._record_id,
            user_ids=[int(u) for u in self.chosen if is_id(u)]))
