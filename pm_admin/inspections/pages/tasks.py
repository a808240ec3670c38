"""巡检任务: every task of the user's communities, overdue ones flagged; a manager can give out today's at once."""

from __future__ import annotations

import reflex as rx

from pm_admin.inspections.pages.parts import category_column, category_filter
from pm_admin.inspections.queries.tasks import STATUS_FILTERS
from pm_admin.inspections.states.tasks import InspectionsState
from pm_admin.ui.filters import choose, filter_bar, pick
from pm_admin.ui.forms import notice
from pm_admin.ui.i18n import t
from pm_admin.ui.table import Column, data_table

S = InspectionsState


def status_cell(row: rx.Var) -> rx.Component:
    return rx.cond(row["status"] == "done",
                   rx.hstack(rx.badge(t("inspections.status.done"), color_scheme="green"),
                             rx.cond(row["failed"].to(int) > 0, rx.badge(t("inspections.failed_items"), " ",
                                                                         row["failed"].to(str), color_scheme="red")),
                             spacing="1"),
                   rx.cond(row["overdue"].to(bool), rx.badge(t("inspections.overdue"), color_scheme="red",
                                                             data_testid="task-overdue"),
                           rx.badge(t("inspections.status.open"), color_scheme="orange")))


def inspections_page() -> rx.Component:
    columns = [
        Column("title", "inspections.checklist", render=lambda r: rx.link(
            r["title"], href="/inspections/tasks/" + r["id"].to(str), data_testid="task-link")),
        category_column(),
        Column("place", "inspections.place"),
        Column("community", "places.community"),
        Column("due_on", "inspections.due", sortable=True, render=lambda r: rx.text(r["period"], size="2")),
        Column("status", "common.status", render=status_cell),
        Column("assignee", "inspections.assignee"),
        Column("done_at", "inspections.done_by", render=lambda r: rx.text(r["done_by"], " ", r["done_at"], size="2")),
    ]
    return rx.vstack(
        notice(t("inspections.explain"), icon="info", size="1"),
        filter_bar(S, pick(S, "community", "shell.all_communities"),
                   choose(S, "status", [{"value": s} for s in STATUS_FILTERS], "inspections.all_statuses",
                          label_prefix="inspections.status."),
                   category_filter(S),
                   end=[rx.cond(S.can_manage, rx.button(rx.icon("calendar-plus", size=14), t("inspections.generate"),
                                                        on_click=S.generate, data_testid="generate-tasks"))]),
        data_table(S, columns, testid="inspections-table", min_width="960px"),
        spacing="4", width="100%")
