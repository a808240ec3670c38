"""绩效 /scorecards: one's own card, the team's (managers) and the departments' (executives), each figure opening
the tickets behind it."""

from __future__ import annotations

import reflex as rx

from pm_admin.dashboards.periods import PERIOD_KEYS
from pm_admin.scorecards.behind import DRILLABLE
from pm_admin.scorecards.state import ScorecardsState, TicketsBehind
from pm_admin.ui.filters import filter_bar, pick
from pm_admin.ui.forms import view_dialog
from pm_admin.ui.i18n import t, t_prefixed
from pm_admin.ui.table import simple_table, table_body

S = ScorecardsState
DRILLABLE_KEYS = rx.Var.create(list(DRILLABLE))


def _view_picker() -> rx.Component:
    return rx.segmented_control.root(
        rx.foreach(S.views, lambda name: rx.segmented_control.item(t_prefixed("scorecards.view.", name), value=name)),
        value=S.filters["view"].to(str), on_change=lambda value: S.set_filter("view", value),
        data_testid="scorecards-view")


def _period_picker() -> rx.Component:
    return rx.select.root(
        rx.select.trigger(min_width="140px", data_testid="scorecards-period"),
        rx.select.content(*[rx.select.item(t(f"dashboard.period.{key}"), value=key) for key in PERIOD_KEYS]),
        value=S.filters["period"].to(str), on_change=lambda value: S.set_filter("period", value))


def _figure(figure: rx.Var) -> rx.Component:
    value = rx.text(figure["value"], size="6", weight="bold", data_testid="figure-" + figure["key"].to(str))
    return rx.card(rx.vstack(
        rx.text(t_prefixed("scorecards.figure.", figure["key"]), size="2", color_scheme="gray"),
        rx.cond(figure["drill"] != "",
                rx.link(value, on_click=TicketsBehind.open_behind("user", S.own_id, figure["key"].to(str)),
                        cursor="pointer", underline="hover"),
                value),
        rx.text(figure["basis"], size="1", color_scheme="gray"),
        spacing="1"), size="1")


def _own_card() -> rx.Component:
    return rx.vstack(rx.foreach(S.sections, lambda section: rx.vstack(
        rx.heading(t_prefixed("scorecards.group.", section["group"]), size="3", weight="medium"),
        rx.grid(rx.foreach(section["figures"].to(list[dict[str, str]]), _figure),
                columns=rx.breakpoints(initial="2", sm="3", lg="5"), spacing="3", width="100%"),
        spacing="2", width="100%", data_testid="scorecard-" + section["group"].to(str))),
        spacing="4", width="100%", data_testid="own-card")


def _cell(row: rx.Var, key: rx.Var) -> rx.Component:
    """A figure; a link to the tickets behind it where it counts tickets (household and field figures do not)."""
    value = row[key].to(str)
    return rx.table.cell(rx.cond(
        value == "—", rx.text(value, color_scheme="gray"),
        rx.cond(DRILLABLE_KEYS.contains(key),
                rx.link(value, cursor="pointer", underline="hover",
                        on_click=TicketsBehind.open_behind(row["subject"].to(str), row["subject_id"].to(str), key)),
                rx.text(value))), white_space="nowrap", data_testid="cell-" + key.to(str))


def _table() -> rx.Component:
    return rx.box(rx.table.root(
        rx.table.header(rx.table.row(
            rx.table.column_header_cell(t("scorecards.col.name")),
            rx.foreach(S.columns, lambda key: rx.table.column_header_cell(
                t_prefixed("scorecards.figure.", key), white_space="nowrap")))),
        table_body(S.rows, lambda row: rx.table.row(
            rx.table.row_header_cell(row["name"], white_space="nowrap"),
            rx.foreach(S.columns, lambda key: _cell(row, key)),
            data_testid="scorecard-row"), S.columns.length() + 1),
        size="1", width="100%"),
        overflow_x="auto", width="100%", data_testid="scorecards-table")


def _behind_dialog() -> rx.Component:
    d = TicketsBehind
    code = lambda row: rx.cond(S.can_open_tickets, rx.link(row["code"], href="/tickets/" + row["id"]), row["code"])  # noqa: E731
    return view_dialog(
        d, title=rx.text(d.subject["name"].to(str), " · ", t_prefixed("scorecards.figure.", d.subject["figure"])),
        testid="tickets-behind", max_width="820px",
        body=[simple_table(["scorecards.col.code", "scorecards.col.title", "scorecards.col.at", "scorecards.col.note"],
                           d.behind, lambda row: rx.table.row(
                               rx.table.cell(code(row)), rx.table.cell(row["title"]),
                               rx.table.cell(row["at"], white_space="nowrap"), rx.table.cell(row["note"]),
                               data_testid="behind-row"), "behind-table"),
              rx.text(t("scorecards.behind_hint"), size="1", color_scheme="gray")])


def scorecards_page() -> rx.Component:
    return rx.vstack(
        rx.heading(t("nav.scorecards"), size="6"),
        rx.text(t("scorecards.intro"), size="2", color_scheme="gray"),
        filter_bar(S, _view_picker(), _period_picker(), pick(S, "community", "shell.all_communities"), reset=False),
        rx.cond(S.filters["view"].to(str) == "mine", _own_card(), _table()),
        _behind_dialog(),
        spacing="3", width="100%")
