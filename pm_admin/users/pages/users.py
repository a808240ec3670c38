"""Admin page: create and disable users, set roles and communities, reset passwords, clear sign-in delays."""

from __future__ import annotations

import reflex as rx

from pm_admin.ui.filters import filter_bar
from pm_admin.ui.forms import form_dialog, form_field, text_input
from pm_admin.ui.i18n import t, t_prefixed
from pm_admin.ui.table import Column, data_table, icon_action
from pm_admin.users.states.users import PasswordResetForm, UserForm, UsersState


def roles_cell(row: rx.Var) -> rx.Component:
    return rx.flex(rx.foreach(row["roles"].to(list[str]), lambda role: rx.badge(t_prefixed("role.", role))),
                   gap="1", wrap="wrap")


def scope_cell(row: rx.Var) -> rx.Component:
    return rx.cond(row["all_communities"], rx.badge(t("shell.all_communities"), color_scheme="violet"),
                   rx.text(row["community_names"], size="2"))


def active_cell(row: rx.Var) -> rx.Component:
    return rx.cond(row["is_active"], rx.badge(t("users.active"), color_scheme="green"),
                   rx.badge(t("users.disabled"), color_scheme="gray"))


def role_checkboxes() -> rx.Component:
    d = UserForm
    return rx.flex(
        rx.foreach(UsersState.role_options, lambda role: rx.checkbox(
            t_prefixed("role.", role), checked=d.values["roles"].to(list[str]).contains(role),
            on_change=lambda checked: d.toggle_role(role, checked))),
        gap="3", wrap="wrap",
    )


def community_checkboxes() -> rx.Component:
    d = UserForm
    return rx.flex(
        rx.foreach(UsersState.community_choices, lambda option: rx.checkbox(
            option["label"], checked=d.values["community_ids"].to(list[str]).contains(option["value"]),
            on_change=lambda checked: d.toggle_community(option["value"], checked))),
        gap="3", wrap="wrap",
    )


def users_page() -> rx.Component:
    state, d, reset = UsersState, UserForm, PasswordResetForm
    columns = [
        Column("username", "users.username", sortable=True),
        Column("display_name", "users.display_name", sortable=True),
        Column("roles", "users.roles", render=roles_cell),
        Column("community_names", "users.communities", render=scope_cell),
        Column("is_active", "users.status", render=active_cell),
        Column("last_login_at", "users.last_login"),
    ]
    return rx.fragment(
        filter_bar(state, search_key="common.search", reset=False, end=[
            rx.button(rx.icon("user-plus", size=14), t("users.new"), on_click=d.open_create,
                      data_testid="create-user")]),
        data_table(state, columns, testid="users-table", actions=lambda row: rx.hstack(
            icon_action("pencil", "common.edit", d.open_edit(row["id"])),
            icon_action("key-round", "users.reset_password", reset.open_reset(row["id"]), color_scheme="amber"),
            icon_action("lock-open", "users.unlock_login", state.unlock_login(row["id"]), color_scheme="green"),
            spacing="2",
        )),
        form_dialog(
            d, title=rx.cond(d.editing, t("users.edit"), t("users.new")), testid="user-form",
            fields=[
                form_field(d, "username", "users.username", hint_key="users.username_hint", disabled=d.editing,
                           auto_complete="off"),
                form_field(d, "display_name", "users.display_name"),
                rx.cond(~d.editing, form_field(d, "password", "users.initial_password", text_input(
                    "password", type_="password", auto_complete="new-password"), hint_key="users.initial_password_hint")),
                form_field(d, "roles", "users.roles", role_checkboxes()),
                rx.checkbox(t("users.all_communities"), name="all_communities",
                            default_checked=d.values["all_communities"].to(bool)),
                form_field(d, "community_ids", "users.communities", community_checkboxes()),
                rx.cond(d.editing, rx.checkbox(t("users.active"), name="is_active",
                                               default_checked=d.values["is_active"].to(bool))),
            ],
        ),
        form_dialog(
            reset, title=t("users.reset_password"), testid="reset-form",
            fields=[
                rx.text(reset.subject["username"].to(str), weight="bold"),
                form_field(reset, "password", "users.initial_password", text_input(
                    "password", type_="password", auto_complete="new-password"), hint_key="users.initial_password_hint"),
            ],
        ),
    )
