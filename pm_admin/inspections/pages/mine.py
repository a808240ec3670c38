"""我的巡检: large cards, the most urgent first; one tap opens the checklist."""

from __future__ import annotations

import reflex as rx

from pm_admin.inspections.pages.parts import category_badge, due_badge
from pm_admin.inspections.states.mine import MyInspectionsState
from pm_admin.ui.forms import notice
from pm_admin.ui.i18n import t

S = MyInspectionsState


def task_card(task: rx.Var) -> rx.Component:
    return rx.link(rx.card(rx.vstack(
        rx.hstack(category_badge(task["category"].to(str)), due_badge(task), rx.spacer(),
                  rx.text(task["community"], size="1", color_scheme="gray"), width="100%", align="center",
                  wrap="wrap"),
        rx.text(task["title"], size="4", weight="bold", color="var(--gray-12)"),
        rx.hstack(rx.icon("map-pin", size=14), rx.text(task["place"], size="2", color="var(--gray-11)"), spacing="1",
                  align="center"),
        rx.text(t("inspections.item_count"), " ", task["items"].to(str), size="1", color_scheme="gray"),
        spacing="2", width="100%"), width="100%"),
        href="/inspections/tasks/" + task["id"].to(str), underline="none", width="100%",
        data_testid="my-inspection", data_title=task["title"].to(str))


def my_inspections_page() -> rx.Component:
    return rx.vstack(
        rx.foreach(S.tasks, task_card),
        rx.cond(S.tasks.length() == 0, notice(t("inspections.none_due"), icon="circle-check", color_scheme="green")),
        spacing="3", width="100%", max_width="720px")
