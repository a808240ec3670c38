"""巡检计划 (managers): the schedules, the equipment register and the checklists of the communities in view (the
header's switcher narrows them), each with its dialog."""

from __future__ import annotations

from typing import Any, ClassVar

import reflex as rx
from sqlmodel import Session

from pm_admin.core.base_state import ProtectedState
from pm_admin.core.choices import select_options
from pm_admin.core.clock import local_today
from pm_admin.core.db import read_only
from pm_admin.core.dialog_form import DialogForm, close_dialogs
from pm_admin.core.guard import requires
from pm_admin.core.ids import optional_id
from pm_admin.core.paged_state import PagedMixin, first_pages
from pm_admin.core.paging import Page, PageRequest
from pm_admin.core.permissions import Perm
from pm_admin.core.scoping import load_scoped
from pm_admin.inspections.models import Equipment, InspectionSchedule, InspectionTemplate
from pm_admin.inspections.queries import setup as queries
from pm_admin.inspections.services import setup
from pm_admin.places.queries import building_options, community_options
from pm_admin.tickets.queries import department_options

NONE = "none"  # a select's "not chosen" (a select item's value cannot be empty)


class SetupState(ProtectedState):
    @requires(Perm.INSPECTIONS_MANAGE)
    async def load(self):
        await close_dialogs(self)
        await first_pages(self, *SETUP_LISTS)

    def _communities(self) -> list[dict[str, str]]:
        with read_only() as session:
            return select_options(community_options(session, self.principal, whole_scope=False))


class SchedulesList(PagedMixin, SetupState):
    _PAGE_PERMISSION: ClassVar[str] = Perm.INSPECTIONS_MANAGE

    def _fetch(self, session: Session, request: PageRequest) -> Page:
        return queries.schedules(session, self.principal, request)


class EquipmentList(PagedMixin, SetupState):
    _PAGE_PERMISSION: ClassVar[str] = Perm.INSPECTIONS_MANAGE

    def _fetch(self, session: Session, request: PageRequest) -> Page:
        return queries.equipment(session, self.principal, request)


class TemplatesList(PagedMixin, SetupState):
    _PAGE_PERMISSION: ClassVar[str] = Perm.INSPECTIONS_MANAGE

    def _fetch(self, session: Session, request: PageRequest) -> Page:
        return queries.templates(session, self.principal, request, self.lang)


SETUP_LISTS = (SchedulesList, EquipmentList, TemplatesList)


class _SetupDialog(DialogForm, mixin=True):
    def _saved(self, result: Any = None):
        self._close()
        return [rx.toast.success(self._tr(self._SAVED)), *[listing.refresh for listing in SETUP_LISTS]]


def _with_none(options: list[dict[str, str]]) -> list[dict[str, str]]:
    return [{"value": NONE, "label": "—"}, *options]


class EquipmentForm(_SetupDialog, SetupState):
    community_choices: list[dict[str, str]] = []
    building_choices: list[dict[str, str]] = []
    _CHECKBOXES: ClassVar[frozenset[str]] = frozenset({"is_active"})

    def _buildings(self, community_id: int | None) -> None:
        with read_only() as session:
            self.building_choices = _with_none(select_options(building_options(session, self.principal, community_id))
                                               if community_id else [])

    @requires(Perm.INSPECTIONS_MANAGE)
    def open_new(self):
        self.community_choices = self._communities()
        community = self.community_choices[0]["value"] if self.community_choices else ""
        self._buildings(optional_id(community))
        self._open({"community_id": community, "building_id": NONE, "name": "", "kind": "elevator", "location": "",
                    "is_active": True})

    @requires(Perm.INSPECTIONS_MANAGE)
    def open_edit(self, equipment_id: int):
        with read_only() as session:
            row = load_scoped(session, Equipment, equipment_id, self.principal, entity="inspection_equipment")
        self.community_choices = self._communities()
        self._buildings(row.community_id)
        self._open({"community_id": str(row.community_id), "building_id": str(row.building_id or NONE),
                    "name": row.name, "kind": str(row.kind), "location": row.location, "is_active": row.is_active},
                   record_id=row.id, version=row.version, subject={"name": row.name})

    @requires(Perm.INSPECTIONS_MANAGE)
    def pick_community(self, value: str):
        self.values = {**self.values, "community_id": value, "building_id": NONE}
        self._buildings(optional_id(value))
        self.form_key += 1

    @requires(Perm.INSPECTIONS_MANAGE)
    def save(self, form: dict[str, Any]):
        data = setup.EquipmentInput(community_id=str(form.get("community_id", "")),
                                    building_id=str(form.get("building_id", "")), name=str(form.get("name", ""))[:100],
                                    kind=str(form.get("kind", "")), location=str(form.get("location", ""))[:200],
                                    is_active=form.get("is_active") in (True, "on", "true") or not self.editing)
        record_id, version = self._record_id, self._version
        if self.editing:
            return self._submit(form, lambda session: setup.update_equipment(
                session, actor=self.principal, equipment_id=record_id, expected_version=version, data=data))
        return self._submit(form, lambda session: setup.create_equipment(session, actor=self.principal, data=data))


