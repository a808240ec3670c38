"""Audit log page: filters, server-side paging, read only."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

from pm_admin.audit.queries import OUTCOMES, action_codes, entity_types
from pm_admin.audit.states.audit import AuditState
from pm_admin.ui.filters import choose, filter_bar, pick, typed, typed_filters
from pm_admin.ui.i18n import t_prefixed
from pm_admin.ui.table import Column, data_table


def outcome_badge(row: rx.Var) -> rx.Component:
    return rx.badge(t_prefixed("audit.outcome.", row["outcome"]),
                    color_scheme=rx.match(row["outcome"], ("ok", "green"), ("denied", "red"), "amber"))


def changes_cell(row: rx.Var) -> rx.Component:
    return rx.text(row["changes"], size="1", white_space="pre-wrap", word_break="break-word", min_width="220px",
                   max_width="420px", font_family="var(--code-font-family)")


def coded(codes: list[str]) -> list[dict[str, str]]:
    """Options for codes the catalog labels (``audit.action.owner.update`` …), in the reader's language."""
    return [{"value": code, "label": code} for code in codes]


def filters() -> rx.Component:
    state = AuditState
    return filter_bar(
        state,
        choose(state, "action", coded(action_codes()), "audit.all_actions", label_prefix="audit.action.",
               testid="audit-action"),
        pick(state, "community", "shell.all_communities", testid="audit-community"),
        choose(state, "entity_type", coded(entity_types()), "audit.all_entities", label_prefix="audit.entity.",
               testid="audit-entity_type"),
        choose(state, "outcome", coded(list(OUTCOMES)), "audit.all_outcomes", label_prefix="audit.outcome.",
               testid="audit-outcome"),
        typed_filters(
            state,
            typed(state, "actor", label_key="audit.actor", width="140px"),
            typed(state, "entity_id", label_key="audit.entity_id", width="100px"),
            typed(state, "since", label_key="audit.since", type="date"),
            typed(state, "until", label_key="audit.until", type="date"),
        ),
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
    return rx.fragment(filters(), data_table(AuditState, columns, testid="audit-table", min_width="1100px"))
