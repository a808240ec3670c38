"""巡检计划: schedules (which checklist, where, how often, who), the equipment register, the checklists."""

from __future__ import annotations

import reflex as rx

from pm_admin.inspections.models import Category, EquipmentKind, Recurrence
from pm_admin.inspections.pages.parts import category_column
from pm_admin.inspections.states.setup import (
    EquipmentForm,
    EquipmentList,
    ScheduleForm,
    SchedulesList,
    TemplateForm,
    TemplatesList,
)
from pm_admin.ui.forms import form_dialog, form_field, notice, select_input
from pm_admin.ui.i18n import t, t_prefixed
from pm_admin.ui.table import Column, data_table, icon_action

RECURRENCES = [{"value": str(r)} for r in Recurrence]
KINDS = [{"value": str(k)} for k in EquipmentKind]
CATEGORIES = [{"value": str(c)} for c in Category]


def _active(row: rx.Var) -> rx.Component:
    return rx.cond(row["active"].to(bool), rx.badge(t("common.active"), color_scheme="green"),
                   rx.badge(t("common.inactive"), color_scheme="gray"))


def _active_box(dialog) -> rx.Component:
    return rx.cond(dialog.editing, rx.checkbox(t("common.active"), name="is_active",
                                               default_checked=dialog.values["is_active"].to(bool)))


def _section(title: str, new_label: str, open_new, new_testid: str, table: rx.Component) -> rx.Component:
    """A list of the setup page: its heading, its 新建 button, its table."""
    return rx.vstack(
        rx.hstack(rx.heading(t(title), size="4"), rx.spacer(),
                  rx.button(rx.icon("plus", size=14), t(new_label), on_click=open_new, data_testid=new_testid),
                  width="100%", align="center"),
        table, spacing="2", width="100%")


def schedules() -> rx.Component:
    columns = [
        Column("template", "inspections.checklist"),
        Column("community", "places.community"),
        Column("place", "inspections.place"),
        Column("recurrence", "inspections.recurrence_label", render=lambda r: rx.text(
            t_prefixed("inspections.recurrence.", r["recurrence"].to(str)), size="2")),
        Column("assignee", "inspections.assignee"),
        Column("starts_on", "inspections.starts_on"),
        Column("active", "common.status", render=_active),
    ]
    return _section("inspections.schedules", "inspections.new_schedule", ScheduleForm.open_new, "new-schedule",
                    data_table(SchedulesList, columns, testid="schedules-table", min_width="900px",
                               actions=lambda r: icon_action("pencil", "common.edit",
                                                            ScheduleForm.open_edit(r["id"].to(int)))))


def equipment() -> rx.Component:
    columns = [
        Column("name", "inspections.equipment_name", sortable=True),
        Column("kind", "inspections.kind_label", render=lambda r: rx.text(
            t_prefixed("inspections.kind.", r["kind"].to(str)), size="2")),
        Column("community", "places.community"),
        Column("building", "places.building"),
        Column("location", "inspections.equipment_location"),
        Column("active", "common.status", render=_active),
    ]
    return _section("inspections.equipment", "inspections.new_equipment", EquipmentForm.open_new, "new-equipment",
                    data_table(EquipmentList, columns, testid="equipment-table",
                               actions=lambda r: icon_action("pencil", "common.edit",
                                                            EquipmentForm.open_edit(r["id"].to(int)))))


def templates() -> rx.Component:
    columns = [
        Column("name", "inspections.checklist", render=lambda r: rx.button(
            r["name"], variant="ghost", size="1", on_click=TemplateForm.open_template(r["id"].to(int)),
            data_testid="template-link")),
        Column("community", "inspections.scope", render=lambda r: rx.cond(
            r["company_wide"].to(bool), rx.badge(t("inspections.company_wide"), variant="soft"),
            rx.text(r["community"], size="2"))),
        category_column(),
        Column("recurrence", "inspections.recurrence_label", render=lambda r: rx.text(
            t_prefixed("inspections.recurrence.", r["recurrence"].to(str)), size="2")),
        Column("items", "inspections.item_count"),
        Column("rectify_days", "inspections.rectify_days"),
        Column("department", "inspections.department"),
        Column("active", "common.status", render=_active),
    ]
    return _section("inspections.templates", "inspections.new_template", TemplateForm.open_new, "new-template",
                    data_table(TemplatesList, columns, testid="templates-table", min_width="900px"))


