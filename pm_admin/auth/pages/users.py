"""Admin page: create and disable users, set roles and communities, reset passwords, clear sign-in delays."""

from __future__ import annotations

import reflex as rx

from pm_admin.auth.state import UsersState
from pm_admin.shell.layout import frame
from pm_admin.ui.forms import field, form_dialog, search_box, text_input
from pm_admin.ui.i18n import t, t_prefixed
from pm_admin.ui.table import Column, data_table, icon_action


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
    state = UsersState
    return rx.flex(
        rx.foreach(state.role_options, lambda role: rx.checkbox(
            t_prefixed("role.", role), checked=state.form_roles.contains(role),
            on_change=lambda checked: state.toggle_role(role, checked))),
        gap="3", wrap="wrap",
    )


def community_checkboxes() -> rx.Component:
    state = UsersState
    return rx.flex(
        rx.foreach(state.community_choices, lambda option: rx.checkbox(
            option["label"], checked=state.form_communities.contains(option["value"]),
            on_change=lambda checked: state.toggle_community(option["value"], checked))),
        gap="3", wrap="wrap",
    )


def users_page() -> rx.Component:
    state = UsersState
    is_new = state.form["id"].to(int) == 0
    columns = [
        Column("username", "users.username", sortable=True),
        Column("display_name", "users.display_name", sortable=True),
        Column("roles", "users.roles", render=roles_cell),
        Column("community_names", "users.communities", render=scope_cell),
        Column("is_active", "users.status", render=active_cell),
        Column("last_login_at", "users.last_login"),
    ]
    return frame(
        "nav.users",
        rx.flex(
            search_box(state.apply_search, default=state.search),
            rx.spacer(),
            rx.button(rx.icon("user-plus", size=14), t("users.new"), on_click=state.open_create,
                      data_testid="create-user"),
            gap="3", width="100%", padding_bottom="16px",
        ),
        data_table(state, columns, testid="users-table", actions=lambda row: rx.hstack(
            icon_action("pencil", "common.edit", state.open_edit(row["id"])),
            icon_action("key-round", "users.reset_password", state.open_reset(row["id"]), color_scheme="amber"),
            icon_action("lock-open", "users.unlock_login", state.unlock_login(row["id"]), color_scheme="green"),
            spacing="2",
        )),
        form_dialog(
            title=rx.cond(is_new, t("users.new"), t("users.edit")),
            open_=state.dialog_open, on_close=state.close_dialog, on_submit=state.save, form_key=state.form_key,
            conflict=state.conflict, testid="user-form",
            fields=[
                field("users.username", text_input("username", default=state.form["username"], disabled=~is_new,
                                                   auto_complete="off"), state.errors["username"],
                      hint_key="users.username_hint"),
                field("users.display_name", text_input("display_name", default=state.form["display_name"]),
                      state.errors["display_name"]),
                rx.cond(is_new, field("users.initial_password",
                                      text_input("password", type_="password", auto_complete="new-password"),
                                      state.errors["password"], hint_key="users.initial_password_hint")),
                field("users.roles", role_checkboxes(), state.errors["roles"]),
                rx.checkbox(t("users.all_communities"), name="all_communities",
                            default_checked=state.form["all_communities"].to(bool)),
                field("users.communities", community_checkboxes(), state.errors["community_ids"]),
                rx.cond(~is_new, rx.checkbox(t("users.active"), name="is_active",
                                             default_checked=state.form["is_active"].to(bool))),
            ],
        ),
        form_dialog(
            title=t("users.reset_password"), open_=state.reset_open, on_close=state.close_reset,
            on_submit=state.reset_password, form_key=state.reset_user_id, conflict=None, testid="reset-form",
            fields=[
                rx.text(state.reset_username, weight="bold"),
                field("users.initial_password", text_input("password", type_="password", auto_complete="new-password"),
                      state.errors["password"], hint_key="users.initial_password_hint"),
            ],
        ),
    )
