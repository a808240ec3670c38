"""The login page (public)."""

from __future__ import annotations

import reflex as rx

from pm_admin.auth.states.sign_in import LoginState
from pm_admin.ui.forms import form_error_banner
from pm_admin.ui.i18n import t
from pm_admin.ui.language import language_switch


def login_page() -> rx.Component:
    return rx.center(
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.center(rx.icon("house", size=22, color="white"), width="40px", height="40px",
                              border_radius="10px", background="var(--accent-9)"),
                    rx.vstack(
                        rx.heading(t("app.name"), size="5"),
                        rx.text(t("login.subtitle"), size="2", color_scheme="gray"),
                        spacing="0",
                    ),
                    rx.spacer(),
                    language_switch(),
                    align="center",
                    width="100%",
                ),
                rx.form(
                    rx.vstack(
                        rx.text(t("login.username"), size="2", weight="medium", as_="label"),
                        rx.input(name="username", auto_complete="username", size="3", width="100%",
                                 auto_focus=True, data_testid="login-username"),
                        rx.text(t("login.password"), size="2", weight="medium", as_="label"),
                        rx.input(name="password", type="password", auto_complete="current-password", size="3",
                                 width="100%", data_testid="login-password"),
                        form_error_banner(LoginState.error),
                        # Enabled once the page's load event (which resets the form) has run: a sign-in sent
                        # earlier would have its error message wiped by that reset. Busy (a spinner, disabled) from
                        # the click until the next page: the password check alone takes a few hundred ms.
                        rx.button(t("login.submit"), type="submit", size="3", width="100%",
                                  loading=LoginState.busy, disabled=~rx.State.is_hydrated | LoginState.busy,
                                  data_testid="login-submit"),
                        spacing="3",
                        width="100%",
                    ),
                    on_submit=LoginState.login,
                    width="100%",
                ),
                spacing="5",
                width="100%",
            ),
            size="4",
            width="400px",
            max_width="92vw",
        ),
        min_height="100vh",
        background="linear-gradient(135deg, var(--accent-2), var(--gray-3))",
    )
