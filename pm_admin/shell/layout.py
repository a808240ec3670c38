"""The app frame: sidebar (only what the role may use), header, content."""

from __future__ import annotations

import reflex as rx

from pm_admin.core.base_state import AppState
from pm_admin.shell.nav import NAV_ITEMS, NavItem
from pm_admin.shell.state import ALL_COMMUNITIES, LOGOUT_SCRIPT, ShellState
from pm_admin.ui.i18n import t, t_prefixed
from pm_admin.ui.language import language_switch

SIDEBAR_WIDTH = "232px"
# Sidebar from the "md" breakpoint (992 px); below it, a drawer behind the menu button.
WIDE = ["none", "none", "none", "flex"]
NARROW = ["flex", "flex", "flex", "none"]


def brand() -> rx.Component:
    return rx.hstack(
        rx.center(rx.icon("house", size=18, color="white"), width="32px", height="32px",
                  border_radius="8px", background="var(--accent-9)"),
        rx.vstack(
            rx.text(t("app.name"), weight="bold", size="3"),
            rx.text("pm_admin", size="1", color_scheme="gray"),
            spacing="0",
        ),
        align="center",
        spacing="2",
        padding_x="16px",
        padding_y="18px",
    )


def nav_link(item: NavItem) -> rx.Component:
    active = AppState.router.url.path == item.href
    return rx.cond(
        ShellState.nav_keys.contains(item.key),
        rx.link(
            rx.hstack(
                rx.icon(item.icon, size=18),
                rx.text(t(f"nav.{item.key}"), size="2", weight=rx.cond(active, "bold", "regular")),
                align="center",
                spacing="3",
                padding_x="12px",
                padding_y="9px",
                border_radius="8px",
                background=rx.cond(active, "var(--accent-4)", "transparent"),
                color=rx.cond(active, "var(--accent-12)", "var(--gray-12)"),
                _hover={"background": "var(--accent-3)"},
                width="100%",
            ),
            href=item.href,
            underline="none",
            width="100%",
            data_nav=item.key,
        ),
    )


def nav_list() -> rx.Component:
    return rx.vstack(*[nav_link(item) for item in NAV_ITEMS], spacing="1", padding_x="10px", width="100%")


def sidebar() -> rx.Component:
    return rx.box(
        rx.vstack(brand(), nav_list(), spacing="2", width="100%"),
        display=WIDE,
        width=SIDEBAR_WIDTH,
        min_width=SIDEBAR_WIDTH,
        height="100vh",
        position="sticky",
        top="0",
        background="var(--gray-2)",
        border_right="1px solid var(--gray-5)",
        overflow_y="auto",
        class_name="no-print",
    )


def mobile_menu() -> rx.Component:
    return rx.box(
        rx.drawer.root(
            rx.drawer.trigger(rx.icon_button(rx.icon("menu"), variant="ghost", aria_label=t("shell.menu"))),
            rx.drawer.overlay(z_index="40"),
            rx.drawer.portal(
                rx.drawer.content(
                    rx.vstack(brand(), nav_list(), spacing="2", width="100%"),
                    width="260px",
                    height="100%",
                    overflow_y="auto",  # a long menu (a manager's) scrolls within the drawer
                    background="var(--gray-1)",
                    z_index="50",
                ),
            ),
            direction="left",
        ),
        display=NARROW,
    )


def community_switcher() -> rx.Component:
    return rx.select.root(
        rx.select.trigger(placeholder=t("shell.community"), min_width=["0", "120px", "150px"], width=["100%", "auto"],
                          data_testid="community-switcher"),
        rx.select.content(
            rx.cond(ShellState.can_pick_all, rx.select.item(t("shell.all_communities"), value=ALL_COMMUNITIES)),
            rx.foreach(ShellState.community_options,
                       lambda option: rx.select.item(option["label"], value=option["value"])),
        ),
        value=ShellState.current_community,
        on_change=ShellState.pick_community,
        size="2",
    )


