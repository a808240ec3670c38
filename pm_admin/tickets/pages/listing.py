"""The ticket list 工单列表: the board's filters plus status, paged in SQL."""

from __future__ import annotations

import reflex as rx

from pm_admin.tickets.pages.parts import flags, new_ticket_dialog, sla_badge, status_badge, ticket_filters, tier_badge
from pm_admin.tickets.states.listing import ListNewTicket, TicketListState
from pm_admin.ui.i18n import t, t_prefixed
from pm_admin.ui.table import Column, data_table

S = TicketListState


def list_page() -> rx.Component:
    columns = [
        Column("code", "tickets.col.code", sortable=True,
               render=lambda r: rx.link(r["code"], href="/tickets/" + r["id"].to(str), size="2")),
        Column("title", "tickets.col.title", render=lambda r: rx.hstack(rx.text(r["title"], size="2"), flags(r),
                                                                        spacing="1", wrap="wrap")),
        Column("kind", "tickets.col.kind", render=lambda r: rx.text(t_prefixed("tickets.kind.", r["kind"]), size="2")),
        Column("tier", "tickets.col.tier", render=lambda r: tier_badge(r["tier"])),
        Column("status", "tickets.col.status", render=lambda r: status_badge(r["status"])),
        Column("room", "tickets.col.room"), Column("category", "tickets.col.category"),
        Column("department", "tickets.col.department"), Column("assignee", "tickets.col.assignee"),
        Column("created_at", "tickets.col.created_at", sortable=True),
        Column("resolve_due", "tickets.col.resolve_due", sortable=True,
               render=lambda r: rx.vstack(rx.text(r["resolve_due"], size="1"), sla_badge(r["sla_state"], ""),
                                          spacing="1")),
    ]
    return rx.fragment(
        rx.vstack(
            rx.hstack(rx.spacer(),
                      rx.link(rx.button(rx.icon("kanban", size=14), t("nav.ticket_board"), variant="soft"),
                              href="/tickets/board"),
                      rx.cond(S.can_create, rx.button(rx.icon("plus", size=14), t("tickets.new"),
                                                      on_click=ListNewTicket.open_new, data_testid="new-ticket")),
                      width="100%", spacing="3"),
            ticket_filters(S, with_status=True),
            data_table(S, columns, testid="ticket-list", min_width="1100px"),
            spacing="4", width="100%"),
        new_ticket_dialog(ListNewTicket, S.choices["category"].to(list[dict[str, str]]),
                          S.choices["community"].to(list[dict[str, str]])),
    )
