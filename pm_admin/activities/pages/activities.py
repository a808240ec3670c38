"""The activities list with the planning dialog."""

from __future__ import annotations

import reflex as rx

from pm_admin.activities.models import ActivityStatus
from pm_admin.activities.states.activities import ActivitiesState, NewActivityForm
from pm_admin.ui.filters import choose, filter_bar, pick
from pm_admin.ui.forms import form_dialog, form_field, notice, select_input
from pm_admin.ui.i18n import t, t_prefixed
from pm_admin.ui.table import Column, data_table

S = ActivitiesState
STATUS_COLORS = {"planned": "gray", "open": "blue", "closed": "amber", "done": "green", "reviewed": "purple"}


def status_badge(status: rx.Var) -> rx.Component:
    return rx.badge(t_prefixed("activities.status.", status), data_testid="activity-status",
                    color_scheme=rx.match(status, *[(k, v) for k, v in STATUS_COLORS.items()], "gray"))


def activity_fields(d) -> list[rx.Component]:
    v = d.values
    return [
        rx.hstack(form_field(d, "theme", "activities.theme", hint_key="activities.theme_hint"),
                  form_field(d, "title", "activities.title", data_testid="activity-title"), spacing="3",
                  width="100%"),
        rx.hstack(form_field(d, "starts_at", "activities.starts_at", type_="datetime-local"),
                  form_field(d, "ends_at", "activities.ends_at", type_="datetime-local"), spacing="3", width="100%"),
        rx.hstack(form_field(d, "place", "activities.place", data_testid="activity-place"),
                  form_field(d, "capacity", "activities.capacity", data_testid="activity-capacity"),
                  form_field(d, "budget", "activities.budget", data_testid="activity-budget"),
                  spacing="3", width="100%"),
        form_field(d, "description", "activities.description", rx.text_area(
            name="description", default_value=v["description"], rows="3", width="100%")),
    ]


def new_activity_dialog() -> rx.Component:
    d = NewActivityForm
    return form_dialog(d, title=t("activities.new"), testid="activity-form", max_width="640px", fields=[
        form_field(d, "community_id", "places.community", select_input(
            "community_id", d.community_choices, default=d.values["community_id"])),
        *activity_fields(d)])


def activities_page() -> rx.Component:
    columns = [
        Column("starts_at", "activities.starts_at", sortable=True), Column("community", "places.community"),
        Column("theme", "activities.theme"),
        Column("title", "activities.title", render=lambda r: rx.link(
            r["title"], href="/activities/" + r["id"].to(str), data_testid="activity-link")),
        Column("place", "activities.place"), Column("signed_up", "activities.signed_up"),
        Column("status", "common.status", render=lambda r: status_badge(r["status"])),
    ]
    return rx.fragment(rx.vstack(
        notice(t("activities.explain"), icon="info", size="1"),
        filter_bar(S, pick(S, "community", "shell.all_communities"),
                   choose(S, "status", [{"value": str(s)} for s in ActivityStatus], "activities.all_statuses",
                          label_prefix="activities.status."),
                   end=[rx.cond(S.can_manage, rx.button(rx.icon("plus", size=14), t("activities.new"),
                                                        on_click=NewActivityForm.open_new,
                                                        data_testid="new-activity"))]),
        data_table(S, columns, testid="activities-table"),
        spacing="4", width="100%"), new_activity_dialog())
