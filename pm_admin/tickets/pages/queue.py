"""The callback queue 回访队列 for customer service: resolved tickets by age."""

from __future__ import annotations

import reflex as rx

from pm_admin.tickets.pages.callback_dialog import callback_dialog
from pm_admin.tickets.states.queue import CallbackQueueState, QueueCallback
from pm_admin.ui.forms import notice
from pm_admin.ui.i18n import t, t_prefixed
from pm_admin.ui.table import table_body

Q = CallbackQueueState


def queue_row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link(row["code"], href="/tickets/" + row["id"].to(str), size="2")),
        rx.table.cell(row["title"]),
        rx.table.cell(t_prefixed("tickets.kind.", row["kind"])),
        rx.table.cell(row["room"]),
        rx.table.cell(rx.text(row["contact_name"], " ", row["contact_phone"], size="2"),
                      rx.cond(row["contact_time"] != "", rx.text(row["contact_time"], size="1", color_scheme="gray"))),
        rx.table.cell(row["resolved_at"]),
        rx.table.cell(rx.cond(row["overdue"], rx.badge(row["due"], color_scheme="red"), rx.text(row["due"], size="2"))),
        rx.table.cell(row["attempts"], rx.cond(row["attempts"].to(int) > 0, rx.text(t("tickets.next_try"), " ", row["next_at"],
                                                                            size="1", color_scheme="gray"))),
        rx.table.cell(rx.cond(row["needs_manager"],
                              rx.badge(t("tickets.manager_decides"), color_scheme="orange"),
                              rx.button(rx.icon("phone-call", size=14), t("tickets.callback"), size="1",
                                        on_click=QueueCallback.open_callback(row["id"]), data_testid="queue-callback"))),
        data_row_id=row["id"].to(str),
    )


def queue_page() -> rx.Component:
    headers = ("tickets.col.code", "tickets.col.title", "tickets.col.kind", "tickets.col.room", "tickets.col.contact",
               "tickets.resolved_at", "tickets.callback_due", "tickets.attempts", "common.actions")
    return rx.fragment(
        rx.vstack(
            notice(t("tickets.callback_rule"), icon="info", size="1"),
            rx.box(rx.table.root(
                rx.table.header(rx.table.row(*[rx.table.column_header_cell(t(h)) for h in headers])),
                table_body(Q.queue, queue_row, len(headers)), variant="surface", size="2", width="100%",
                min_width="900px"), overflow_x="auto", width="100%", data_testid="callback-queue"),
            spacing="4", width="100%"),
        callback_dialog(QueueCallback),
    )
