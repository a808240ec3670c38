"""Home page: figures for the user's role and communities."""

from __future__ import annotations

import reflex as rx

from pm_admin.home.state import HomeState
from pm_admin.shell.layout import frame
from pm_admin.ui.cards import section, stat_grid
from pm_admin.ui.i18n import t, t_prefixed


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
    return frame(
        "nav.home",
        rx.vstack(
            rx.hstack(
                rx.text(t("home.welcome"), size="3"),
                rx.foreach(HomeState.roles, lambda role: rx.badge(t_prefixed("role.", role), size="2")),
                align="center",
                spacing="2",
            ),
            section(t("home.places"), stat_grid(HomeState.place_stats)),
            rx.grid(
                rx.card(rx.vstack(rx.heading(t("home.occupancy"), size="3", weight="medium"),
                                  rx.foreach(HomeState.occupancy, occupancy_bar), spacing="3", width="100%")),
                rx.cond(
                    HomeState.staff_stats.length() > 0,
                    rx.card(rx.vstack(
                        rx.heading(t("home.staff"), size="3", weight="medium"),
                        stat_grid(HomeState.staff_stats, columns="3"),
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
