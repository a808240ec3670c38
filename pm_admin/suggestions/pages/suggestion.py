"""One suggestion's page: the words and where they came from, triage, the reply, closing, the improvement action."""

from __future__ import annotations

import reflex as rx

from pm_admin.suggestions.pages.box import outcome_badge, status_badge
from pm_admin.suggestions.states.suggestion import ImprovementForm, ReplyForm, SuggestionState, TriageForm
from pm_admin.tickets.models import Kind
from pm_admin.tickets.pages.parts import TIER_OPTIONS
from pm_admin.ui.forms import confirm_button, form_dialog, form_field, notice, select_input
from pm_admin.ui.i18n import t, t_prefixed

S = SuggestionState
TICKET_KINDS = [{"value": str(k)} for k in (Kind.REQUEST, Kind.REPAIR, Kind.COMPLAINT, Kind.SUGGESTION)]


def _line(label_key: str, value: rx.Var, testid: str = "") -> rx.Component:
    return rx.cond(value.to(str) != "", rx.hstack(
        rx.text(t(label_key), size="2", color_scheme="gray", min_width="96px"),
        rx.text(value, size="2", data_testid=testid or None), spacing="3", align="start"))


def header() -> rx.Component:
    s = S.suggestion
    return rx.hstack(
        rx.link(rx.hstack(rx.icon("arrow-left", size=14), t("nav.suggestions"), spacing="1", align="center"),
                href="/suggestions", size="2"),
        rx.heading(t("suggestions.heading"), " #", s["id"].to(str), size="5", data_testid="suggestion-heading"),
        status_badge(s["status"].to(str)), outcome_badge(s["outcome"].to(str)),
        rx.cond(s["overdue"].to(bool), rx.badge(t("suggestions.overdue"), color_scheme="red")),
        rx.spacer(),
        rx.cond(S.can_manage & (s["status"] == "new"), rx.hstack(
            *[rx.button(t(f"suggestions.do.{mode}"), variant="soft" if mode != "accepted" else "solid",
                        on_click=TriageForm.open_triage(mode), data_testid=f"triage-{mode}")
              for mode in ("accepted", "ticket", "declined", "duplicate")], spacing="2", wrap="wrap")),
        rx.cond(S.can_manage & (s["status"] == "triaged"),
                rx.button(rx.icon("reply", size=14), t("suggestions.do.reply"), on_click=ReplyForm.open_reply,
                          data_testid="reply")),
        rx.cond(S.can_manage & (s["status"] == "replied"),
                confirm_button("suggestions.do.close", title_key="suggestions.close_confirm",
                               subject=t("suggestions.heading").to(str) + " #" + s["id"].to(str),
                               explain_key="suggestions.close_explain", on_confirm=S.close_suggestion,
                               testid="close-suggestion", variant="soft")),
        width="100%", align="center", wrap="wrap", spacing="3")


def facts() -> rx.Component:
    s = S.suggestion
    return rx.card(rx.vstack(
        rx.text(s["content"], size="3", white_space="pre-wrap", data_testid="suggestion-content"),
        rx.separator(size="4"),
        _line("places.community", s["community"]),
        rx.hstack(rx.text(t("suggestions.channel"), size="2", color_scheme="gray", min_width="96px"),
                  rx.text(t_prefixed("suggestions.channel.", s["channel"].to(str)), size="2"), spacing="3"),
        _line("suggestions.category", s["category"]),
        _line("suggestions.room", s["room"]),
        _line("suggestions.submitter", s["submitter_name"]),
        _line("suggestions.source", s["source"]),
        _line("suggestions.received_at", s["received_at"].to(str) + " · " + s["received_by"].to(str)),
        _line("suggestions.reply_due_on", s["reply_due_on"], "suggestion-due"),
        rx.cond(s["has_photo"].to(bool), rx.button(rx.icon("image", size=14), t("suggestions.view_photo"),
                                                   variant="soft", size="1", on_click=S.photo,
                                                   data_testid="suggestion-photo")),
        spacing="2", width="100%"), width="100%")


