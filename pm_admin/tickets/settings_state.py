"""Ticket settings 工单设置 (admin): category tree and routing, SLA matrix, department members."""

from __future__ import annotations

from typing import Any

import reflex as rx

from pm_admin.core.base_state import ProtectedState
from pm_admin.core.db import read_only, unit_of_work
from pm_admin.core.errors import NotFound, ValidationFailed
from pm_admin.core.guard import requires
from pm_admin.core.ids import is_id, optional_id
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
    # dialogs: "category" | "sla" | "members"
    dialog: str = ""
    dialog_key: int = 0
    target: dict[str, Any] = {}
    errors: dict[str, str] = {}
    chosen: list[str] = []

    def _load(self) -> None:
        with read_only() as session:
            self.categories = catalog.category_tree(session, self.lang)
            self.matrix = catalog.sla_matrix(session, self.lang)
            self.departments = catalog.departments_with_members(session)
            self.kinds = catalog.kind_settings(session, self.lang)
            self.department_choices = queries.department_options(session, self.lang)
            self.staff = queries.assignee_options(session, self.principal, None)

    def _open(self, dialog: str, target: dict[str, Any]) -> None:
        self.dialog, self.target, self.errors = dialog, target, {}
        self.dialog_key += 1

    def _saved(self):
        self.dialog = ""
        self._load()
        return rx.toast.success(self._tr("common.saved"))

    @requires(Perm.TICKETS_SETTINGS)
    def load(self):
        self.dialog = ""
        self._load()

    @requires()
    def close_dialog(self, _open: bool = False):
        self.dialog = ""

    # ------------------------------------------------------------ categories

    @requires(Perm.TICKETS_SETTINGS)
    def open_category(self, category_id: int):
        row = next((c for c in self.categories if c["id"] == category_id), None)
        if category_id and row is None:
            raise NotFound("category")
        row = row or {"id": 0, "name_zh": "", "name_en": "", "parent_id": 0, "department_id": 0,
                      "round_robin": False, "is_active": True}
        self._open("category", {**row, "parent_id": str(row["parent_id"] or ""),
                                "department_id": str(row["department_id"] or "")})

    @requires(Perm.TICKETS_SETTINGS)
    def save_category(self, form: dict[str, Any]):
        submitted = {key: str(form.get(key, "")) for key in CATEGORY_FIELDS}
        flags = {"round_robin": form.get("round_robin") in (True, "on"), "is_active": form.get("is_active") in (True, "on")}
        data = catalog.CategoryInput(**submitted, **flags)
        try:
            with unit_of_work() as session:
                catalog.save_category(session, actor=self.principal, category_id=optional_id(self.target.get("id")) or None,
                                      data=data)
        except ValidationFailed as error:
            self.target, self.errors = {**self.target, **submitted, **flags}, self._field_messages(error)
            self.dialog_key += 1
            return None
        return self._saved()

    # ------------------------------------------------------------ SLA matrix

    @requires(Perm.TICKETS_SETTINGS)
    def open_target(self, category_id: int, tier: str):
        row = next((r for r in self.matrix if r["category_id"] == category_id), None)
        if row is None or tier not in row:
            raise NotFound("sla")
        cell = row[tier]
        self._open("sla", {"category_id": category_id, "label": row["label"], "tier": tier, "own": cell["own"],
                           "respond": str(cell["respond"]), "onsite": str(cell["onsite"]),
                           "resolve": str(cell["resolve"])})

    @requires(Perm.TICKETS_SETTINGS)
    def save_target(self, form: dict[str, Any]):
        submitted = {key: str(form.get(key, "")) for key in ("respond", "onsite", "resolve")}
        try:
            with unit_of_work() as session:
                catalog.set_target(session, actor=self.principal, tier=str(self.target["tier"]),
                                   category_id=int(self.target["category_id"]) or None, **submitted)
        except ValidationFailed as error:
            self.target, self.errors = {**self.target, **submitted}, self._field_messages(error)
            self.dialog_key += 1
            return None
        return self._saved()

    @requires(Perm.TICKETS_SETTINGS)
    def reset_target(self):
        category_id = int(self.target.get("category_id") or 0)
        if category_id:
            with unit_of_work() as session:
                catalog.clear_target(session, actor=self.principal, tier=str(self.target["tier"]),
                                     category_id=category_id)
        return self._saved()

    # ------------------------------------------------------------ department members

    @requires(Perm.TICKETS_SETTINGS)
    def open_members(self, department_id: int):
        department = next((d for d in self.departments if d["id"] == department_id), None)
        if department is None:
            raise NotFound("department")
        self.chosen = [str(m["id"]) for m in department["members"]]
        self._open("members", {"id": department_id, "name": department["name"]})

    @requires(Perm.TICKETS_SETTINGS)
    def toggle_member(self, user_id: str, on: bool):
        self.chosen = sorted({*self.chosen, user_id} if on else set(self.chosen) - {user_id})

    @requires(Perm.TICKETS_SETTINGS)
    def save_members(self):
        with unit_of_work() as session:
            catalog.set_members(session, actor=self.principal, department_id=int(self.target["id"]),
                                user_ids=[int(u) for u in self.chosen if is_id(u)])
        return self._saved()

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
        return self._saved()
