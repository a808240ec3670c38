"""Owner sign-in (phone + password or phone + code) and activation from an invitation link."""

from __future__ import annotations

import reflex as rx

from pm_admin.portal.pages.layout import bare_frame
from pm_admin.portal.states.sign_in import ActivationState, PortalLoginState
from pm_admin.ui.forms import field, form_error_banner, notice, text_input
from pm_admin.ui.i18n import t


def portal_login_page() -> rx.Component:
    state = PortalLoginState
    return bare_frame(
        rx.segmented_control.root(
            rx.segmented_control.item(t("portal.with_password"), value="password"),
            rx.segmented_control.item(t("portal.with_code"), value="code"),
            value=rx.cond(state.with_code, "code", "password"), on_change=lambda v: state.use_code(v == "code"),
            width="100%", data_testid="portal-login-mode",
        ),
        rx.form(
            rx.vstack(
                field("portal.phone", text_input("phone", type_="tel", auto_complete="tel", size="3",
                                                 on_blur=state.remember_phone, data_testid="portal-phone"), ""),
                rx.cond(
                    state.with_code,
                    rx.hstack(
                        text_input("code", inputmode="numeric", auto_complete="one-time-code", size="3",
                                   placeholder_key="portal.code", data_testid="portal-code"),
                        rx.button(t("portal.send_code"), type="button", variant="soft", size="3",
                                  on_click=state.send_code,
                                  data_testid="portal-send-code"),
                        width="100%",
                    ),
                    field("portal.password", text_input("password", type_="password",
                                                        auto_complete="current-password", size="3",
                                                        data_testid="portal-password"), ""),
                ),
                form_error_banner(state.error),
                rx.cond(state.notice != "", notice(state.notice)),
                rx.button(t("portal.sign_in"), type="submit", size="3", width="100%", loading=state.busy,
                          disabled=~rx.State.is_hydrated, data_testid="portal-sign-in"),
                spacing="3", width="100%",
            ),
            on_submit=state.login, width="100%",
        ),
        rx.text(t("portal.no_account_hint"), size="2", color_scheme="gray"),
    )


def activation_page() -> rx.Component:
    state = ActivationState
    return bare_frame(
        rx.heading(t("portal.activate_title"), size="4"),
        rx.cond(
            state.invalid != "",
            rx.callout(state.invalid, icon="triangle-alert", color_scheme="red", data_testid="activation-invalid"),
            rx.form(
                rx.vstack(
                    rx.text(t("portal.code_goes_to"), " ", rx.text.strong(state.phone), size="2",
                            data_testid="activation-phone"),
                    rx.button(t("portal.send_code"), type="button", variant="soft", on_click=state.send_code,
                              data_testid="activation-send-code"),
                    rx.cond(state.notice != "", notice(state.notice)),
                    field("portal.code", text_input("code", inputmode="numeric", auto_complete="one-time-code",
                                                    size="3", data_testid="activation-code"), state.errors["code"]),
                    field("portal.new_password", text_input("password", type_="password", auto_complete="new-password",
                                                            size="3", data_testid="activation-password"),
                          state.errors["password"], hint_key="portal.password_hint"),
                    field("portal.confirm_password", text_input("confirm_password", type_="password",
                                                                auto_complete="new-password", size="3",
                                                                data_testid="activation-confirm"),
                          state.errors["confirm_password"]),
                    rx.button(t("portal.activate"), type="submit", size="3", width="100%", loading=state.busy,
                              disabled=~rx.State.is_hydrated, data_testid="activation-submit"),
                    spacing="3", width="100%",
                ),
                on_submit=state.activate, width="100%",
            ),
        ),
    )
