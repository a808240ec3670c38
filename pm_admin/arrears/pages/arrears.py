"""Arrears follow-up page: coverage, open cases (overdue first), follow-up log, balances, import."""

from __future__ import annotations

import reflex as rx

from pm_admin.arrears.models import Channel, ReasonCategory
from pm_admin.arrears.states.arrears import IMPORT_INPUT, ArrearsState, BalanceForm, FollowUpForm, HistoryDialog
from pm_admin.ui.cards import figure_card
from pm_admin.ui.filters import filter_bar, switch
from pm_admin.ui.forms import form_dialog, form_field, notice, view_dialog
from pm_admin.ui.i18n import t, t_prefixed
from pm_admin.ui.table import Column, data_table, icon_action, table_body
from pm_admin.ui.uploads import file_input

S = ArrearsState


def coverage_cards() -> rx.Component:
    c = S.coverage
    return rx.grid(
        figure_card("arrears.coverage", c["percent"].to(str)),
        figure_card("arrears.open_cases", c["open"].to(str)),
        figure_card("arrears.followed_up", c["covered"].to(str)),
        figure_card("arrears.due", c["due"].to(str)),
        figure_card("arrears.overdue", c["overdue"].to(str)),
        columns=rx.breakpoints(initial="2", md="5"), spacing="3", width="100%",
    )


def due_cell(row: rx.Var) -> rx.Component:
    return rx.cond(row["overdue_days"].to(int) > 0,
                   rx.badge(t("arrears.overdue_by"), " ", row["overdue_days"], " ", t("arrears.days"),
                            color_scheme="red"),
                   rx.text(row["next_due_on"], size="2"))


def follow_up_dialog() -> rx.Component:
    d, case = FollowUpForm, FollowUpForm.subject
    return form_dialog(
        d, title=t("arrears.follow_up"), testid="follow-up-form",
        fields=[
            rx.text(case["room_code"].to(str), " · ", case["owner_names"].to(str), " · ¥", case["amount"].to(str),
                    weight="bold"),
            rx.grid(
                form_field(d, "channel", "arrears.channel", rx.select.root(rx.select.trigger(width="100%"), rx.select.content(
                    *[rx.select.item(t(f"arrears.channel.{c}"), value=c.value) for c in Channel]),
                    name="channel", default_value=d.values["channel"].to(str))),
                form_field(d, "reason_category", "arrears.reason", rx.select.root(
                    rx.select.trigger(width="100%"), rx.select.content(
                        *[rx.select.item(t(f"arrears.reason.{r}"), value=r.value) for r in ReasonCategory]),
                    name="reason_category", default_value=d.values["reason_category"].to(str))),
                columns="2", spacing="3", width="100%"),
            form_field(d, "result", "arrears.result"),
            rx.grid(
                form_field(d, "promise_date", "arrears.promise_date", type_="date"),
                form_field(d, "ticket_code", "arrears.ticket_code", placeholder_key="arrears.ticket_hint"),
                columns="2", spacing="3", width="100%"),
        ],
    )


def balance_dialog() -> rx.Component:
    d = BalanceForm
    return form_dialog(
        d, title=t("arrears.set_balance"), testid="balance-form",
        fields=[
            form_field(d, "room_code", "owners.col.room_code"),
            rx.grid(
                form_field(d, "amount", "arrears.amount", hint_key="arrears.amount_hint"),
                form_field(d, "since", "arrears.since", type_="date"),
                columns="2", spacing="3", width="100%"),
        ],
    )


def history_dialog() -> rx.Component:
    d = HistoryDialog
    return view_dialog(
        d, title=rx.text(t("arrears.history"), " · ", d.subject["room_code"].to(str)), testid="history-dialog",
        max_width="760px",
        body=[rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(t(k)) for k in (
                "arrears.done_on", "arrears.channel", "arrears.reason", "arrears.result", "arrears.promise_date",
                "audit.actor")])),
            table_body(d.history, lambda f: rx.table.row(
                rx.table.cell(f["done_on"]), rx.table.cell(t_prefixed("arrears.channel.", f["channel"])),
                rx.table.cell(t_prefixed("arrears.reason.", f["reason_category"]), " ", rx.cond(
                    f["ticket_id"].to(int) > 0,
                    rx.link(f["ticket_code"], href="/tickets/" + f["ticket_id"].to(str)), f["ticket_code"])),
                rx.table.cell(f["result"]), rx.table.cell(f["promise_date"]), rx.table.cell(f["actor_name"])), 6),
            size="1", width="100%")],
    )


def import_panel() -> rx.Component:
    return rx.cond(S.can_manage, rx.card(rx.vstack(
        rx.text(t("arrears.import_intro"), size="2"),
        rx.hstack(file_input(IMPORT_INPUT, ".csv,.xlsx", "arrears-import-file"),
                  rx.button(rx.icon("upload", size=14), t("arrears.import"), variant="soft", on_click=S.start_import),
                  spacing="3", align="center", wrap="wrap"),
        rx.cond(S.import_message != "", rx.text(S.import_message, size="2", data_testid="arrears-import-message")),
        rx.cond(S.import_errors.length() > 0, rx.table.root(table_body(S.import_errors, lambda e: rx.table.row(
            rx.table.cell(e["row"]), rx.table.cell(e["column"]), rx.table.cell(e["message"])), 3), size="1")),
        spacing="2", width="100%")))


def arrears_page() -> rx.Component:
    columns = [
        Column("room_code", "owners.col.room_code"), Column("owner_names", "archives.col.owners"),
        Column("amount", "arrears.amount", render=lambda r: rx.text("¥", r["amount"], size="2")),
        Column("since", "arrears.since"), Column("months", "arrears.months"),
        Column("last_follow_up_on", "arrears.last_follow_up"), Column("follow_ups", "arrears.follow_ups"),
        Column("next_due_on", "arrears.next_due", render=due_cell), Column("assignee", "arrears.assignee"),
    ]
    return rx.fragment(
        rx.vstack(
            notice(t("arrears.rule"), icon="info", size="1"),
            coverage_cards(),
            filter_bar(S, switch(S, "overdue", "arrears.overdue_only"), switch(S, "mine", "arrears.mine"), reset=False,
                       end=[rx.cond(S.can_manage, rx.button(rx.icon("pencil", size=14), t("arrears.set_balance"),
                                                            on_click=BalanceForm.open_balance,
                                                            data_testid="set-balance"))]),
            data_table(S, columns, testid="arrears-cases", actions=lambda row: rx.hstack(
                rx.cond(S.can_follow_up, icon_action("phone-call", "arrears.follow_up", FollowUpForm.open_follow_up(row["case_id"]))),
                icon_action("history", "arrears.history", HistoryDialog.open_history(row["case_id"])),
                rx.cond(S.can_manage, icon_action("pencil", "arrears.edit_balance", BalanceForm.open_edit_balance(row["case_id"]))),
                spacing="1")),
            import_panel(),
            spacing="4", width="100%"),
        follow_up_dialog(), balance_dialog(), history_dialog(),
    )
