"""The portal's phone-sized frame: a title bar and a bottom tab bar, 390 px first, centred on wider screens."""

from __future__ import annotations

import reflex as rx

from pm_admin.portal.states.home import PortalHomeState
from pm_admin.ui.i18n import t
from pm_admin.ui.language import language_switch

TABS = (("house", "portal.nav.home", "/portal"), ("wrench", "portal.nav.report", "/portal/report"),
        ("list-checks", "portal.nav.tickets", "/portal/tickets"), ("clipboard-pen-line", "portal.nav.surveys",
                                                                  "/portal/surveys"),
        ("message-square-dashed", "portal.nav.feedback", "/portal/feedback"),
        ("circle-user-round", "portal.nav.profile", "/portal/profile"))


def _tab(icon: str, label_key: str, href: str) -> rx.Component:
    return rx.link(
        rx.vstack(rx.icon(icon, size=20), rx.text(t(label_key), size="1"), spacing="0", align="center"),
        href=href, underline="none", color="var(--gray-11)", flex="1", padding_y="6px",
        data_testid=f"portal-tab-{href.rsplit('/', 1)[-1] or 'home'}",
    )


def portal_frame(title_key: str, *children: rx.Component) -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.heading(t(title_key), size="4", white_space="nowrap", data_testid="portal-title"),
            rx.spacer(),
            language_switch(),
            rx.icon_button(rx.icon("log-out", size=16), variant="ghost", size="2", aria_label=t("portal.sign_out"),
                           on_click=PortalHomeState.sign_out, data_testid="portal-sign-out"),
            align="center", padding="12px 14px", border_bottom="1px solid var(--gray-4)",
            position="sticky", top="0", background="var(--color-background)", z_index="2",
        ),
        rx.vstack(*children, spacing="4", padding="14px", padding_bottom="84px", width="100%"),
        rx.hstack(*[_tab(*tab) for tab in TABS], position="fixed", bottom="0", left="50%",
                  transform="translateX(-50%)", width="100%", max_width="480px", spacing="0",
                  border_top="1px solid var(--gray-4)", background="var(--color-background)", z_index="2"),
        max_width="480px", margin="0 auto", min_height="100vh", background="var(--gray-1)",
    )


def bare_frame(*children: rx.Component) -> rx.Component:
    """Sign-in and activation: no tab bar."""
    return rx.box(
        rx.hstack(rx.heading(t("portal.name"), size="5"), rx.spacer(), language_switch(), align="center",
                  width="100%"),
        rx.vstack(*children, spacing="4", width="100%", padding_top="20px"),
        max_width="420px", margin="0 auto", padding="20px 16px", min_height="100vh",
    )


def status_badge(status: rx.Var, text: rx.Var) -> rx.Component:
    return rx.badge(text, color_scheme=rx.match(status, ("resolved", "orange"), ("closed", "green"),
                                                ("cancelled", "gray"), ("invalid", "gray"), "blue"), size="2")
