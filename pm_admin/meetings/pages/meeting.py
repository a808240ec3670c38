"""One meeting: details, agenda and attachments, invitees and sign-in with the quorum, minutes (seed 002 §7.2) and
their review, publication, action items."""

from __future__ import annotations

import reflex as rx

from pm_admin.meetings.models import DocType
from pm_admin.meetings.pages.meetings import meeting_fields, status_badge
from pm_admin.meetings.states.meeting import (
    ATTACHMENT_INPUT,
    ActionForm,
    MeetingForm,
    MeetingState,
    MinutesForm,
    ReturnForm,
    TicketForm,
)
from pm_admin.tickets.pages.parts import TIER_OPTIONS
from pm_admin.ui.forms import confirm_button, form_dialog, form_field, notice, select_input, text_input
from pm_admin.ui.i18n import t, t_prefixed
from pm_admin.ui.table import simple_table
from pm_admin.ui.uploads import file_input

S = MeetingState
TICKET_KINDS = ("request", "repair", "complaint", "suggestion")


def _is(status: str) -> rx.Var:
    return S.meeting["status"] == status


def header() -> rx.Component:
    m = S.meeting
    subject = m["title"].to(str) + " · " + m["starts_at"].to(str)
    return rx.hstack(
        rx.vstack(
            rx.hstack(rx.link(rx.hstack(rx.icon("arrow-left", size=14), t("nav.meetings"), spacing="1", align="center"),
                              href="/meetings", size="2"),
                      rx.heading(m["title"], size="5", data_testid="meeting-heading"),
                      rx.badge(t_prefixed("meetings.kind.", m["kind"])), status_badge(m["status"]),
                      align="center", spacing="3", wrap="wrap"),
            rx.text(m["community"], " · ", m["starts_at"], " · ", m["place"], size="2", color_scheme="gray"),
            spacing="1"),
        rx.spacer(),
        rx.cond(S.can_manage & _is("draft"), rx.hstack(
            rx.button(rx.icon("pencil", size=14), t("meetings.edit"), variant="soft", on_click=MeetingForm.open_edit,
                      data_testid="edit-meeting"),
            rx.button(rx.icon("send", size=14), t("meetings.submit_minutes"), on_click=S.submit_minutes,
                      data_testid="submit-minutes"), spacing="2")),
        rx.cond(S.can_approve & _is("minutes_pending"), rx.hstack(
            rx.button(t("meetings.return"), variant="soft", color_scheme="amber", on_click=ReturnForm.open_return,
                      data_testid="return-minutes"),
            confirm_button("meetings.approve", title_key="meetings.approve_confirm", subject=subject,
                           explain_key="meetings.approve_explain", on_confirm=S.approve, testid="approve-minutes",
                           color_scheme="green", icon="check"), spacing="2")),
        rx.cond(S.can_manage & _is("approved"), confirm_button(
            "meetings.publish", title_key="meetings.publish_confirm", subject=subject,
            explain_key="meetings.publish_explain", on_confirm=S.publish, testid="publish-minutes",
            color_scheme="green", icon="megaphone")),
        width="100%", align="center", wrap="wrap", spacing="2")


def agenda_card() -> rx.Component:
    return rx.card(rx.vstack(
        rx.heading(t("meetings.agenda"), size="3"),
        rx.cond(S.agenda.length() == 0, rx.text("–", color_scheme="gray")),
        rx.foreach(S.agenda, lambda a: rx.text(a["n"], ". ", a["text"], size="2")),
        rx.separator(size="4"),
        rx.heading(t("meetings.attachments"), size="3"),
        rx.foreach(S.attachments, lambda a: rx.hstack(
            rx.badge(t_prefixed("meetings.doc.", a["doc_type"])),
            rx.link(a["filename"], on_click=S.download(a["id"]), cursor="pointer", size="2"),
            rx.text(a["size"], " · ", a["uploaded_by"], size="1", color_scheme="gray"),
            align="center", spacing="2", data_testid="attachment-row")),
        rx.cond(S.can_manage & ~_is("published") & ~_is("approved"), rx.vstack(
            rx.hstack(select_input("doc_type", [{"value": str(d)} for d in DocType], label_prefix="meetings.doc.",
                                   value=S.doc_type, on_change=S.set_doc_type, testid="doc-type"),
                      file_input(ATTACHMENT_INPUT, ".pdf,.docx,.xlsx,.jpg,.jpeg,.png", "attachment-file"),
                      rx.button(rx.icon("upload", size=14), t("meetings.attach"), variant="soft",
                                on_click=S.start_upload, data_testid="attach"),
                      spacing="2", align="center", wrap="wrap"),
            rx.cond(S.upload_message != "", rx.text(S.upload_message, size="1", color="var(--red-11)")),
            spacing="1", width="100%")),
        spacing="2", width="100%"), flex="1", min_width="320px")


