"""Figure cards for home and dashboard pages."""

from __future__ import annotations

import reflex as rx

from pm_admin.core.base_state import AppState


def stat_card(stat: rx.Var) -> rx.Component:
    """``stat`` is ``{"key": catalog key of the label, "value": text}``."""
    return rx.card(
        rx.vstack(
            rx.text(AppState.t[stat["key"].to(str)], size="2", color_scheme="gray"),
            rx.text(stat["value"], size="7", weight="bold", data_testid=stat["key"]),
            spacing="1",
        ),
        size="2",
    )


def stat_grid(stats: rx.Var, columns: str | None = None) -> rx.Component:
    layout = columns or rx.breakpoints(initial="2", sm="3", lg="5")
    return rx.grid(rx.foreach(stats, stat_card), columns=layout, spacing="3", width="100%")


def section(title: rx.Var, *children: rx.Component) -> rx.Component:
    return rx.vstack(rx.heading(title, size="3", weight="medium"), *children, spacing="3", width="100%",
                     padding_top="8px")


def figure_card(label_key: str, value: rx.Var | str, testid: str = "") -> rx.Component:
    from pm_admin.ui.i18n import t

    return rx.card(rx.vstack(rx.text(t(label_key), size="2", color_scheme="gray"),
                             rx.text(value, size="7", weight="bold", data_testid=testid or label_key), spacing="1"),
                   size="2")
