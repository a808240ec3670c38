"""The owner's profile: name, masked phone, rooms; the registry's contact data and a request to change it (staff
decide, the owner reads why when refused); SMS and e-mail notices on or off."""

from __future__ import annotations

import reflex as rx

from pm_admin.portal.pages.layout import portal_frame
from pm_admin.portal.states.profile import PortalProfileState
from pm_admin.ui.forms import field, form_error_banner, notice, text_input
from pm_admin.ui.i18n import t, t_prefixed

S = PortalProfileState
ME = S.me


def _line(label_key: str, value: rx.Var, testid: str) -> rx.Component:
    return rx.hstack(rx.text(t(label_key), size="2", color_scheme="gray", white_space="nowrap"), rx.spacer(),
                     rx.text(value, size="2", weight="medium", text_align="right", data_testid=testid),
                     width="100%", align="baseline")


def _changes(request: rx.Var) -> rx.Component:
    """The changes a request asks for, phones masked."""
    return rx.vstack(
        rx.cond(request["phone"].to(str) != "", _line("portal.new_phone", request["phone"].to(str), "request-phone")),
        rx.cond(request["phone2"].to(str) != "", _line("portal.new_phone2", request["phone2"].to(str),
                                                       "request-phone2")),
        rx.cond(request["drop_phone2"].to(bool), rx.text(t("portal.drop_phone2"), size="2")),
        rx.cond(request["address"].to(str) != "", _line("portal.new_address", request["address"].to(str),
                                                        "request-address")),
        spacing="1", width="100%",
    )


def _who() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(ME["name"].to(str), size="4", weight="bold", data_testid="profile-name"),
            _line("portal.sign_in_phone", ME["phone"].to(str), "profile-phone"),
            rx.text(t("portal.my_rooms"), size="2", color_scheme="gray"),
            rx.foreach(ME["rooms"].to(list[dict[str, str]]), lambda room: rx.text(room["label"], size="2",
                                                                                 weight="medium")),
            spacing="2", width="100%",
        ),
        width="100%", data_testid="profile-card",
    )


def _contact() -> rx.Component:
    waiting, decided = ME["waiting"].to(dict), ME["decided"].to(dict)
    return rx.vstack(
        rx.heading(t("portal.contact_data"), size="3"),
        rx.card(rx.vstack(
            _line("portal.phone1", rx.cond(ME["phone1"].to(str) != "", ME["phone1"].to(str), "—"), "profile-phone1"),
            _line("portal.phone2", rx.cond(ME["phone2"].to(str) != "", ME["phone2"].to(str), "—"), "profile-phone2"),
            _line("portal.address", rx.cond(ME["address"].to(str) != "", ME["address"].to(str), "—"),
                  "profile-address"),
            spacing="2", width="100%"), width="100%"),
        rx.cond(
            ME["has_decided"].to(bool),
            rx.callout.root(
                rx.callout.icon(rx.cond(decided["status"].to(str) == "approved", rx.icon("circle-check"),
                                        rx.icon("circle-x"))),
                rx.callout.text(rx.vstack(
                    rx.text(t_prefixed("portal.request.", decided["status"].to(str)), " · ",
                            decided["decided_at"].to(str), weight="medium"),
                    rx.cond(decided["reason"].to(str) != "", rx.text(t("portal.reject_reason"), "：",
                                                                     decided["reason"].to(str))),
                    spacing="1")),
                color_scheme=rx.cond(decided["status"].to(str) == "approved", "green", "orange"), width="100%",
                data_testid="profile-decided", data_status=decided["status"].to(str)),
        ),
        rx.cond(
            ME["has_waiting"].to(bool),
            rx.card(rx.vstack(
                rx.hstack(rx.badge(t("portal.request.pending"), color_scheme="blue", size="2"), rx.spacer(),
                          rx.text(waiting["created_at"].to(str), size="1", color_scheme="gray"), width="100%"),
                _changes(waiting),
                rx.text(t("portal.request_waiting_hint"), size="1", color_scheme="gray"),
                rx.button(t("portal.withdraw_request"), variant="soft", color_scheme="gray", size="2",
                          on_click=S.withdraw, data_testid="profile-withdraw"),
                spacing="2", width="100%"), width="100%", data_testid="profile-waiting"),
            _request_form(),
        ),
        spacing="3", width="100%",
    )


def _request_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.heading(t("portal.change_contact"), size="3"),
            rx.text(t("portal.change_contact_hint"), size="1", color_scheme="gray"),
            rx.cond(S.errors.contains("form"), form_error_banner(S.errors["form"].to(str))),
            field("portal.new_phone", text_input("phone", type_="tel", auto_complete="tel", size="3",
                                                 placeholder_key="portal.keep_blank", data_testid="profile-new-phone"),
                  S.errors["phone"], hint_key="portal.new_phone_hint"),
            field("portal.new_phone2", text_input("phone2", type_="tel", size="3", placeholder_key="portal.keep_blank",
                                                  data_testid="profile-new-phone2"), S.errors["phone2"]),
            rx.cond(ME["phone2"].to(str) != "", rx.checkbox(t("portal.drop_phone2"), name="drop_phone2",
                                                            data_testid="profile-drop-phone2")),
            field("portal.new_address", text_input("address", size="3", placeholder_key="portal.keep_blank",
                                                   data_testid="profile-new-address"), S.errors["address"]),
            rx.button(t("portal.send_request"), type="submit", size="3", width="100%", data_testid="profile-request"),
            spacing="3", width="100%",
        ),
        on_submit=S.request_change, reset_on_submit=False, key=S.form_key.to(str), width="100%",
    )


def _channel(channel: str, label_key: str) -> rx.Component:
    return rx.hstack(
        rx.text(t(label_key), size="2"), rx.spacer(),
        rx.switch(checked=ME[channel].to(bool), on_change=lambda on: S.set_channel(channel, on),
                  data_testid=f"profile-{channel}"),
        width="100%", align="center",
    )


def _preferences() -> rx.Component:
    return rx.vstack(
        rx.heading(t("portal.notice_channels"), size="3"),
        rx.card(rx.vstack(_channel("sms", "portal.channel_sms"), _channel("email", "portal.channel_email"),
                          rx.text(t("portal.channels_hint"), size="1", color_scheme="gray"),
                          spacing="3", width="100%"), width="100%"),
        spacing="3", width="100%",
    )


def portal_profile_page() -> rx.Component:
    return portal_frame(
        "portal.nav.profile",
        _who(),
        rx.cond(ME["can_request"].to(bool), _contact(),
                notice(t("portal.profile_owner_only"), icon="info", size="1")),
        _preferences(),
    )
