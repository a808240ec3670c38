"""隐患整改: every rectification of the user's communities with its party and deadline; overdue ones flagged."""

from __future__ import annotations

import reflex as rx

from pm_admin.inspections.models import RectificationStatus
from pm_admin.inspections.pages.parts import category_column, category_filter, rectification_badge
from pm_admin.inspections.states.rectifications import RectificationsState
from pm_admin.ui.filters import choose, filter_bar, pick, switch
from pm_admin.ui.forms import notice
from pm_admin.ui.i18n import t, t_prefixed
from pm_admin.ui.table import Column, data_table

S = RectificationsState


def party_cell(row: rx.Var) -> rx.Component:
    return rx.vstack(rx.text(t_prefixed("inspections.responsible.", row["responsible"].to(str)), size="1",
                             color_scheme="gray"),
                     rx.text(rx.cond(row["party"].to(str) != "", row["party"].to(str), t("inspections.party_unnamed")),
                             size="2"), spacing="0")


def rectifications_page() -> rx.Component:
    columns = [
        Column("code", "inspections.notice_code", render=lambda r: rx.link(
            r["code"], href="/rectifications/" + r["id"].to(str), data_testid="rectification-link")),
        category_column(),
        Column("community", "places.community"),
        Column("location", "inspections.location"),
        Column("hazard", "inspections.hazard"),
        Column("party", "inspections.party", render=party_cell),
        Column("deadline", "inspections.deadline", sortable=True),
        Column("status", "common.status", render=rectification_badge),
        Column("opened_at", "inspections.opened_at", sortable=True),
    ]
    return rx.vstack(
        notice(t("inspections.rectifications_explain"), icon="info", size="1"),
        filter_bar(S, pick(S, "community", "shell.all_communities"),
                   choose(S, "status", [{"value": str(s)} for s in RectificationStatus], "inspections.all_statuses",
                          label_prefix="inspections.rectification."),
                   category_filter(S),
                   switch(S, "overdue", "inspections.overdue_only")),
        data_table(S, columns, testid="rectifications-table", min_width="960px"),
        spacing="4", width="100%")
