"""Audit log page: filters, server-side paging, read only."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

from pm_admin.audit.queries import OUTCOMES, action_codes, entity_types
from pm_admin.audit.state import AuditState
from pm_admin.shell.layout import frame
from pm_admin.ui.i18n import t, t_prefixed
from pm_admin.ui.table import Column, data_table


def outcome_badge(row: rx.Var) -> rx.Component:
    return rx.badge(t_prefixed("audit.outcome.", row["outcome"]),
                    color_scheme=rx.match(row["outcome"], ("ok", "green"), ("denied", "red"), "amber"))


def changes_cell(row: rx.Var) -> rx.Component:
    return rx.text(row["changes"], size="1", white_space="pre-wrap", word_break="break-word", min_width="220px",
                   max_width="420px", font_family="var(--code-font-family)")


def labelled(label_key: str, control: rx.Component) -> rx.Component:
    return rx.vstack(rx.text(t(label_key), size="1", color_scheme="gray"), control, spacing="1")


def picker(name: str, label_key: str, items: list[rx.Component], width: str = "170px") -> rx.Component:
    """A filter select whose first entry ("all") clears the filter; the form submits the choice."""
    value = AuditState.filters[name].to(str)
    return labelled(label_key, rx.select.root(
        rx.select.trigger(width=width, data_testid=f"audit-{name}"),
        rx.select.content(rx.select.item(t("common.all"), value="all"), *items),
        name=name,
        default_value=rx.cond(value == "", "all", value),
    ))


def text_filter(name: str, label_key: str, width: str, **props) -> rx.Component:
    return labelled(label_key, rx.input(name=name, default_value=AuditState.filters[name], width=width, **props))


def coded(prefix: str, codes: list[str]) -> list[rx.Component]:
    """Items for codes the catalog labels (``audit.action.owner.update`` …), labels in the reader's language."""
    return [rx.select.item(t(f"{prefix}{code}"), value=code) for code in codes]


def filters() -> rx.Component:
    state = AuditState
    return rx.form(
        rx.flex(
            picker("action", "audit.action", coded("audit.action.", action_codes()), width="200px"),
            picker("community", "places.community", [rx.foreach(
                state.community_choices, lambda c: rx.select.item(c["label"], value=c["value"]))]),
            text_filter("actor", "audit.actor", "140px"),
            picker("entity_type", "audit.entity_type", coded("audit.entity.", entity_types()), width="140px"),
            text_filter("entity_id", "audit.entity_id", "100px"),
            picker("outcome", "audit.outcome", coded("audit.outcome.", list(OUTCOMES)), width="110px"),
            text_filter("since", "audit.since", "150px", type="date"),
            text_filter("until", "audit.until", "150px", type="date"),
            rx.button(t("common.filter"), type="submit"),
            rx.button(t("common.reset"), type="button", variant="ghost", on_click=state.clear_filters),
            gap="3",
            wrap="wrap",
            align="end",
        ),
        on_submit=state.apply_filters,
        key=state.form_key.to(str),
        padding_bottom="16px",
    )


def coded_cell(label: str, code: str) -> Callable[[rx.Var], rx.Component]:
    """The translated label, with the stored code on hover (what the log really holds)."""
    return lambda row: rx.text(row[label], size="2", title=row[code])


def audit_page() -> rx.Component:
    columns = [
        Column("occurred_at", "audit.time", render=lambda row: rx.text(row["occurred_at"], size="2",
                                                                      white_space="nowrap")),
        Column("actor_name", "audit.actor"),
        Column("action", "audit.action", render=coded_cell("action_label", "action")),
        Column("outcome", "audit.outcome", render=outcome_badge),
        Column("entity_type", "audit.entity_type", render=coded_cell("entity_label", "entity_type")),
        Column("entity_id", "audit.entity_id"),
        Column("community_name", "places.community"),
        Column("changes", "audit.changes", render=changes_cell),
        Column("client_ip", "audit.client_ip"),
    ]
    return frame("nav.audit", filters(), data_table(AuditState, columns, testid="audit-table", min_width="1100px"))
