"""意见箱: the suggestions of the user's communities (overdue replies flagged) and the dialog entering a slip."""

from __future__ import annotations

import reflex as rx

from pm_admin.suggestions.models import Outcome, SuggestionChannel, SuggestionStatus
from pm_admin.suggestions.states.box import SLIP_INPUT, SlipForm, SuggestionsState
from pm_admin.ui.filters import choose, filter_bar, pick, switch
from pm_admin.ui.forms import field, form_dialog, form_field, notice, select_input
from pm_admin.ui.i18n import t, t_prefixed
from pm_admin.ui.table import Column, data_table
from pm_admin.ui.uploads import file_input

S = SuggestionsState
STATUS_COLORS = {"new": "orange", "triaged": "blue", "replied": "green", "closed": "gray"}
OUTCOME_COLORS = {"accepted": "green", "ticket": "blue", "declined": "red", "duplicate": "gray"}
STAFF_CHANNELS = [{"value": str(c)} for c in SuggestionChannel if c != SuggestionChannel.PORTAL]


def status_badge(status: rx.Var) -> rx.Component:
    return rx.badge(t_prefixed("suggestions.status.", status), data_testid="suggestion-status",
                    color_scheme=rx.match(status, *STATUS_COLORS.items(), "gray"))


def outcome_badge(outcome: rx.Var) -> rx.Component:
    return rx.cond(outcome != "", rx.badge(t_prefixed("suggestions.outcome.", outcome), variant="outline",
                                           data_testid="suggestion-outcome",
                                           color_scheme=rx.match(outcome, *OUTCOME_COLORS.items(), "gray")))


def due_cell(row: rx.Var) -> rx.Component:
    return rx.cond(row["overdue"].to(bool),
                   rx.badge(row["reply_due_on"], " ", t("suggestions.overdue"), color_scheme="red",
                            data_testid="suggestion-overdue"),
                   rx.text(row["reply_due_on"], size="2"))


def slip_dialog() -> rx.Component:
    d = SlipForm
    return form_dialog(d, title=t("suggestions.new"), testid="slip-form", max_width="600px", fields=[
        rx.hstack(form_field(d, "community_id", "places.community", select_input(
                      "community_id", d.community_choices, default=d.values["community_id"])),
                  form_field(d, "channel", "suggestions.channel", select_input(
                      "channel", STAFF_CHANNELS, default=d.values["channel"], label_prefix="suggestions.channel.",
                      testid="slip-channel")), spacing="3", width="100%"),
        form_field(d, "category_id", "suggestions.category", select_input(
            "category_id", d.category_choices, default=d.values["category_id"], testid="slip-category")),
        form_field(d, "content", "suggestions.content", rx.text_area(
            name="content", default_value=d.values["content"], rows="4", width="100%", data_testid="slip-content")),
        rx.hstack(form_field(d, "room_code", "suggestions.room", hint_key="suggestions.room_hint",
                             data_testid="slip-room"),
                  form_field(d, "submitter_name", "suggestions.submitter"), spacing="3", width="100%"),
        form_field(d, "source", "suggestions.source", hint_key="suggestions.source_hint"),
        field("suggestions.photo", file_input(SLIP_INPUT, "image/jpeg,image/png,image/webp", "slip-photo"),
              d.errors["photo"], hint_key="suggestions.photo_hint"),
    ])


def suggestions_page() -> rx.Component:
    columns = [
        Column("received_at", "suggestions.received_at", sortable=True,
               render=lambda r: rx.link(r["received_at"], href="/suggestions/" + r["id"].to(str),
                                        data_testid="suggestion-link")),
        Column("community", "places.community"),
        Column("channel", "suggestions.channel", render=lambda r: rx.text(
            t_prefixed("suggestions.channel.", r["channel"]), size="2")),
        Column("category", "suggestions.category"),
        Column("content", "suggestions.content"),
        Column("room", "suggestions.room"),
        Column("status", "common.status", render=lambda r: rx.hstack(status_badge(r["status"]),
                                                                     outcome_badge(r["outcome"]), spacing="1")),
        Column("reply_due_on", "suggestions.reply_due_on", sortable=True, render=due_cell),
    ]
    return rx.fragment(rx.vstack(
        notice(t("suggestions.explain"), icon="info", size="1"),
        filter_bar(S, pick(S, "community", "shell.all_communities"),
                   choose(S, "status", [{"value": str(s)} for s in SuggestionStatus], "suggestions.all_statuses",
                          label_prefix="suggestions.status."),
                   choose(S, "outcome", [{"value": str(o)} for o in Outcome], "suggestions.all_outcomes",
                          label_prefix="suggestions.outcome."),
                   choose(S, "channel", [{"value": str(c)} for c in SuggestionChannel], "suggestions.all_channels",
                          label_prefix="suggestions.channel."),
                   switch(S, "overdue", "suggestions.overdue_only"),
                   end=[rx.cond(S.can_manage, rx.button(rx.icon("plus", size=14), t("suggestions.new"),
                                                        on_click=SlipForm.open_new, data_testid="new-suggestion"))]),
        data_table(S, columns, testid="suggestions-table"),
        spacing="4", width="100%"), slip_dialog())
