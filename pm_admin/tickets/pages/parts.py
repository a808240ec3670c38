"""Pieces the ticket pages share: badges, the filter bar, the new-ticket dialog."""

from __future__ import annotations

import reflex as rx

from pm_admin.tickets.models import Channel, Kind, Relation, Tier
from pm_admin.ui.filters import choose, filter_bar, pick, search, switch
from pm_admin.ui.forms import form_dialog, form_field, select_input
from pm_admin.ui.i18n import t, t_prefixed

TIER_COLORS = (("urgent", "red"), ("important", "orange"), ("normal", "gray"))
TIER_OPTIONS = [{"value": str(tier)} for tier in Tier]  # 紧急 / 重要 / 一般: every tier picker (label_prefix)
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


def ticket_filters(state, *, with_status: bool = False) -> rx.Component:
    """Community, department, assignee, category (and status on the list), mine, overdue, search; in the URL."""
    return filter_bar(
        state,
        pick(state, "community", "tickets.all_communities"),
        pick(state, "department", "tickets.all_departments"),
        pick(state, "assignee", "tickets.all_assignees"),
        pick(state, "category", "tickets.all_categories"),
        *([choose(state, "status", STATUS_FILTERS, "tickets.all_statuses", label_prefix="tickets.status.")]
          if with_status else []),
        switch(state, "mine", "tickets.mine"),
        switch(state, "overdue", "tickets.overdue_only"),
        search(state, "tickets.search_hint"),
    )


def _enum_select(name: str, values, prefix: str, default) -> rx.Component:
    return rx.select.root(rx.select.trigger(width="100%", data_testid=f"new-{name}"), rx.select.content(
        *[rx.select.item(t(f"{prefix}{v}"), value=v.value) for v in values]), name=name, default_value=default)


def new_ticket_dialog(d, categories, communities) -> rx.Component:
    """登记工单: kind, category, tier, channel, room (or community for public areas), title, description."""
    v = d.values
    pair = {"columns": "2", "spacing": "3", "width": "100%"}
    return form_dialog(
        d, title=t("tickets.new"), testid="new-ticket-form",
        fields=[
            rx.grid(
                form_field(d, "kind", "tickets.col.kind", _enum_select("kind", Kind, "tickets.kind.", v["kind"])),
                form_field(d, "channel", "tickets.col.channel",
                           _enum_select("channel", Channel, "tickets.channel.", v["channel"])),
                form_field(d, "tier", "tickets.col.tier", _enum_select("tier", Tier, "tickets.tier.", v["tier"])),
                form_field(d, "category_id", "tickets.col.category", select_input(
                    "category_id", categories, default=v["category_id"].to(str), testid="new-category")),
                **pair),
            rx.grid(
                form_field(d, "room_code", "tickets.col.room", placeholder_key="tickets.room_hint",
                           on_blur=d.preview_contact),
                form_field(d, "community_id", "tickets.col.community", select_input(
                    "community_id", communities, default=v["community_id"].to(str)), hint_key="tickets.community_hint"),
                **pair),
            rx.cond(d.contact_hint != "", rx.text(d.contact_hint, size="1", color_scheme="gray",
                                                  data_testid="new-contact-default")),
            rx.grid(
                form_field(d, "contact_name", "tickets.contact_name", placeholder_key="tickets.contact_blank"),
                form_field(d, "contact_phone", "tickets.contact_phone", inputmode="tel"),
                form_field(d, "contact_relation", "tickets.contact_relation",
                           _enum_select("contact_relation", Relation, "tickets.relation.", v["contact_relation"])),
                form_field(d, "contact_time", "tickets.contact_time", placeholder_key="tickets.contact_time_hint"),
                **pair),
            form_field(d, "title", "tickets.col.title"),
            form_field(d, "description", "tickets.col.description", rx.text_area(
                name="description", default_value=v["description"], rows="3", width="100%")),
        ],
    )


def move_fields(d, assignees) -> list[rx.Component]:
    """The inputs a move asks for (``d.needs``), shared by the board's and the ticket page's move dialogs."""
    needs = d.needs
    return [
        rx.cond(d.subject.contains("title"), rx.text(d.subject["title"].to(str), size="2", color_scheme="gray")),
        rx.cond(needs.contains("assignee_id"), form_field(d, "assignee_id", "tickets.col.assignee", select_input(
            "assignee_id", assignees, default=d.values["assignee_id"].to(str), testid="move-assignee"))),
        rx.cond(needs.contains("reason"), form_field(d, "reason", "tickets.reason", data_testid="move-reason")),
        rx.cond(needs.contains("hold_until"), form_field(d, "hold_until", "tickets.hold_until", type_="date")),
        rx.cond(needs.contains("resolution"), form_field(d, "resolution", "tickets.resolution", rx.text_area(
            name="resolution", default_value=d.values["resolution"], rows="3", width="100%",
            data_testid="move-resolution"))),
    ]