class ScheduleForm(_SetupDialog, SetupState):
    """A new schedule (community, checklist, place, how often, who, from when), or a stored one's how often, who,
    from when and whether it runs (the place and the checklist stay)."""

    community_choices: list[dict[str, str]] = []
    template_choices: list[dict[str, str]] = []
    equipment_choices: list[dict[str, str]] = []
    building_choices: list[dict[str, str]] = []
    assignee_choices: list[dict[str, str]] = []
    _CHECKBOXES: ClassVar[frozenset[str]] = frozenset({"is_active"})

    def _choices(self, community_id: int | None) -> None:
        with read_only() as session:
            self.template_choices = queries.template_options(session, self.principal, community_id)
            self.equipment_choices = _with_none(queries.equipment_options(session, self.principal, community_id))
            self.building_choices = _with_none(select_options(building_options(session, self.principal, community_id))
                                               if community_id else [])
            self.assignee_choices = _with_none(queries.inspector_options(session, self.principal, community_id))

    @requires(Perm.INSPECTIONS_MANAGE)
    def open_new(self):
        self.community_choices = self._communities()
        community = self.community_choices[0]["value"] if self.community_choices else ""
        self._choices(optional_id(community))
        self._open({"community_id": community, "template_id": "", "equipment_id": NONE, "building_id": NONE,
                    "recurrence": "", "assignee_id": NONE, "starts_on": local_today().isoformat(), "is_active": True})

    @requires(Perm.INSPECTIONS_MANAGE)
    def open_edit(self, schedule_id: int):
        with read_only() as session:
            row = load_scoped(session, InspectionSchedule, schedule_id, self.principal, entity="inspection_schedule")
            template = session.get(InspectionTemplate, row.template_id)
        self._choices(row.community_id)
        self._open({"recurrence": str(row.recurrence), "assignee_id": str(row.assignee_id or NONE),
                    "starts_on": row.starts_on.isoformat(), "is_active": row.is_active},
                   record_id=row.id, version=row.version, subject={"template": template.name})

    @requires(Perm.INSPECTIONS_MANAGE)
    def pick_community(self, value: str):
        self.values = {**self.values, "community_id": value, "template_id": "", "equipment_id": NONE,
                       "building_id": NONE, "assignee_id": NONE}
        self._choices(optional_id(value))
        self.form_key += 1

    @requires(Perm.INSPECTIONS_MANAGE)
    def save(self, form: dict[str, Any]):
        fields = {key: str(form.get(key, ""))[:40] for key in (
            "community_id", "template_id", "equipment_id", "building_id", "recurrence", "assignee_id", "starts_on")}
        data = setup.ScheduleInput(**fields, is_active=form.get("is_active") in (True, "on", "true") or not self.editing)
        record_id, version = self._record_id, self._version
        if self.editing:
            return self._submit(form, lambda session: setup.update_schedule(
                session, actor=self.principal, schedule_id=record_id, expected_version=version, data=data))
        return self._submit(form, lambda session: setup.create_schedule(session, actor=self.principal, data=data))


class TemplateForm(_SetupDialog, SetupState):
    """A community's own checklist; the company's (from the seeds) open as the start of a community's copy."""

    community_choices: list[dict[str, str]] = []
    department_choices: list[dict[str, str]] = []
    _CHECKBOXES: ClassVar[frozenset[str]] = frozenset({"is_active"})

    def _open_template(self, values: dict[str, Any], **kwargs: Any) -> None:
        self.community_choices = self._communities()
        with read_only() as session:
            self.department_choices = _with_none(department_options(session, self.lang))
        self._open(values, **kwargs)

    @requires(Perm.INSPECTIONS_MANAGE)
    def open_new(self):
        community = (self._communities() or [{"value": ""}])[0]["value"]
        self._open_template({"community_id": community, "name": "", "category": "general", "recurrence": "monthly",
                             "rectify_days": "7", "department_id": NONE, "items": "", "is_active": True})

    @requires(Perm.INSPECTIONS_MANAGE)
    def open_template(self, template_id: int):
        with read_only() as session:
            row = queries.template_form(session, self.principal, template_id)
        values = {key: row[key] for key in ("category", "recurrence", "rectify_days")} | {
            "department_id": row["department_id"] or NONE, "items": row["items_text"], "is_active": row["active"]}
        if row["company_wide"]:  # the seeds' checklists stay as written: this starts a community's own copy
            community = (self._communities() or [{"value": ""}])[0]["value"]
            self._open_template(values | {"community_id": community, "name": row["name"]},
                                subject={"based_on": row["name"]})
        else:
            self._open_template(values | {"community_id": row["community_id"], "name": row["name"]},
                                record_id=row["id"], version=row["version"], subject={"based_on": ""})

    @requires(Perm.INSPECTIONS_MANAGE)
    def save(self, form: dict[str, Any]):
        fields = {key: str(form.get(key, ""))[:40] for key in ("community_id", "category", "recurrence",
                                                                "rectify_days", "department_id")}
        data = setup.TemplateInput(**fields, name=str(form.get("name", ""))[:100],
                                   items=str(form.get("items", ""))[:15000],
                                   is_active=form.get("is_active") in (True, "on", "true") or not self.editing)
        record_id, version = self._record_id, self._version
        if self.editing:
            return self._submit(form, lambda session: setup.update_template(
                session, actor=self.principal, template_id=record_id, expected_version=version, data=data))
        return self._submit(form, lambda session: setup.create_template(session, actor=self.principal, data=data))
