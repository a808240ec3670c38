"""Audit log page: filters, server-side paging, read only."""

from __future__ import annotations

import reflex as rx

from pm_admin.audit.state import OUTCOMES, AuditState
from pm_admin.shell.layout import frame
from pm_admin.ui.i18n import t, t_prefixed
from pm_admin.ui.table import Column, data_table


def outcome_badge(row: rx.Var) -> rx.Component:
    return rx.badge(t_prefixed("audit.outcome.", row["outcome"]),
                    color_scheme=rx.match(row["outcome"], ("ok", "green"), ("denied", "red"), "amber"))


def changes_cell(row: rx.Var) -> rx.Component:
    return rx.text(row["changes"], size="1", white_space="pre-wrap", word_break="break-word", min_width="220px",
                   max_width="420px", font_family="var(--code-font-family)")


def filters() -> rx.Component:
    state = AuditState
    return rx.form(
        rx.flex(
            rx.input(name="action", placeholder=t("audit.action"), default_value=state.action, width="160px"),
            rx.input(name="actor", placeholder=t("audit.actor"), default_value=state.actor, width="140px"),
            rx.input(name="entity_type", placeholder=t("audit.entity_type"), default_value=state.entity_type,
                     width="120px"),
            rx.input(name="entity_id", placeholder=t("audit.entity_id"), default_value=state.entity_id,
                     width="100px"),
            rx.select.root(
                rx.select.trigger(placeholder=t("audit.outcome")),
                rx.select.content(*[rx.select.item(t(f"audit.outcome.{o}"), value=o) for o in OUTCOMES]),
                name="outcome",
            ),
            rx.input(name="since", type="date", default_value=state.since, width="150px"),
            rx.input(name="until", type="date", default_value=state.until, width="150px"),
            rx.button(t("common.filter"), type="submit"),
            rx.button(t("common.reset"), type="button", variant="ghost", on_click=state.clear_filters),
            gap="2",
            wrap="wrap",
            align="center",
        ),
        on_submit=state.apply_filters,
        padding_bottom="16px",
    )


def audit_page() -> rx.Component:
    columns = [
        Column("occurred_at", "audit.time", render=lambda row: rx.text(row["occurred_at"], size="2",
                                                                      white_space="nowrap")),
        Column("actor_name", "audit.actor"),
        Column("action", "audit.action"),
        Column("outcome", "audit.outcome", render=outcome_badge),
        Column("entity_type", "audit.entity_type"),
        Column("entity_id", "audit.entity_id"),
        Column("community_name", "places.community"),
        Column("changes", "audit.changes", render=changes_cell),
        Column("client_ip", "audit.client_ip"),
    ]
    return frame("nav.audit", filters(), data_table(AuditState, columns, testid="audit-table", min_width="1100px"))
