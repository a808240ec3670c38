"""A vertical timeline of ``TimelineItem`` dicts (see pm_admin.owners.timeline)."""

from __future__ import annotations

import reflex as rx

from pm_admin.core.base_state import AppState
from pm_admin.ui.i18n import t

KIND_COLORS = tuple((kind, f"var(--{color}-9)") for kind, color in (
    ("ownership", "teal"), ("change", "blue"), ("ticket", "orange"), ("callback", "green"), ("archive", "purple"),
    ("survey", "cyan"), ("arrears", "red"), ("census", "amber"), ("visit", "indigo")))


def timeline_item(item: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.box(width="10px", height="10px", border_radius="50%", margin_top="6px", flex_shrink="0",
               background=rx.match(item["kind"], *KIND_COLORS, "var(--gray-9)")),
        rx.vstack(
            rx.hstack(
                rx.text(AppState.t[item["title_key"].to(str)], weight="medium", size="2"),
                rx.text(item["at_text"], size="1", color_scheme="gray"),
                spacing="3", align="baseline",
            ),
            rx.cond(item["link"] != "", rx.link(item["detail"], href=item["link"].to(str), size="2"),
                    rx.text(item["detail"], size="2", color_scheme="gray")),
            spacing="0",
        ),
        spacing="3", align="start", padding_bottom="14px", border_left="2px solid var(--gray-5)",
        padding_left="12px", margin_left="4px",
    )


def timeline(items: rx.Var) -> rx.Component:
    return rx.box(
        rx.foreach(items, timeline_item),
        rx.cond(items.length() == 0, rx.text(t("common.no_rows"), color_scheme="gray", size="2")),
        data_testid="timeline",
    )
