"""The ticket list 工单列表: the board's filters plus status, paged in SQL; the view's ledger 工单台账 as XLSX; ticked
rows assigned or re-tiered in bulk."""

from __future__ import annotations

import reflex as rx

from pm_admin.tickets.pages.parts import (
    TIER_OPTIONS,
    flags,
    new_ticket_dialog,
    sla_badge,
    status_badge,
    ticket_filters,
    tier_badge,
)
from pm_admin.tickets.states.listing import BulkAssignForm, BulkTierForm, ListNewTicket, TicketListState
from pm_admin.ui.forms import form_dialog, form_field, notice, select_input
from pm_admin.ui.i18n import t, t_prefixed
from pm_admin.ui.table import Column, data_table, selection_bar

S = TicketListState


def _count(form) -> rx.Component:
    return rx.text(t("tickets.bulk_count"), " ", form.subject["count"].to(str))


def bulk_dialogs() -> rx.Component:
    return rx.fragment(
        form_dialog(BulkAssignForm, title=t("tickets.bulk_assign"), description=_count(BulkAssignForm),
                    testid="bulk-assign-form",
                    fields=[form_field(BulkAssignForm, "assignee_id", "tickets.col.assignee", select_input(
                        "assignee_id", BulkAssignForm.assignees, testid="bulk-assignee"),
                        hint_key="tickets.bulk_assign_hint")]),
        form_dialog(BulkTierForm, title=t("tickets.bulk_tier"), description=_count(BulkTierForm),
                    testid="bulk-tier-form",
                    fields=[form_field(BulkTierForm, "tier", "tickets.col.tier", select_input(
                        "tier", TIER_OPTIONS, label_prefix="tickets.tier.", testid="bulk-tier"))]),
    )


def bulk_result() -> rx.Component:
    """What the last bulk action did, and each ticket it refused with the reason (one line each)."""
    return rx.cond(S.bulk_summary != "", rx.hstack(
        notice(rx.text.strong(S.bulk_summary),
               rx.foreach(S.bulk_refused, lambda r: rx.fragment(rx.el.br(), rx.el.span(
                   rx.text.strong(r["code"]), "：", r["reason"], data_testid="bulk-refused"))),
               icon="list-checks", color_scheme=rx.cond(S.bulk_refused.length() > 0, "amber", "green"), size="1",
               flex="1", data_testid="bulk-result"),
        rx.icon_button(rx.icon("x", size=14), variant="ghost", color_scheme="gray", on_click=S.dismiss_bulk_result,
                       aria_label=t("common.close")),
        align="center", width="100%"))


def list_page() -> rx.Component:
    columns = [
        Column("code", "tickets.col.code", sortable=True,
               render=lambda r: rx.link(r["code"], href="/tickets/" + r["id"].to(str), size="2")),
        Column("title", "tickets.col.title", render=lambda r: rx.hstack(rx.text(r["title"], size="2"), flags(r),
                                                                        spacing="1", wrap="wrap")),
        Column("kind", "tickets.col.kind", render=lambda r: rx.text(t_prefixed("tickets.kind.", r["kind"]), size="2",
                                                                    white_space="nowrap")),
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
                      rx.button(rx.icon("file-spreadsheet", size=14), t("tickets.export_ledger"), variant="soft",
                                on_click=S.export_ledger, data_testid="export-ledger"),
                      rx.link(rx.button(rx.icon("kanban", size=14), t("nav.ticket_board"), variant="soft"),
                              href="/tickets/board"),
                      rx.cond(S.can_create, rx.button(rx.icon("plus", size=14), t("tickets.new"),
                                                      on_click=ListNewTicket.open_new, data_testid="new-ticket")),
                      width="100%", spacing="3"),
            ticket_filters(S, with_status=True),
            selection_bar(
                S,
                rx.button(rx.icon("user-check", size=12), t("tickets.bulk_assign"), size="1",
                          on_click=BulkAssignForm.open_bulk_assign, data_testid="bulk-assign"),
                rx.button(rx.icon("signal", size=12), t("tickets.bulk_tier"), size="1", variant="soft",
                          on_click=BulkTierForm.open_bulk_tier, data_testid="bulk-tier-open")),
            bulk_result(),
            data_table(S, columns, testid="ticket-list", min_width="1100px", selectable=S.can_work),
            spacing="4", width="100%"),
        new_ticket_dialog(ListNewTicket, S.choices["category"].to(list[dict[str, str]]),
                          S.choices["community"].to(list[dict[str, str]])),
        bulk_dialogs(),
    )
