"""The meetings list with the quarterly reminder and the new-meeting dialog; the committee roster."""

from __future__ import annotations

import reflex as rx

from pm_admin.meetings.models import MeetingKind, MeetingStatus, Position, Topic
from pm_admin.meetings.states.committee import CommitteeState, MemberForm
from pm_admin.meetings.states.meetings import MeetingsState, NewMeetingForm
from pm_admin.ui.filters import choose, filter_bar, pick
from pm_admin.ui.forms import form_dialog, form_field, notice, select_input
from pm_admin.ui.i18n import t, t_prefixed
from pm_admin.ui.table import Column, data_table, simple_table

S = MeetingsState
STATUS_COLORS = {"draft": "gray", "minutes_pending": "amber", "approved": "blue", "published": "green"}


def status_badge(status: rx.Var) -> rx.Component:
    return rx.badge(t_prefixed("meetings.status.", status), data_testid="meeting-status",
                    color_scheme=rx.match(status, *[(k, v) for k, v in STATUS_COLORS.items()], "gray"))


def kind_options() -> list[dict[str, str]]:
    return [{"value": str(k)} for k in MeetingKind]


def meeting_fields(d) -> list[rx.Component]:
    """The fields of a meeting (the new dialog adds the community)."""
    v = d.values
    return [
        rx.hstack(
            form_field(d, "kind", "meetings.kind", select_input("kind", kind_options(), default=v["kind"],
                                                                label_prefix="meetings.kind.", testid="meeting-kind")),
            form_field(d, "topic", "meetings.topic", select_input(
                "topic", [{"value": str(x)} for x in Topic], default=v["topic"], label_prefix="meetings.topic."),
                hint_key="meetings.topic_hint"),
            spacing="3", width="100%"),
        form_field(d, "title", "meetings.title", data_testid="meeting-title"),
        rx.hstack(form_field(d, "starts_at", "meetings.starts_at", type_="datetime-local"),
                  form_field(d, "place", "meetings.place", data_testid="meeting-place"), spacing="3", width="100%"),
        form_field(d, "agenda", "meetings.agenda", rx.text_area(name="agenda", default_value=v["agenda"], rows="5",
                                                                width="100%", data_testid="meeting-agenda"),
                   hint_key="meetings.agenda_hint"),
    ]


def new_meeting_dialog() -> rx.Component:
    d = NewMeetingForm
    return form_dialog(d, title=t("meetings.new"), testid="meeting-form", max_width="640px", fields=[
        form_field(d, "community_id", "places.community", select_input(
            "community_id", d.community_choices, default=d.values["community_id"])),
        *meeting_fields(d)])


def reminder() -> rx.Component:
    return rx.cond(S.missing_quarterly.length() > 0, rx.callout.root(
        rx.callout.icon(rx.icon("calendar-clock")),
        rx.callout.text(t("meetings.quarter_reminder"), " ",
                        rx.foreach(S.missing_quarterly, lambda c: rx.cond(
                            S.can_manage,
                            rx.button(c["name"], size="1", variant="soft", margin_left="6px",
                                      on_click=NewMeetingForm.open_new("quarterly", c["id"].to(str)),
                                      data_testid="plan-quarterly"),
                            rx.badge(c["name"], margin_left="6px")))),
        color_scheme="amber", data_testid="quarter-reminder"))


def meetings_page() -> rx.Component:
    columns = [
        Column("starts_at", "meetings.starts_at", sortable=True), Column("community", "places.community"),
        Column("kind", "meetings.kind", render=lambda r: rx.hstack(
            rx.text(t_prefixed("meetings.kind.", r["kind"]), size="2"),
            rx.cond(r["topic"] != "", rx.badge(r["topic"], color_scheme="gray")), spacing="2")),
        Column("title", "meetings.title", render=lambda r: rx.link(
            r["title"], href="/meetings/" + r["id"].to(str), data_testid="meeting-link")),
        Column("place", "meetings.place"), Column("status", "common.status", render=lambda r: status_badge(r["status"])),
    ]
    return rx.fragment(rx.vstack(
        notice(t("meetings.explain"), icon="info", size="1"),
        reminder(),
        rx.cond(S.overdue_actions > 0, notice(t("meetings.overdue_actions"), " ", S.overdue_actions, icon="alarm-clock",
                                              color_scheme="red", size="1")),
        filter_bar(S, pick(S, "community", "shell.all_communities"),
                   choose(S, "kind", kind_options(), "meetings.all_kinds", label_prefix="meetings.kind."),
                   choose(S, "status", [{"value": str(s)} for s in MeetingStatus], "meetings.all_statuses",
                          label_prefix="meetings.status."),
                   end=[rx.link(rx.button(rx.icon("user-check", size=14), t("nav.committee"), variant="soft"),
                                href="/meetings/committee"),
                        rx.cond(S.can_manage, rx.button(rx.icon("plus", size=14), t("meetings.new"),
                                                        on_click=NewMeetingForm.open_new("quarterly", ""),
                                                        data_testid="new-meeting"))]),
        data_table(S, columns, testid="meetings-table"),
        spacing="4", width="100%"), new_meeting_dialog())


# ---------------------------------------------------------------- the committee roster


def member_dialog() -> rx.Component:
    d, v = MemberForm, MemberForm.values
    return form_dialog(d, title=rx.cond(d.editing, d.subject["name"].to(str) + " · " + d.subject["room"].to(str),
                                        t("meetings.add_member")), testid="member-form", fields=[
        rx.cond(d.editing, rx.fragment(), rx.hstack(
            form_field(d, "community_id", "places.community", select_input(
                "community_id", d.community_choices, default=v["community_id"])),
            form_field(d, "room_code", "meetings.member_room", placeholder_key="meetings.room_hint",
                       data_testid="member-room"), spacing="3", width="100%")),
        form_field(d, "position", "meetings.position", select_input(
            "position", [{"value": str(p)} for p in Position], default=v["position"],
            label_prefix="meetings.position.")),
        rx.hstack(form_field(d, "term_from", "meetings.term_from", type_="date"),
                  form_field(d, "term_to", "meetings.term_to", type_="date"), spacing="3", width="100%"),
    ])


def committee_page() -> rx.Component:
    c = CommitteeState
    return rx.fragment(rx.vstack(
        rx.hstack(notice(t("meetings.committee_explain"), icon="info", size="1"), rx.spacer(),
                  rx.cond(c.can_manage, rx.button(rx.icon("plus", size=14), t("meetings.add_member"),
                                                  on_click=MemberForm.open_new, data_testid="add-member")),
                  width="100%", align="center"),
        simple_table(["places.community", "meetings.member_name", "meetings.member_room", "meetings.position",
                      "meetings.term", "common.status", "common.actions"],
                     c.rows, lambda r: rx.table.row(
                         rx.table.cell(r["community"]), rx.table.cell(r["name"]), rx.table.cell(r["room"]),
                         rx.table.cell(t_prefixed("meetings.position.", r["position"])),
                         rx.table.cell(r["term_from"], " ~ ", r["term_to"]),
                         rx.table.cell(rx.cond(r["current"], rx.badge(t("meetings.serving"), color_scheme="green"),
                                               rx.badge(t("meetings.term_over"), color_scheme="gray"))),
                         rx.table.cell(rx.cond(c.can_manage, rx.button(t("common.edit"), size="1", variant="soft",
                                                                       on_click=MemberForm.open_edit(r["id"])))),
                         data_testid="member-row"), "committee-table"),
        spacing="4", width="100%"), member_dialog())
