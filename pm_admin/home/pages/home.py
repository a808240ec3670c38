"""Home page: per role, the work waiting in the user's communities, each figure a link to where it is done."""

from __future__ import annotations

from typing import Any

import reflex as rx

from pm_admin.core.base_state import AppState
from pm_admin.home.states.home import HomeState
from pm_admin.ui.i18n import t, t_prefixed


def figure_card(figure: rx.Var) -> rx.Component:
    """A figure that opens its page; late or waiting work above zero shows in red."""
    return rx.link(
        rx.card(
            rx.vstack(
                rx.text(AppState.t[figure["key"].to(str)], size="2", color_scheme="gray"),
                rx.text(figure["value"], size="7", weight="bold", data_testid=figure["key"],
                        color=rx.cond(figure["attention"].to(bool), "var(--red-11)", "var(--gray-12)")),
                spacing="1",
            ),
            size="2",
            width="100%",
            height="100%",
        ),
        href=figure["href"].to(str),
        underline="none",
        data_testid="home-figure",
    )


def section_block(section: rx.Var) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.heading(AppState.t[section["key"].to(str)], size="3", weight="medium"),
            rx.cond(
                section["link_href"].to(str) != "",
                rx.link(AppState.t[section["link_key"].to(str)], " →", href=section["link_href"].to(str), size="2"),
            ),
            align="baseline",
            spacing="3",
        ),
        rx.grid(
            rx.foreach(section["figures"].to(list[dict[str, Any]]), figure_card),
            columns=rx.breakpoints(initial="2", sm="3", lg="5"),
            spacing="3",
            width="100%",
        ),
        spacing="3",
        width="100%",
        padding_top="8px",
    )


def occupancy_bar(item: rx.Var) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.text(t_prefixed("occupancy.", item["value"]), size="2"),
            rx.spacer(),
            rx.text(item["count"], " (", item["percent"], "%)", size="2", color_scheme="gray"),
            width="100%",
        ),
        rx.progress(value=item["percent"].to(int), max=100, size="2", color_scheme=rx.match(item["value"], ("owner_occupied", "teal"), ("rented", "amber"), "gray")),
        spacing="1",
        width="100%",
    )


def role_badge(item: rx.Var) -> rx.Component:
    return rx.badge(t_prefixed("role.", item["value"]), ": ", item["count"], size="2", variant="soft")


def home_page() -> rx.Component:
    return rx.fragment(
        rx.vstack(
            rx.hstack(
                rx.text(t("home.welcome"), size="3"),
                rx.foreach(HomeState.roles, lambda role: rx.badge(t_prefixed("role.", role), size="2")),
                align="center",
                spacing="2",
            ),
            rx.foreach(HomeState.sections, section_block),
            rx.grid(
                rx.cond(
                    HomeState.occupancy.length() > 0,
                    rx.card(rx.vstack(rx.heading(t("home.occupancy"), size="3", weight="medium"),
                                      rx.foreach(HomeState.occupancy, occupancy_bar), spacing="3", width="100%")),
                ),
                rx.cond(
                    HomeState.role_counts.length() > 0,
                    rx.card(rx.vstack(rx.heading(t("home.staff"), size="3", weight="medium"),
                                      rx.flex(rx.foreach(HomeState.role_counts, role_badge), wrap="wrap", gap="2"),
                                      spacing="3", width="100%")),
                ),
                columns=rx.breakpoints(initial="1", md="2"),
                spacing="4",
                width="100%",
            ),
            spacing="5",
            width="100%",
        ),
    )
