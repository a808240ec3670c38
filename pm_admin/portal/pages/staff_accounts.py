"""业主账号: current owners with the state of their portal account; invite, print a building's invitations, disable."""

from __future__ import annotations

import reflex as rx

from pm_admin.portal.staff_queries import STATUSES
from pm_admin.portal.states.staff_accounts import DisableForm, InviteForm, OwnerAccountsState
from pm_admin.ui.filters import choose, filter_bar, place_pickers
from pm_admin.ui.forms import form_dialog, form_field, notice
from pm_admin.ui.i18n import t, t_prefixed
from pm_admin.ui.table import Column, data_table

S = OwnerAccountsState
STATUS_COLORS = (("active", "green"), ("invited", "blue"), ("disabled", "red"))


def _actions(row: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.cond((row["status"] == "none") | (row["status"] == "invited"),
                rx.button(t("portal.invite"), size="1", variant="soft", on_click=InviteForm.open_invite(row["id"]),
                          data_testid="account-invite")),
        rx.cond(row["status"] == "active",
                rx.button(t("portal.disable"), size="1", variant="soft", color_scheme="red",
                          on_click=DisableForm.open_disable(row["id"]), data_testid="account-disable")),
        rx.cond(row["status"] == "disabled",
                rx.button(t("portal.enable"), size="1", variant="soft", on_click=S.enable(row["id"]),
                          data_testid="account-enable")),
        spacing="1",
    )


def owner_accounts_page() -> rx.Component:
    columns = [
        Column("room_code", "owners.col.room_code", sortable=True),
        Column("name", "owners.col.name", sortable=True, render=lambda r: rx.link(
            r["name"], href="/owners/" + r["owner_id"].to(str))),
        Column("status", "portal.account_status", render=lambda r: rx.badge(
            t_prefixed("portal.account.", r["status"]), color_scheme=rx.match(r["status"], *STATUS_COLORS, "gray"))),
        Column("activated_at", "portal.activated_at"),
        Column("disabled_reason", "portal.disabled_reason"),
    ]
    return rx.fragment(
        rx.vstack(
            notice(t("portal.accounts_explain"), icon="smartphone", size="1"),
            filter_bar(S, *place_pickers(S), choose(S, "status", [{"value": s} for s in STATUSES], "common.all",
                                                    label_prefix="portal.account."), search_key="portal.search_hint",
                       end=[rx.tooltip(rx.button(rx.icon("printer", size=14), t("portal.print_invitations"),
                                                 variant="soft", on_click=S.print_building("pdf"),
                                                 disabled=S.filters["building"] == "",
                                                 data_testid="print-invitations-pdf"),
                                       content=t("portal.choose_building_first")),
                            rx.button(rx.icon("sheet", size=14), t("portal.invitations_xlsx"), variant="soft",
                                      on_click=S.print_building("xlsx"), disabled=S.filters["building"] == "",
                                      data_testid="print-invitations-xlsx")]),
            data_table(S, columns, testid="owner-accounts", actions=_actions),
            spacing="4", width="100%"),
        invite_dialog(),
        disable_dialog(),
    )


def invite_dialog() -> rx.Component:
    d, subject = InviteForm, InviteForm.subject
    return form_dialog(
        d, title=t("portal.invite_title"), testid="invite-dialog", save_key="portal.issue_link",
        save_props={"disabled": subject["link"].to(str) != ""},
        fields=[
            rx.text(subject["room_code"].to(str), " · ", subject["name"].to(str), weight="bold"),
            rx.cond(subject["link"].to(str) != "",
                    rx.vstack(notice(t("portal.link_shown_once"), icon="info", size="1"),
                              rx.code(subject["link"].to(str), word_break="break-all", data_testid="invite-link"),
                              width="100%"),
                    rx.checkbox(t("portal.send_by_sms"), name="send", default_checked=False)),
        ],
    )


def disable_dialog() -> rx.Component:
    d, subject = DisableForm, DisableForm.subject
    return form_dialog(
        d, title=t("portal.disable_title"), testid="disable-dialog", save_key="portal.disable",
        save_props={"color_scheme": "red"},
        fields=[
            rx.text(subject["room_code"].to(str), " · ", subject["name"].to(str), weight="bold"),
            notice(t("portal.disable_explain"), icon="triangle-alert", color_scheme="amber", size="1"),
            form_field(d, "reason", "portal.disabled_reason"),
        ],
    )
