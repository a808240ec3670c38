"""VIP群: the groups of my communities (name, community, channel, 群主, members, applications waiting) and the
dialog creating one."""

from __future__ import annotations

import reflex as rx

from pm_admin.groups.models import GroupChannel
from pm_admin.groups.states.groups import GroupForm, GroupsState
from pm_admin.ui.forms import form_dialog, form_field, notice, select_input
from pm_admin.ui.i18n import t, t_prefixed
from pm_admin.ui.table import simple_table

S = GroupsState
CHANNELS = [{"value": str(c)} for c in GroupChannel]


def group_dialog() -> rx.Component:
    d = GroupForm
    return form_dialog(d, title=t("groups.new"), testid="group-form", max_width="560px", fields=[
        form_field(d, "community_id", "places.community", select_input(
            "community_id", d.community_choices, default=d.values["community_id"], on_change=d.pick_community,
            testid="group-community")),
        form_field(d, "name", "groups.name", data_testid="group-name"),
        rx.hstack(form_field(d, "channel", "groups.channel", select_input(
                      "channel", CHANNELS, default=d.values["channel"], label_prefix="groups.channel.",
                      testid="group-channel")),
                  form_field(d, "owner_user_id", "groups.owner", select_input(
                      "owner_user_id", d.owner_choices, default=d.values["owner_user_id"], testid="group-owner",
                      key=d.values["community_id"].to(str))),
                  spacing="3", width="100%"),
        form_field(d, "join_link", "groups.join_link", hint_key="groups.join_link_hint", data_testid="group-link"),
    ])


def _row(r: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link(r["name"], href="/groups/" + r["id"].to(str), data_testid="group-link-row")),
        rx.table.cell(r["community"]),
        rx.table.cell(t_prefixed("groups.channel.", r["channel"])),
        rx.table.cell(r["owner"]),
        rx.table.cell(r["members"].to(str), data_testid="group-members"),
        rx.table.cell(rx.cond(r["waiting"].to(int) > 0, rx.badge(r["waiting"].to(str), color_scheme="orange"),
                              rx.text("0", size="2", color_scheme="gray")), data_testid="group-waiting"),
        data_testid="group-row")


def groups_page() -> rx.Component:
    return rx.fragment(rx.vstack(
        rx.hstack(notice(t("groups.explain"), icon="info", size="1"), rx.spacer(),
                  rx.cond(S.can_create, rx.button(rx.icon("plus", size=14), t("groups.new"),
                                                  on_click=GroupForm.open_new, data_testid="new-group")),
                  width="100%", align="center", spacing="3"),
        simple_table(["groups.name", "places.community", "groups.channel", "groups.owner", "groups.members",
                      "groups.waiting"], S.rows, _row, "groups-table"),
        spacing="4", width="100%"), group_dialog())