def equipment_dialog() -> rx.Component:
    d = EquipmentForm
    return form_dialog(d, title=rx.cond(d.editing, t("inspections.edit_equipment"), t("inspections.new_equipment")),
                       testid="equipment-form", fields=[
        rx.cond(d.editing, rx.fragment(), form_field(d, "community_id", "places.community", select_input(
            "community_id", d.community_choices, default=d.values["community_id"], on_change=d.pick_community))),
        form_field(d, "building_id", "places.building", select_input(
            "building_id", d.building_choices, default=d.values["building_id"])),
        form_field(d, "name", "inspections.equipment_name", hint_key="inspections.equipment_name_hint"),
        form_field(d, "kind", "inspections.kind_label", select_input(
            "kind", KINDS, default=d.values["kind"], label_prefix="inspections.kind.", testid="equipment-kind")),
        form_field(d, "location", "inspections.equipment_location"),
        _active_box(d),
    ])


def schedule_dialog() -> rx.Component:
    d = ScheduleForm
    return form_dialog(d, title=rx.cond(d.editing, rx.text(t("inspections.edit_schedule"), " · ",
                                                           d.subject["template"].to(str)),
                                        t("inspections.new_schedule")),
                       testid="schedule-form", max_width="600px", fields=[
        rx.cond(d.editing, rx.fragment(), rx.vstack(
            form_field(d, "community_id", "places.community", select_input(
                "community_id", d.community_choices, default=d.values["community_id"], on_change=d.pick_community)),
            form_field(d, "template_id", "inspections.checklist", select_input(
                "template_id", d.template_choices, default=d.values["template_id"], testid="schedule-template")),
            rx.hstack(form_field(d, "equipment_id", "inspections.equipment_one", select_input(
                          "equipment_id", d.equipment_choices, default=d.values["equipment_id"],
                          testid="schedule-equipment")),
                      form_field(d, "building_id", "places.building", select_input(
                          "building_id", d.building_choices, default=d.values["building_id"])),
                      spacing="3", width="100%"),
            rx.text(t("inspections.place_hint"), size="1", color_scheme="gray"),
            spacing="3", width="100%")),
        form_field(d, "recurrence", "inspections.recurrence_label", select_input(
            "recurrence", RECURRENCES, default=d.values["recurrence"], label_prefix="inspections.recurrence."),
            hint_key="inspections.recurrence_hint"),
        form_field(d, "assignee_id", "inspections.assignee", select_input(
            "assignee_id", d.assignee_choices, default=d.values["assignee_id"]),
            hint_key="inspections.assignee_hint"),
        form_field(d, "starts_on", "inspections.starts_on", type_="date"),
        _active_box(d),
    ])


def template_dialog() -> rx.Component:
    d = TemplateForm
    return form_dialog(d, title=rx.cond(d.editing, t("inspections.edit_template"), t("inspections.new_template")),
                       testid="template-form", max_width="640px", fields=[
        rx.cond(d.subject["based_on"].to(str) != "", notice(t("inspections.copy_of_company"), icon="copy", size="1")),
        rx.cond(d.editing, rx.fragment(), form_field(d, "community_id", "places.community", select_input(
            "community_id", d.community_choices, default=d.values["community_id"]))),
        form_field(d, "name", "inspections.checklist"),
        rx.hstack(form_field(d, "category", "inspections.category_label", select_input(
                      "category", CATEGORIES, default=d.values["category"], label_prefix="inspections.category.")),
                  form_field(d, "recurrence", "inspections.recurrence_label", select_input(
                      "recurrence", RECURRENCES, default=d.values["recurrence"],
                      label_prefix="inspections.recurrence.")), spacing="3", width="100%"),
        rx.hstack(form_field(d, "rectify_days", "inspections.rectify_days", type_="number"),
                  form_field(d, "department_id", "inspections.department", select_input(
                      "department_id", d.department_choices, default=d.values["department_id"])),
                  spacing="3", width="100%"),
        form_field(d, "items", "inspections.items", rx.text_area(
            name="items", default_value=d.values["items"], rows="12", width="100%", data_testid="template-items"),
            hint_key="inspections.items_hint"),
        _active_box(d),
    ])


def setup_page() -> rx.Component:
    return rx.fragment(
        rx.vstack(notice(t("inspections.setup_explain"), icon="info", size="1"),
                  schedules(), equipment(), templates(), spacing="5", width="100%"),
        equipment_dialog(), schedule_dialog(), template_dialog())