def quorum_box() -> rx.Component:
    q = S.quorum
    return rx.vstack(
        rx.hstack(rx.text(t("meetings.quorum"), weight="bold", size="2"),
                  rx.text(q["attended"], " / ", q["size"], " (", q["percent"], ")", size="2", data_testid="quorum"),
                  rx.cond(q["reached"].to(bool), rx.badge(t("meetings.quorum_reached"), color_scheme="green"),
                          rx.badge(t("meetings.quorum_missed"), color_scheme="red")),
                  align="center", spacing="2"),
        rx.text(q["rule"], size="1", color_scheme="gray", data_testid="quorum-rule"),
        spacing="1")


def invitees_card() -> rx.Component:
    draft = S.can_manage & _is("draft")
    return rx.card(rx.vstack(
        rx.heading(t("meetings.invitees"), size="3"),
        quorum_box(),
        rx.cond(draft, rx.flex(
            rx.button(rx.icon("users", size=14), t("meetings.invite_committee"), size="1", variant="soft",
                      on_click=S.invite_committee, data_testid="invite-committee"),
            rx.form(rx.hstack(rx.box(text_input("room_code", placeholder_key="meetings.room_hint", size="1",
                                                data_testid="invite-room"), width="170px"),
                              rx.button(t("meetings.invite_owner"), size="1", variant="soft", type="submit",
                                        data_testid="invite-owner"), spacing="1"),
                    on_submit=S.invite_owner, key=S.owner_key.to(str)),
            rx.select.root(rx.select.trigger(placeholder=t("meetings.invite_staff"), data_testid="invite-staff"),
                           rx.select.content(rx.foreach(S.staff, lambda u: rx.select.item(u["label"], value=u["value"]))),
                           value="", on_change=S.invite_staff, size="1"),
            gap="2", wrap="wrap", align="center")),
        rx.cond(S.owner_error != "", rx.text(S.owner_error, size="1", color="var(--red-11)", role="alert")),
        simple_table(["meetings.invitee", "meetings.invitee_kind", "meetings.attended", "meetings.signed_at"],
                     S.invitees, lambda i: rx.table.row(
                         rx.table.cell(i["name"], rx.text(" ", i["note"], as_="span", size="1", color_scheme="gray")),
                         rx.table.cell(t_prefixed("meetings.invitee.", i["kind"])),
                         rx.table.cell(rx.checkbox(checked=i["attended"].to(bool), disabled=~draft,
                                                   on_change=lambda on: S.set_attended(i["id"], on),
                                                   data_testid="attended")),
                         rx.table.cell(i["signed_at"]),
                         data_testid="invitee-row"), "invitees-table"),
        spacing="3", width="100%"), flex="1", min_width="360px")


def minutes_card() -> rx.Component:
    return rx.card(rx.vstack(
        rx.hstack(rx.heading(t("meetings.minutes"), size="3"), rx.spacer(),
                  rx.cond(S.can_manage & _is("draft"), rx.button(
                      rx.icon("pencil", size=14), t("meetings.write_minutes"), size="1", variant="soft",
                      on_click=MinutesForm.open_minutes, data_testid="write-minutes")),
                  width="100%", align="center"),
        rx.cond(_is("draft") & (S.meeting["review_note"] != ""), notice(
            t("meetings.returned_note"), " ", S.meeting["review_note"], color_scheme="amber", size="1")),
        rx.cond(_is("published"), rx.hstack(
            rx.text(t("meetings.published_at"), " ", S.meeting["published_at"], size="1", color_scheme="green",
                    data_testid="published-at"),
            rx.cond(S.meeting["notice_id"].to(int) > 0, rx.link(
                t("meetings.notice_link"), " #", S.meeting["notice_id"].to(str), size="1",
                href="/notices/" + S.meeting["notice_id"].to(str), data_testid="minutes-notice")),
            spacing="2", align="center")),
        rx.foreach(S.minutes, lambda sec: rx.vstack(
            rx.text(sec["label"], weight="bold", size="2"),
            rx.text(sec["text"], size="2", white_space="pre-wrap"), spacing="1", width="100%")),
        spacing="3", width="100%", data_testid="minutes"), width="100%")