def user_menu() -> rx.Component:
    return rx.menu.root(
        rx.menu.trigger(
            rx.button(
                rx.avatar(fallback=ShellState.display_name.to(str)[:1], size="1", radius="full"),
                rx.text(ShellState.display_name, size="2", display=["none", "none", "inline", "inline"]),
                rx.icon("chevron-down", size=14),
                variant="ghost",
                data_testid="user-menu",
            ),
        ),
        rx.menu.content(
            rx.box(
                rx.text(ShellState.username, size="2", weight="bold"),
                rx.flex(rx.foreach(ShellState.roles, lambda role: rx.badge(t_prefixed("role.", role))),
                        gap="1", wrap="wrap"),
                padding="8px",
            ),
            rx.menu.separator(),
            rx.menu.item(rx.icon("key-round", size=14), t("nav.password"),
                         on_click=rx.redirect("/account/password")),
            rx.menu.item(rx.icon("log-out", size=14), t("shell.logout"), color="red",
                         on_click=rx.call_script(LOGOUT_SCRIPT), data_testid="logout"),
        ),
    )


NOTICE_POLL_MS = 10000


def notice_bell() -> rx.Component:
    """Unread notices with a count; polled so an urgent ticket shows up without a reload."""
    count = ShellState.notices.length()
    return rx.cond(ShellState.watch_notices, rx.popover.root(
        rx.popover.trigger(rx.box(
            rx.icon_button(rx.icon("bell", size=16), variant="ghost", aria_label=t("shell.notices"), data_testid="notice-bell"),
            rx.cond(count > 0, rx.badge(count.to(str), color_scheme="red", radius="full", size="1", position="absolute",
                                        top="-6px", right="-8px", data_testid="notice-count")),
            position="relative")),
        rx.popover.content(
            rx.vstack(
                rx.hstack(rx.text(t("shell.notices"), weight="bold", size="2"), rx.spacer(),
                          rx.cond(count > 0, rx.button(t("shell.read_all"), size="1", variant="ghost",
                                                       on_click=ShellState.read_all_notices)), width="100%"),
                rx.cond(count == 0, rx.text(t("shell.no_notices"), size="2", color_scheme="gray")),
                rx.foreach(ShellState.notices, lambda n: rx.box(
                    rx.text(AppState.t[n["key"].to(str)], " ", n["code"], size="2", weight="medium"),
                    rx.text(n["detail"], " · ", n["at"], size="1", color_scheme="gray"),
                    on_click=ShellState.open_notice(n["id"]), cursor="pointer", padding="6px", border_radius="6px",
                    _hover={"background": "var(--accent-3)"}, width="100%", data_testid="notice-item")),
                spacing="2", width="100%"),
            width="320px"),
    ), rx.fragment())


# A phone (below 30em) gets two rows: menu, title, bell and user menu, then search, community and language. From a
# small tablet up, one row. ``order`` per breakpoint: [phone, wider].
HEADER_HEIGHT = ["96px", "60px"]  # assets/app.css --shell-header follows these (the board's sticky rail)


def _placed(component: rx.Component, phone: int, wide: int, **props) -> rx.Component:
    return rx.box(component, order=[str(phone), str(wide)], display="flex", align_items="center", **props)


