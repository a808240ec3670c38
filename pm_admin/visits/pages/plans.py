"""走访计划: one plan per community and kind (weekly rounds, quarterly building visits, the door-to-door round),
what this period's tasks stand at, and generating them now."""

from __future__ import annotations

import reflex as rx

from pm_admin.ui.forms import form_dialog, form_field, notice, select_input
from pm_admin.ui.i18n import t, t_prefixed
from pm_admin.ui.table import simple_table
from pm_admin.visits.models import PlanKind
from pm_admin.visits.states.plans import PlanForm, VisitPlansState

S = VisitPlansState
KINDS = [{"value": str(k)} for k in PlanKind]
TIMES = [{"value": "1"}, {"value": "2"}]


def plan_row(plan: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(plan["community"]),
        rx.table.cell(t_prefixed("visits.kind.", plan["kind"])),
        rx.table.cell(rx.cond(plan["kind"] == PlanKind.WEEKLY.value, plan["target"].to(str),
                              rx.cond(plan["kind"] == PlanKind.DOOR_TO_DOOR.value,
                                      t_prefixed("visits.times.", plan["times_per_year"].to(str)), "1"))),
        rx.table.cell(rx.cond(plan["is_active"].to(bool), rx.badge(t("visits.active"), color_scheme="green"),
                              rx.badge(t("visits.paused"), color_scheme="gray"))),
        rx.table.cell(plan["period"]),
        rx.table.cell(rx.text(plan["done"], " / ", plan["tasks"], data_testid="plan-tasks")),
        rx.table.cell(rx.hstack(
            rx.button(t("common.edit"), size="1", variant="soft", on_click=PlanForm.open_edit(plan["id"]),
                      data_testid="plan-edit"),
            rx.button(t("visits.generate"), size="1", variant="soft", color_scheme="green",
                      on_click=S.generate(plan["id"]), data_testid="plan-generate"), spacing="2")),
        data_kind=plan["kind"])


def plan_dialog() -> rx.Component:
    d = PlanForm
    kind = d.values["kind"].to(str)
    new = ~d.editing  # a new plan's kind is chosen in the form: every field shows
    return form_dialog(d, title=rx.cond(d.editing, t("visits.edit_plan"), t("visits.new_plan")), testid="plan-form",
                       fields=[
        rx.cond(d.editing, rx.text(d.subject["community"].to(str), " · ",
                                   t_prefixed("visits.kind.", d.subject["kind"].to(str)), weight="bold"),
                rx.vstack(
                    form_field(d, "community_id", "places.community", select_input(
                        "community_id", d.community_choices, default=d.values["community_id"],
                        testid="plan-community")),
                    form_field(d, "kind", "visits.kind", select_input(
                        "kind", KINDS, default=d.values["kind"], label_prefix="visits.kind.", testid="plan-kind")),
                    width="100%")),
        notice(t("visits.plan_explain"), icon="info", size="1"),
        rx.cond(new | (kind == PlanKind.WEEKLY.value), form_field(
            d, "target", "visits.target", hint_key="visits.target_hint", type_="number", data_testid="plan-target")),
        rx.cond(new | (kind == PlanKind.DOOR_TO_DOOR.value), form_field(
            d, "times_per_year", "visits.times_per_year", select_input(
                "times_per_year", TIMES, default=d.values["times_per_year"], label_prefix="visits.times.",
                testid="plan-times"), hint_key="visits.times_hint")),
        form_field(d, "starts_on", "visits.starts_on", type_="date"),
        rx.checkbox(t("visits.active"), name="is_active", default_checked=d.values["is_active"].to(bool)),
    ])


def plans_page() -> rx.Component:
    return rx.fragment(rx.vstack(
        notice(t("visits.plans_explain"), icon="info", size="1"),
        rx.hstack(rx.spacer(), rx.button(rx.icon("plus", size=14), t("visits.new_plan"), on_click=PlanForm.open_new,
                                         data_testid="new-plan"), width="100%"),
        simple_table(["places.community", "visits.kind", "visits.col.target", "common.status", "visits.col.period",
                      "visits.col.done_of", "common.actions"],
                     S.plans, plan_row, "visit-plans"),
        spacing="4", width="100%"), plan_dialog())
