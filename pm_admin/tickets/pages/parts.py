"""Pieces the ticket pages share: badges, the filter bar, the new-ticket dialog."""

from __future__ import annotations

import reflex as rx

from pm_admin.tickets.models import Channel, Kind, Relation, Tier
from pm_admin.ui.forms import field, filter_select, form_dialog, search_box, select_input, text_input
from pm_admin.ui.i18n import t, t_prefixed

TIER_COLORS = (("urgent", "red"), ("important", "orange"), ("normal", "gray"))
SLA_COLORS = (("ok", "green"), ("soon", "amber"), ("breached", "red"), ("paused", "gray"), ("done", "blue"))
STATUS_FILTERS = [{"value": s, "label": s} for s in ("open", "new", "assigned", "in_progress", "on_hold", "resolved",
                                                      "closed", "cancelled", "invalid")]
STATUS_COLORS = (("new", "blue"), ("assigned", "cyan"), ("in_progress", "amber"), ("on_hold", "gray"),
                 ("resolved", "violet"), ("closed", "green"), ("cancelled", "gray"), ("invalid", "gray"))


def tier_badge(tier: rx.Var) -> rx.Component:
    return rx.badge(t_prefixed("tickets.tier.", tier), color_scheme=rx.match(tier, *TIER_COLORS, "gray"),
                    variant="solid")


def status_badge(status: rx.Var) -> rx.Component:
    return rx.badge(t_prefixed("tickets.status.", status), color_scheme=rx.match(status, *STATUS_COLORS, "gray"))


def sla_badge(state: rx.Var, text: rx.Var) -> rx.Component:
    """The coloured countdown: green while in time, amber in the last quarter, red once breached."""
    return rx.badge(rx.icon("timer", size=12), t_prefixed("tickets.sla.", state), " ", text,
                    color_scheme=rx.match(state, *SLA_COLORS, "gray"), variant="soft", data_sla=state)


def flags(row: rx.Var) -> rx.Component:
    return rx.fragment(
        rx.cond(row["reopen_count"].to(int) > 0,
                rx.badge(rx.icon("rotate-ccw", size=11), t("tickets.reopened"), " ×", row["reopen_count"],
                         color_scheme="orange", variant="outline", data_testid="reopen-badge")),
        rx.cond(row["is_repeat"], rx.badge(t("tickets.repeat"), color_scheme="red", variant="outline",
                                           data_testid="repeat-badge")),
    )


def filter_bar(state, *, with_status: bool = False) -> rx.Component:
    """Community, department, assignee, mine, category, overdue (and status on the list); all in the URL."""
    f = state.filters
    return rx.hstack(
        filter_select(state.community_choices, f["community"], lambda v: state.set_filter("community", v),
                      all_key="tickets.all_communities", testid="filter-community"),
        filter_select(state.department_choices, f["department"], lambda v: state.set_filter("department", v),
                      all_key="tickets.all_departments", testid="filter-department"),
        filter_select(state.assignee_choices, f["assignee"], lambda v: state.set_filter("assignee", v),
                      all_key="tickets.all_assignees", testid="filter-assignee"),
        filter_select(state.category_choices, f["category"], lambda v: state.set_filter("category", v),
                      all_key="tickets.all_categories", testid="filter-category"),
        *([filter_select(STATUS_FILTERS, state.status, lambda v: state.set_filter("status", v),
                         label_prefix="tickets.status.", all_key="tickets.all_statuses", testid="filter-status")]
          if with_status else []),
        rx.checkbox(t("tickets.mine"), checked=f["mine"] == "1", on_change=lambda v: state.toggle_filter("mine", v),
                    data_testid="filter-mine"),
        rx.checkbox(t("tickets.overdue_only"), checked=f["overdue"] == "1",
                    on_change=lambda v: state.toggle_filter("overdue", v), data_testid="filter-overdue"),
        search_box(state.apply_search, default=f["q"], placeholder_key="tickets.search_hint"),
        rx.button(rx.icon("x", size=14), t("common.clear_filters"), variant="ghost", on_click=state.clear_filters),
        spacing="3", align="center", wrap="wrap", width="100%",
    )


def _enum_select(name: str, values, prefix: str, default) -> rx.Component:
    return rx.select.root(rx.select.trigger(width="100%"), rx.select.content(
        *[rx.select.item(t(f"{prefix}{v}"), value=v.value) for v in values]), name=name, default_value=default)


def new_ticket_dialog(state) -> rx.Component:
    """登记工单: kind, category, tier, channel, room (or community for public areas), title, description."""
    e, v = state.new_errors, state.new_form
    return form_dialog(
        title=t("tickets.new"), open_=state.new_open, on_close=state.close_new, on_submit=state.create,
        form_key=state.new_key, conflict=None, testid="new-ticket-form",
        fields=[
            rx.grid(
                field("tickets.col.kind", _enum_select("kind", Kind, "tickets.kind.", v["kind"]), e["kind"]),
                field("tickets.col.channel", _enum_select("channel", Channel, "tickets.channel.", v["channel"]),
                      e["channel"]),
                field("tickets.col.tier", _enum_select("tier", Tier, "tickets.tier.", v["tier"]), e["tier"]),
                field("tickets.col.category", select_input("category_id", state.category_choices,
                                                           default=v["category_id"].to(str),
                                                           testid="new-category"), e["category_id"]),
                columns="2", spacing="3", width="100%"),
            rx.grid(
                field("tickets.col.room", text_input("room_code", default=v["room_code"],
                                                     placeholder_key="tickets.room_hint",
                                                     on_blur=state.preview_contact), e["room_code"]),
                field("tickets.col.community", select_input("community_id", state.community_choices,
                                                            default=v["community_id"].to(str)),
                      e["community_id"], hint_key="tickets.community_hint"),
                columns="2", spacing="3", width="100%"),
            rx.cond(state.new_contact_hint != "", rx.text(state.new_contact_hint, size="1", color_scheme="gray",
                                                          data_testid="new-contact-default")),
            rx.grid(
                field("tickets.contact_name", text_input("contact_name", default=v["contact_name"],
                                                         placeholder_key="tickets.contact_blank"), e["contact_name"]),
                field("tickets.contact_phone", text_input("contact_phone", default=v["contact_phone"], inputmode="tel"),
                      e["contact_phone"]),
                field("tickets.contact_relation", _enum_select("contact_relation", Relation, "tickets.relation.",
                                                               v["contact_relation"]), e["contact_relation"]),
                field("tickets.contact_time", text_input("contact_time", default=v["contact_time"],
                                                         placeholder_key="tickets.contact_time_hint"), e["contact_time"]),
                columns="2", spacing="3", width="100%"),
            field("tickets.col.title", text_input("title", default=v["title"]), e["title"]),
            field("tickets.col.description", rx.text_area(name="description", default_value=v["description"],
                                                          rows="3", width="100%"), e["description"]),
        ],
    )