def progress() -> rx.Component:
    s = S.suggestion
    return rx.card(rx.vstack(
        rx.heading(t("suggestions.progress"), size="3", weight="medium"),
        rx.cond(s["triaged_at"].to(str) != "", rx.text(
            s["triaged_at"].to(str), " ", s["triaged_by"].to(str), " · ",
            t_prefixed("suggestions.outcome.", s["outcome"].to(str)),
            rx.cond(s["triage_note"].to(str) != "", rx.text.span("：", s["triage_note"].to(str))),
            size="2", data_testid="suggestion-triage")),
        rx.cond(s["ticket_id"].to(int) > 0, rx.link(t("suggestions.ticket_link"), " ", s["ticket_code"].to(str),
                                                    href="/tickets/" + s["ticket_id"].to(str), size="2",
                                                    data_testid="suggestion-ticket")),
        rx.cond(s["duplicate_of_id"].to(int) > 0, rx.link(t("suggestions.duplicate_of"), " #",
                                                          s["duplicate_of_id"].to(str),
                                                          href="/suggestions/" + s["duplicate_of_id"].to(str),
                                                          size="2")),
        rx.cond(s["duplicates"].to(str) != "", rx.text(t("suggestions.has_duplicates"), " ",
                                                      s["duplicates"].to(str), size="2")),
        rx.cond(s["reply"].to(str) != "", rx.vstack(
            rx.text(t("suggestions.reply"), " · ", s["replied_at"].to(str), " ", s["replied_by"].to(str), size="2",
                    color_scheme="gray"),
            rx.text(s["reply"], size="2", white_space="pre-wrap", data_testid="suggestion-reply"),
            rx.text(rx.cond(s["told_in_portal"].to(bool), t("suggestions.told_in_portal"),
                            t("suggestions.tell_in_person")), size="1", color_scheme="gray"),
            spacing="1")),
        rx.cond(s["closed_at"].to(str) != "", rx.text(t("suggestions.closed_at"), " ", s["closed_at"].to(str),
                                                      size="2", color_scheme="gray")),
        spacing="2", width="100%"), width="100%")


def improvement() -> rx.Component:
    s = S.suggestion
    return rx.cond(s["outcome"] == "accepted", rx.card(rx.vstack(
        rx.hstack(rx.heading(t("suggestions.improvement"), size="3", weight="medium"), rx.spacer(),
                  rx.cond(S.can_manage & (s["notice_id"].to(int) == 0),
                          rx.button(rx.icon("pencil", size=14), t("suggestions.do.improve"), variant="soft",
                                    size="1", on_click=ImprovementForm.open_improvement,
                                    data_testid="improvement")), width="100%", align="center"),
        rx.cond(s["improvement"].to(str) != "",
                rx.text(s["improvement"], size="2", white_space="pre-wrap", data_testid="suggestion-improvement"),
                rx.text(t("suggestions.improvement_hint"), size="1", color_scheme="gray")),
        rx.cond(s["notice_id"].to(int) > 0, rx.link(t("suggestions.notice_link"),
                                                    href="/notices/" + s["notice_id"].to(str), size="2",
                                                    data_testid="improvement-notice")),
        spacing="2", width="100%"), width="100%"))


def note_field(label_key: str) -> rx.Component:
    d = TriageForm
    return form_field(d, "note", label_key, rx.text_area(name="note", default_value=d.values["note"], rows="3",
                                                         width="100%", data_testid="triage-note"))


def triage_dialog() -> rx.Component:
    d = TriageForm
    mode = d.mode
    s = S.suggestion
    return form_dialog(d, title=t_prefixed("suggestions.do.", mode), testid="triage-form", description=rx.text(
        rx.text.strong(t("suggestions.heading"), " #", s["id"].to(str)), " ", s["content"].to(str),
        class_name="clamp-2", data_testid="triage-subject"), fields=[
        rx.match(
            mode,
            ("duplicate", form_field(d, "original_id", "suggestions.original_id", data_testid="triage-original")),
            ("ticket", rx.hstack(
                form_field(d, "kind", "tickets.col.kind", select_input("kind", TICKET_KINDS, default=d.values["kind"],
                                                                   label_prefix="tickets.kind.")),
                form_field(d, "tier", "tickets.col.tier", select_input("tier", TIER_OPTIONS, default=d.values["tier"],
                                                                   label_prefix="tickets.tier.")),
                spacing="3", width="100%")),
            rx.cond(mode == "declined", note_field("suggestions.decline_reason"), note_field("suggestions.note"))),
    ])


def reply_dialog() -> rx.Component:
    d = ReplyForm
    return form_dialog(d, title=t("suggestions.do.reply"), testid="reply-form", fields=[
        form_field(d, "reply", "suggestions.reply", rx.text_area(
            name="reply", default_value=d.values["reply"], rows="4", width="100%", data_testid="reply-text"),
            hint_key="suggestions.reply_hint")])


def improvement_dialog() -> rx.Component:
    d = ImprovementForm
    return form_dialog(d, title=t("suggestions.improvement"), testid="improvement-form", fields=[
        form_field(d, "measure", "suggestions.measure", rx.text_area(
            name="measure", default_value=d.values["measure"], rows="4", width="100%",
            data_testid="improvement-measure")),
        rx.cond(S.can_publish, rx.checkbox(t("suggestions.publish"), name="publish", data_testid="improvement-publish"),
                rx.text(t("suggestions.publish_needs_notices"), size="1", color_scheme="gray")),
    ])


def suggestion_page() -> rx.Component:
    return rx.cond(
        S.missing,
        notice(t("suggestions.not_found"), icon="circle-alert", color_scheme="red"),
        rx.fragment(rx.vstack(header(), rx.grid(facts(), rx.vstack(progress(), improvement(), width="100%"),
                                                columns=rx.breakpoints(initial="1", md="2"), spacing="4",
                                                width="100%"),
                              spacing="4", width="100%"),
                    triage_dialog(), reply_dialog(), improvement_dialog()))
