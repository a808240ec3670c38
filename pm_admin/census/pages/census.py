"""Quarterly census page."""

from __future__ import annotations

import reflex as rx

from pm_admin.census.states.census import CensusState, CompleteForm
from pm_admin.ui.filters import filter_bar, switch
from pm_admin.ui.forms import form_dialog, form_field, notice
from pm_admin.ui.i18n import t, t_prefixed
from pm_admin.ui.table import Column, data_table, table_body

S = CensusState


def completion_table() -> rx.Component:
    return rx.table.root(
        rx.table.header(rx.table.row(*[rx.table.column_header_cell(t(k)) for k in (
            "places.community", "census.total", "census.done", "census.changed", "census.completion")])),
        table_body(S.completion, lambda row: rx.table.row(
            rx.table.cell(row["community_name"]), rx.table.cell(row["total"]), rx.table.cell(row["done"]),
            rx.table.cell(row["changed"]),
            rx.table.cell(rx.hstack(rx.progress(value=row["percent"].to(int), max=100, width="120px"),
                                    rx.text(row["percent"], "%", size="2"), align="center"))), 5),
        variant="surface", size="1", width="100%", data_testid="census-completion")


def census_page() -> rx.Component:
    columns = [
        Column("room_code", "owners.col.room_code"),
        Column("owner_name", "owners.col.name", render=lambda r: rx.link(
            r["owner_name"], href="/owners/" + r["owner_id"].to(str))),
        Column("assignee", "arrears.assignee"),
        Column("status", "owners.status", render=lambda r: rx.badge(t_prefixed("census.status.", r["status"]))),
        Column("completed_at", "census.completed_at"),
    ]
    return rx.fragment(
        rx.vstack(
            rx.hstack(rx.heading(S.heading, size="4", white_space="nowrap", data_testid="census-heading"), rx.spacer(),
                      rx.cond(S.can_manage, rx.form(rx.hstack(
                          rx.select.root(rx.select.trigger(placeholder=t("places.community")), rx.select.content(
                              rx.foreach(S.community_choices, lambda o: rx.select.item(o["label"], value=o["value"]))),
                              name="community_id"),
                          rx.button(rx.icon("calendar-plus", size=14), t("census.open_quarter"), type="submit"),
                          spacing="2"), on_submit=S.open_quarter, width="auto")),
                      width="100%", align="center"),
            notice(t("census.explain"), icon="info", size="1"),
            completion_table(),
            filter_bar(S, switch(S, "mine", "census.mine"), switch(S, "pending", "census.pending_only"), reset=False),
            data_table(S, columns, testid="census-tasks", actions=lambda row: rx.cond(
                row["status"] == "pending", rx.hstack(
                    rx.button(t("census.confirm"), size="1", variant="soft", white_space="nowrap",
                              on_click=CompleteForm.open_complete(row["id"], False), data_testid="census-confirm"),
                    rx.button(t("census.mark_changed"), size="1", variant="soft", color_scheme="amber",
                              white_space="nowrap", on_click=CompleteForm.open_complete(row["id"], True),
                              data_testid="census-changed"), spacing="1"))),
            spacing="4", width="100%"),
        result_dialog(),
    )


def result_dialog() -> rx.Component:
    """The census result: a note (e.g. how it was checked); "changed" lists nothing here, the registry does."""
    d, task = CompleteForm, CompleteForm.subject
    return form_dialog(
        d, title=rx.cond(task["changed"].to(bool), t("census.complete_changed"), t("census.complete_confirmed")),
        testid="census-result",
        fields=[
            rx.text(task["room_code"].to(str), " · ", task["owner_name"].to(str), weight="bold"),
            rx.cond(task["changed"].to(bool), notice(t("census.changed_explain"), icon="info", size="1")),
            form_field(d, "note", "census.note", rx.text_area(name="note", max_length=300, rows="3", width="100%",
                                                              placeholder=t("census.note_hint"))),
        ],
    )