def actions_card() -> rx.Component:
    return rx.card(rx.vstack(
        rx.hstack(rx.heading(t("meetings.actions"), size="3"), rx.spacer(),
                  rx.cond(S.can_manage, rx.button(rx.icon("plus", size=14), t("meetings.add_action"), size="1",
                                                  variant="soft", on_click=ActionForm.open_new,
                                                  data_testid="add-action")),
                  width="100%", align="center"),
        simple_table(["meetings.action", "meetings.responsible", "meetings.due_on", "meetings.done",
                      "meetings.ticket"],
                     S.actions, lambda a: rx.table.row(
                         rx.table.cell(a["description"]), rx.table.cell(a["responsible"]),
                         rx.table.cell(rx.cond(a["overdue"].to(bool), rx.badge(a["due_on"], " ", t("meetings.overdue"),
                                                                               color_scheme="red"), a["due_on"])),
                         rx.table.cell(rx.checkbox(checked=a["status"] == "done", disabled=~S.can_manage,
                                                   on_change=lambda on: S.set_action_done(a["id"], on))),
                         rx.table.cell(rx.cond(a["ticket_id"].to(int) > 0,
                                               rx.link(a["ticket_code"], href="/tickets/" + a["ticket_id"].to(str),
                                                       data_testid="action-ticket"),
                                               rx.cond(S.can_ticket, rx.button(
                                                   t("meetings.open_ticket"), size="1", variant="soft",
                                                   on_click=TicketForm.open_ticket(a["id"]),
                                                   data_testid="open-ticket")))),
                         data_testid="action-row"), "actions-table"),
        spacing="3", width="100%"), width="100%")


def dialogs() -> list[rx.Component]:
    m, mi, r, a, tk = MeetingForm, MinutesForm, ReturnForm, ActionForm, TicketForm
    return [
        form_dialog(m, title=t("meetings.edit"), testid="edit-form", max_width="640px", fields=meeting_fields(m)),
        form_dialog(mi, title=t("meetings.minutes"), testid="minutes-form", max_width="720px", fields=[
            notice(t("meetings.minutes_hint"), size="1"),
            form_field(mi, "discussion", "meetings.minutes.discussion", rx.text_area(
                name="discussion", default_value=mi.values["discussion"], rows="6", width="100%",
                data_testid="minutes-discussion")),
            form_field(mi, "resolutions", "meetings.minutes.resolutions", rx.text_area(
                name="resolutions", default_value=mi.values["resolutions"], rows="5", width="100%",
                data_testid="minutes-resolutions"))]),
        form_dialog(r, title=t("meetings.return"), testid="return-form", fields=[
            form_field(r, "note", "meetings.return_note")]),
        form_dialog(a, title=t("meetings.add_action"), testid="action-form", fields=[
            form_field(a, "description", "meetings.action", data_testid="action-description"),
            rx.hstack(form_field(a, "responsible_user_id", "meetings.responsible_staff", select_input(
                "responsible_user_id", S.staff, default=a.values["responsible_user_id"], testid="action-staff")),
                      form_field(a, "responsible_name", "meetings.responsible_name", data_testid="action-name"),
                      spacing="3", width="100%"),
            form_field(a, "due_on", "meetings.due_on", type_="date", data_testid="action-due")]),
        form_dialog(tk, title=t("meetings.open_ticket"), testid="ticket-form", save_key="meetings.open_ticket",
                    description=tk.subject["description"].to(str), fields=[
            form_field(tk, "category_id", "tickets.col.category", select_input(
                "category_id", tk.categories, default=tk.values["category_id"], testid="ticket-category")),
            rx.hstack(form_field(tk, "kind", "tickets.col.kind", select_input(
                "kind", [{"value": k} for k in TICKET_KINDS], default=tk.values["kind"], label_prefix="tickets.kind.")),
                      form_field(tk, "tier", "tickets.col.tier", select_input(
                          "tier", TIER_OPTIONS, default=tk.values["tier"],
                          label_prefix="tickets.tier.")), spacing="3", width="100%")]),
    ]


def meeting_page() -> rx.Component:
    return rx.fragment(
        rx.cond(S.missing, rx.callout(t("meetings.not_found"), icon="circle-alert", color_scheme="orange"),
                rx.vstack(header(),
                          rx.flex(agenda_card(), invitees_card(), gap="4", width="100%", wrap="wrap", align="start"),
                          minutes_card(), actions_card(), spacing="4", width="100%")),
        *dialogs())