def header(title_key: str, search: rx.Component | None = None, bell: rx.Component | None = None) -> rx.Component:
    """``search`` and ``bell``: what a higher layer puts in the header (the global search, the reminders bell; the
    shell cannot import them); without a bell, the notices bell."""
    return rx.flex(
        _placed(mobile_menu(), 0, 0),
        rx.heading(t(title_key), size="5", weight="bold", white_space="nowrap", overflow="hidden",
                   text_overflow="ellipsis", min_width="3em", flex=["1 1 0", "0 1 auto"], order=["1", "1"],
                   data_testid="page-title"),
        rx.spacer(order=["2", "2"], display=["none", "block"]),
        _placed(bell if bell is not None else notice_bell(), 2, 5),
        _placed(user_menu(), 3, 7),
        rx.box(flex_basis="100%", height="0", order=["4", "8"], display=["block", "none"]),  # the phone's 2nd row
        *([_placed(search, 5, 3)] if search is not None else []),
        _placed(community_switcher(), 6, 4, flex=["1 1 0", "0 0 auto"], min_width="0"),
        _placed(language_switch(), 7, 6),
        align="center",
        align_content="center",
        wrap="wrap",
        column_gap=["10px", "12px"],
        row_gap="8px",
        padding_x=["12px", "16px", "24px"],
        height=HEADER_HEIGHT,
        border_bottom="1px solid var(--gray-5)",
        background="var(--color-panel-solid)",
        position="sticky",
        top="0",
        z_index="10",
        width="100%",
        class_name="no-print",
        data_testid="shell-header",
    )


def loading() -> rx.Component:
    return rx.center(rx.spinner(size="3"), padding="80px")


def no_access() -> rx.Component:
    """The page a role may not use: which page, the permission missing, the user's roles, a link home."""
    return rx.center(
        rx.card(
            rx.vstack(
                rx.hstack(rx.icon("shield-x", size=28, color="var(--red-9)"),
                          rx.heading(t("shell.no_access"), size="6", data_testid="no-access-title"), align="center"),
                rx.text(t("shell.no_access_page"), " ", rx.text.strong(AppState.t[ShellState.denied_title_key]),
                        size="3"),
                rx.hstack(rx.text(t("shell.no_access_missing"), size="2", color_scheme="gray"),
                          rx.foreach(ShellState.denied_permissions,
                                     lambda p: rx.code(p, data_testid="no-access-permission")),
                          spacing="2", align="center", wrap="wrap"),
                rx.hstack(rx.text(t("shell.no_access_roles"), size="2", color_scheme="gray"),
                          rx.foreach(ShellState.roles, lambda role: rx.badge(t_prefixed("role.", role))),
                          spacing="2", align="center", wrap="wrap"),
                rx.text(t("shell.no_access_hint"), size="2", color_scheme="gray"),
                rx.link(rx.button(rx.icon("house", size=14), t("shell.no_access_home")), href="/",
                        data_testid="no-access-home"),
                spacing="3", align="start"),
            size="3", max_width="560px", width="100%"),
        padding_y="64px", padding_x="16px", width="100%", data_testid="no-access")


def frame(title_key: str, *children: rx.Component, search: rx.Component | None = None,
          bell: rx.Component | None = None) -> rx.Component:
    """A protected page: nothing of the content renders until the server confirmed the user, and only the 无权限
    page when the user may not open it (``ShellState.denied``)."""
    return rx.flex(
        sidebar(),
        rx.box(
            header(title_key, search, bell),
            rx.cond(
                ShellState.signed_in,
                rx.cond(ShellState.denied, no_access(),
                        rx.box(*children, padding=["16px", "16px", "24px", "28px"], max_width="1440px")),
                loading(),
            ),
            rx.cond(ShellState.watch_notices,
                    rx.moment(interval=NOTICE_POLL_MS, format="HH:mm:ss", on_change=ShellState.poll_notices,
                              display="none")),
            flex="1",
            min_width="0",
        ),
        width="100%",
        min_height="100vh",
        background="var(--gray-1)",
    )


def print_frame(*children: rx.Component) -> rx.Component:
    """A print layout (``/print/...``): no sidebar and no header, under the same checks as a framed page (signed in,
    the page's permission, else the 无权限 page)."""
    return rx.box(
        rx.cond(ShellState.signed_in, rx.cond(ShellState.denied, no_access(), rx.fragment(*children)), loading()),
        class_name="print-page",
    )
