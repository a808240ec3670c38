"""The header's global search (a box that opens the palette; Ctrl+K anywhere, ``assets/shortcuts.js``) and the
reminders bell. The palette is keyboard navigable: ↓/↑ move through the results, Enter opens one."""

from __future__ import annotations

import reflex as rx

from pm_admin.core.base_state import AppState
from pm_admin.home.states.header import BellState, GlobalSearchState
from pm_admin.shell.state import ShellState
from pm_admin.ui.forms import palette_dialog
from pm_admin.ui.i18n import t

SEARCH_DEBOUNCE_MS = 200


def _hit(hit: rx.Var) -> rx.Component:
    return rx.dialog.close(rx.link(
        rx.hstack(
            rx.text(hit["title"], size="2", weight="medium", white_space="nowrap", overflow="hidden",
                    text_overflow="ellipsis"),
            rx.cond(hit["tag_key"].to(str) != "", rx.badge(AppState.t[hit["tag_key"].to(str)], size="1")),
            rx.spacer(),
            rx.text(hit["detail"], size="1", color_scheme="gray", white_space="nowrap"),
            align="center", spacing="2", width="100%"),
        href=hit["href"].to(str), underline="none", color="var(--gray-12)", display="block", padding="6px 10px",
        border_radius="6px", _hover={"background": "var(--accent-3)"},
        _focus={"background": "var(--accent-4)", "outline": "2px solid var(--accent-8)"},
        data_search_hit="", data_testid="search-hit"), as_child=True)


def _group(group: rx.Var) -> rx.Component:
    return rx.vstack(
        rx.text(AppState.t["search.group." + group["key"].to(str)], size="1", weight="bold", color_scheme="gray",
                padding_x="10px"),
        rx.foreach(group["hits"].to(list[dict]), _hit),
        spacing="1", width="100%", data_testid="search-group", data_group=group["key"].to(str))


def search_palette() -> rx.Component:
    """The header box (an input's look, a button's behaviour) and the palette it opens."""
    return palette_dialog(
        rx.button(
            rx.icon("search", size=14),
            rx.text(t("search.open"), size="2", display=["none", "none", "inline", "inline"]),
            rx.badge("Ctrl K", variant="outline", color_scheme="gray", size="1",
                     display=["none", "none", "inline-flex", "inline-flex"]),
            variant="surface", color_scheme="gray", size="2", aria_label=t("search.open"),
            data_testid="global-search-open"),
        title=t("search.title"),
        body=[
            rx.debounce_input(rx.input(
                placeholder=t("search.placeholder"), on_change=GlobalSearchState.search, auto_focus=True,
                size="3", width="100%", data_testid="global-search-input"), debounce_timeout=SEARCH_DEBOUNCE_MS),
            rx.box(
                rx.cond(GlobalSearchState.throttled,
                        rx.callout(t("search.throttled"), icon="triangle-alert", color_scheme="orange", size="1")),
                rx.cond(GlobalSearchState.searched & (GlobalSearchState.groups.length() == 0)
                        & ~GlobalSearchState.throttled,
                        rx.text(t("search.nothing"), size="2", color_scheme="gray", data_testid="search-nothing")),
                rx.vstack(rx.foreach(GlobalSearchState.groups, _group), spacing="3", width="100%"),
                rx.text(t("search.hint"), size="1", color_scheme="gray"),
                max_height="60vh", overflow_y="auto", width="100%", padding_top="12px",
                display="flex", flex_direction="column", gap="8px"),
        ],
        testid="global-search",
        on_open_change=GlobalSearchState.reset_results,
    )


def reminder_bell() -> rx.Component:
    """The user's waiting work with links (``BellState``) and the unread notices (``ShellState``)."""
    notices = ShellState.notices.length()
    total = BellState.total + notices
    return rx.popover.root(
        rx.popover.trigger(rx.box(
            rx.icon_button(rx.icon("bell", size=16), variant="ghost", aria_label=t("shell.notices"),
                           data_testid="notice-bell"),
            rx.cond(total > 0, rx.badge(rx.cond(total > 99, "99+", total.to(str)), color_scheme="red", radius="full", size="1",
                                        position="absolute", top="-6px", right="-8px", pointer_events="none",
                                        data_testid="notice-count")),
            position="relative")),
        rx.popover.content(
            rx.vstack(
                rx.hstack(rx.text(t("shell.notices"), weight="bold", size="2"), rx.spacer(),
                          rx.cond(notices > 0, rx.button(t("shell.read_all"), size="1", variant="ghost",
                                                         on_click=ShellState.read_all_notices)), width="100%"),
                rx.cond(total == 0, rx.text(t("shell.no_notices"), size="2", color_scheme="gray",
                                            data_testid="bell-empty")),
                rx.foreach(BellState.items, lambda item: rx.popover.close(rx.link(
                    rx.hstack(rx.text(AppState.t[item["key"].to(str)], size="2"), rx.spacer(),
                              rx.badge(item["count"].to(str), color_scheme="red", data_testid="bell-count"),
                              width="100%", align="center"),
                    href=item["href"].to(str), underline="none", color="var(--gray-12)", display="block",
                    padding="6px", border_radius="6px", _hover={"background": "var(--accent-3)"}, width="100%",
                    data_testid="bell-item", data_key=item["key"].to(str)), as_child=True)),
                rx.cond((BellState.total > 0) & (notices > 0), rx.separator(size="4")),
                rx.foreach(ShellState.notices, lambda n: rx.box(
                    rx.text(AppState.t[n["key"].to(str)], " ", n["code"], size="2", weight="medium"),
                    rx.text(n["detail"], " · ", n["at"], size="1", color_scheme="gray"),
                    on_click=ShellState.open_notice(n["id"]), cursor="pointer", padding="6px", border_radius="6px",
                    _hover={"background": "var(--accent-3)"}, width="100%", data_testid="notice-item")),
                spacing="1", width="100%", data_testid="bell-panel"),
            width="340px"),
    )
