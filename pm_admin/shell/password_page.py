"""Change-password page (also where a temporary password must be replaced)."""

from __future__ import annotations

import reflex as rx

from pm_admin.auth.states.sign_in import PasswordState
from pm_admin.shell.state import ShellState
from pm_admin.ui.forms import field, text_input
from pm_admin.ui.i18n import t


def password_page() -> rx.Component:
    state = PasswordState
    return rx.card(
        rx.form(
            rx.vstack(
                rx.cond(ShellState.must_change_password,
                        rx.callout(t("auth.must_change_password"), icon="info", color_scheme="amber")),
                field("password.current", text_input("current_password", type_="password",
                                                     auto_complete="current-password"),
                      state.errors["current_password"]),
                field("password.new", text_input("new_password", type_="password", auto_complete="new-password"),
                      state.errors["new_password"], hint_key="password.hint"),
                field("password.confirm", text_input("confirm_password", type_="password",
                                                     auto_complete="new-password"),
                      state.errors["confirm_password"]),
                rx.button(t("password.submit"), type="submit", data_testid="password-submit"),
                spacing="3",
                width="100%",
            ),
            on_submit=state.change,
            reset_on_submit=False,
        ),
        max_width="460px",
    )
