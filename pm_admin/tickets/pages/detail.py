"""One ticket 工单详情: actions, facts and deadlines, callbacks, evidence, related tickets, timeline."""

from __future__ import annotations

import reflex as rx

from pm_admin.tickets.models import Tier
from pm_admin.tickets.pages.callback_dialog import callback_dialog
from pm_admin.tickets.pages.parts import flags, move_fields, sla_badge, status_badge, tier_badge
from pm_admin.tickets.states.detail import (
    EVIDENCE_INPUT,
    AppointmentForm,
    DetailCallback,
    DetailMoveForm,
    PlanForm,
    TicketDetailState,
    UnreachableForm,
)
from pm_admin.ui.forms import confirm_button, form_dialog, form_field, notice
from pm_admin.ui.i18n import t, t_prefixed
from pm_admin.ui.uploads import file_input

D = TicketDetailState
EVENT_COLORS = (("created", "var(--blue-9)"), ("status", "var(--amber-9)"), ("reply", "var(--green-9)"),
                ("note", "var(--gray-9)"), ("callback_satisfied", "var(--green-9)"),
                ("callback_unsatisfied", "var(--red-9)"), ("callback_unreachable", "var(--orange-9)"),
                ("repeat", "var(--red-9)"))


def fact(label_key: str, value: rx.Var | rx.Component) -> rx.Component:
    return rx.vstack(rx.text(t(label_key), size="1", color_scheme="gray"),
                     value if isinstance(value, rx.Component) else rx.text(value, size="2"), spacing="0")


def actions() -> rx.Component:
    k = D.ticket
    return rx.hstack(
        rx.foreach(D.moves, lambda m: rx.button(t_prefixed("tickets.action.", m["label"]), variant="soft",
                                                on_click=DetailMoveForm.open_move(m["action"]),
                                                data_testid="move-" + m["action"].to(str))),
        rx.cond(D.can_callback & (k["status"] == "resolved") & (k["callback_attempts"].to(int) < 3),
                rx.button(rx.icon("phone-call", size=14), t("tickets.callback"), on_click=DetailCallback.open_callback,
                          data_testid="open-callback")),
        rx.cond(D.can_approve & (k["status"] == "resolved") & (k["callback_attempts"].to(int) >= 3),
                rx.button(t("tickets.close_unreachable"), color_scheme="orange", on_click=UnreachableForm.open_unreachable)),
        rx.cond((k["tier"] == "important") & D.can_comment & (k["plan_approved_by"] == ""),
                rx.button(rx.icon("clipboard-list", size=14), t("tickets.submit_plan"), variant="outline",
                          on_click=PlanForm.open_plan)),
        rx.cond(D.can_approve & (k["plan"] != "") & (k["plan_approved_by"] == ""),
                confirm_button("tickets.approve_plan", title_key="tickets.approve_plan_confirm",
                               subject=k["code"].to(str) + " · " + k["title"].to(str),
                               explain_key="tickets.approve_plan_explain", on_confirm=D.approve_plan,
                               testid="approve-plan", color_scheme="green", icon="check")),
        rx.spacer(),
        rx.cond(D.can_work, rx.select.root(rx.select.trigger(), rx.select.content(
            *[rx.select.item(t(f"tickets.tier.{tier}"), value=tier.value) for tier in Tier]),
            value=k["tier"].to(str), on_change=D.change_tier)),
        rx.cond(D.can_approve & (k["kind"] == "complaint"), rx.select.root(
            rx.select.trigger(placeholder=t("tickets.valid_complaint")), rx.select.content(
                rx.select.item(t("tickets.valid_yes"), value="true"), rx.select.item(t("tickets.valid_no"), value="false")),
            value=k["valid_complaint"].to(str), on_change=D.mark_valid)),
        rx.icon_button(rx.icon("eye", size=14), variant="ghost", on_click=D.watch, title=t("tickets.watch")),
        spacing="2", wrap="wrap", width="100%", align="center",
    )


def facts() -> rx.Component:
    k = D.ticket
    name = rx.text(k["contact_name"].to(str), rx.cond(k["contact_relation"].to(str) != "",
                                                      "（" + k["contact_relation"].to(str) + "）", ""), " ",
                   k["contact_phone"].to(str), size="2")
    owner = rx.cond(k["kind"] == "anonymous", rx.text(t("tickets.anonymous_submitter"), size="2"), rx.cond(
        k["owner_id"].to(int) > 0, rx.link(name, href="/owners/" + k["owner_id"].to(str), data_testid="owner-link"),
        rx.cond(k["contact_name"].to(str) != "", name, rx.text("—", size="2"))))
    return rx.card(rx.vstack(
        rx.text(k["description"].to(str), size="2", white_space="pre-wrap"),
        rx.grid(
            fact("tickets.col.kind", t_prefixed("tickets.kind.", k["kind"])),
            fact("tickets.col.channel", t_prefixed("tickets.channel.", k["channel"])),
            fact("tickets.col.category", k["category"].to(str)),
            fact("tickets.col.department", k["department"].to(str)),
            fact("tickets.col.assignee", rx.text(k["assignee"].to(str), size="2", data_testid="assignee")),
            fact("tickets.col.room", k["room"].to(str)),
            fact("tickets.col.contact", owner),
            fact("tickets.contact_time", k["contact_time"].to(str)),
            fact("tickets.appointment", rx.hstack(
                rx.text(rx.cond(k["appointment"].to(str) != "", k["appointment"].to(str), "—"), size="2",
                        weight="medium", data_testid="ticket-appointment"),
                rx.cond(k["can_schedule"].to(bool), rx.button(
                    rx.icon("calendar-clock", size=12),
                    rx.cond(k["appointment"].to(str) != "", t("tickets.appointment_change"), t("tickets.appointment_set")),
                    size="1", variant="soft", on_click=AppointmentForm.open_appointment,
                    data_testid="appointment-open")),
                spacing="2", align="center", wrap="wrap")),
            fact("tickets.col.created_at", rx.text(k["created_at"].to(str), " · ", k["created_by"].to(str), size="2")),
            fact("tickets.respond_due", rx.text(k["respond_due"].to(str), " → ", k["responded_at"].to(str), size="2")),
            fact("tickets.onsite_due", k["onsite_due"].to(str)),
            fact("tickets.col.resolve_due", rx.text(k["resolve_due"].to(str), " → ", k["resolved_at"].to(str), size="2")),
            fact("tickets.closed_at", k["closed_at"].to(str)),
            columns=rx.breakpoints(initial="2", md="3"), spacing="3", width="100%"),
        rx.cond(k["hold_reason"] != "", notice(t("tickets.status.on_hold"), ": ", k["hold_reason"].to(str), " · ",
                                              k["hold_until"].to(str), icon="pause", color_scheme="gray", size="1")),
        rx.cond(k["plan"] != "", notice(
            t("tickets.plan"), ": ", k["plan"].to(str), " (",
            rx.cond(k["plan_approved_by"] != "", t("tickets.plan_approved_by"), t("tickets.plan_waiting_text")),
            " ", k["plan_approved_by"].to(str), ")",
            icon="clipboard-list", color_scheme=rx.cond(k["plan_approved_by"] != "", "green", "amber"), size="1",
            data_testid="plan")),
        rx.cond(k["resolution"] != "", notice(t("tickets.resolution"), ": ", k["resolution"].to(str),
                                             icon="circle-check", color_scheme="violet", size="1")),
        spacing="3", width="100%"), width="100%")


def callbacks_card() -> rx.Component:
    return rx.card(rx.vstack(
        rx.heading(t("tickets.callbacks"), size="3"),
        rx.cond(D.callbacks.length() == 0, rx.text(t("tickets.no_callbacks"), size="2", color_scheme="gray")),
        rx.foreach(D.callbacks, lambda c: rx.hstack(
            rx.badge(c["number"]), rx.text(t_prefixed("tickets.method.", c["method"]), size="2"),
            rx.cond(c["reached"], rx.cond(c["satisfied"] == "true",
                                          rx.badge(t("tickets.satisfied"), color_scheme="green"),
                                          rx.badge(t("tickets.unsatisfied"), color_scheme="red")),
                    rx.badge(t("tickets.unreachable"), color_scheme="orange")),
            rx.cond(c["scores"] != "", rx.text(t("tickets.scores"), ": ", c["scores"], size="1")),
            rx.text(c["comment"], size="2"), rx.spacer(),
            rx.text(c["done_at"], " ", c["done_by"], size="1", color_scheme="gray"),
            width="100%", spacing="2", wrap="wrap", align="center", data_testid="callback-row")),
        spacing="2", width="100%"), width="100%")


def evidence_card() -> rx.Component:
    return rx.card(rx.vstack(
        rx.heading(t("tickets.evidence"), size="3"),
        rx.foreach(D.evidence, lambda e: rx.hstack(
            rx.icon(rx.cond(e["content_type"].to(str).startswith("video"), "video", "image"), size=14),
            rx.link(e["filename"], href="/tickets/evidence/" + e["id"].to(str), is_external=True, size="2"),
            rx.text(e["uploaded_by"], " · ", e["uploaded_at"], size="1", color_scheme="gray"),
            spacing="2", align="center")),
        rx.hstack(file_input(EVIDENCE_INPUT, ".jpg,.jpeg,.png,.webp,.mp4,.mov,.webm", "evidence-file"),
                  rx.button(rx.icon("upload", size=14), t("tickets.add_evidence"), variant="soft", on_click=D.start_upload),
                  spacing="2", align="center", wrap="wrap"),
        rx.cond(D.upload_message != "", rx.text(D.upload_message, size="1", color="var(--red-11)", role="alert")),
        spacing="2", width="100%"), width="100%")


def related_card() -> rx.Component:
    return rx.cond(
        (D.related.length() > 0) | (D.breaches.length() > 0),
        rx.card(rx.vstack(
            rx.cond(D.related.length() > 0, rx.vstack(
                rx.heading(t("tickets.related"), size="3"),
                rx.foreach(D.related, lambda r: rx.hstack(
                    rx.link(r["code"], href="/tickets/" + r["id"].to(str), size="2"), status_badge(r["status"]),
                    spacing="2")),
                spacing="1")),
            rx.cond(D.breaches.length() > 0, rx.vstack(
                rx.heading(t("tickets.breaches"), size="3"),
                rx.foreach(D.breaches, lambda b: rx.text(
                    t_prefixed("tickets.milestone.", b["milestone"]), " · ", t("tickets.late_by"), " ",
                    b["over_text"], size="2", color="var(--red-11)")),
                spacing="1", data_testid="breaches")),
            spacing="3", width="100%"), width="100%"))


def event_view(event: rx.Var) -> rx.Component:
    is_tier = event["kind"] == "tier"
    return rx.hstack(
        rx.box(width="10px", height="10px", border_radius="50%", margin_top="6px", flex_shrink="0",
               background=rx.match(event["kind"], *EVENT_COLORS, "var(--gray-8)")),
        rx.vstack(
            rx.hstack(rx.text(t_prefixed("tickets.event.", event["kind"]), weight="medium", size="2"),
                      rx.cond(event["public"], rx.badge(t("tickets.public_reply"), color_scheme="green", size="1")),
                      rx.text(event["at"], " · ", event["actor"], size="1", color_scheme="gray"),
                      spacing="2", align="baseline", wrap="wrap"),
            rx.cond(event["to"] != "", rx.hstack(
                rx.cond(event["from"] != "", rx.cond(is_tier, tier_badge(event["from"]), status_badge(event["from"]))),
                rx.cond(event["from"] != "", rx.icon("arrow-right", size=12)),
                rx.cond(is_tier, tier_badge(event["to"]), status_badge(event["to"])), spacing="1", align="center")),
            rx.cond(event["body"] != "", rx.text(event["body"], size="2", white_space="pre-wrap")),
            spacing="1"),
        spacing="3", align="start", padding_bottom="12px", border_left="2px solid var(--gray-5)", padding_left="12px",
        margin_left="4px", data_testid="timeline-event", data_kind=event["kind"],
    )


def comment_form() -> rx.Component:
    return rx.cond(D.can_comment, rx.form(
        rx.vstack(
            rx.text_area(name="body", placeholder=t("tickets.comment_hint"), rows="3", width="100%",
                         data_testid="comment-body"),
            rx.cond(D.comment_errors["body"], rx.text(D.comment_errors["body"], size="1", color="var(--red-11)",
                                                      role="alert")),
            rx.hstack(rx.checkbox(t("tickets.public_reply_hint"), name="public"), rx.spacer(),
                      rx.button(t("tickets.add_comment"), type="submit", size="2", data_testid="comment-save"),
                      width="100%", align="center"),
            spacing="2", width="100%"),
        on_submit=D.add_comment, reset_on_submit=False, key=D.comment_key.to(str), width="100%"))


def move_dialog() -> rx.Component:
    d = DetailMoveForm
    return form_dialog(d, title=rx.text(D.ticket["code"].to(str), " · ", t_prefixed("tickets.action.", d.action)),
                       testid="detail-move-form", fields=move_fields(d, D.assignees))


def plan_dialog() -> rx.Component:
    d = PlanForm
    return form_dialog(d, title=t("tickets.submit_plan"), testid="plan-form", fields=[form_field(
        d, "plan", "tickets.plan", rx.text_area(name="plan", default_value=d.values["plan"], rows="4", width="100%"),
        hint_key="tickets.plan_hint")])


def appointment_dialog() -> rx.Component:
    d = AppointmentForm
    return form_dialog(d, title=t("tickets.appointment"), testid="appointment-form",
                       description=rx.text.strong(D.ticket["code"].to(str), " · ", D.ticket["title"].to(str)),
                       fields=[form_field(d, "appointment_at", "tickets.appointment", type_="datetime-local",
                                          hint_key="tickets.appointment_hint", data_testid="appointment-input")])


def unreachable_dialog() -> rx.Component:
    d = UnreachableForm
    return form_dialog(d, title=t("tickets.close_unreachable"), testid="unreachable-form",
                       description=rx.text.strong(D.ticket["code"].to(str), " · ", D.ticket["title"].to(str)),
                       fields=[form_field(d, "reason", "tickets.reason")])


def ticket_page() -> rx.Component:
    k = D.ticket
    return rx.fragment(
        rx.cond(D.missing, notice(t("error.not_found"), icon="circle-alert", color_scheme="red"), rx.vstack(
            rx.hstack(
                rx.link(rx.hstack(rx.icon("arrow-left", size=14), t("nav.tickets"), spacing="1", align="center"),
                        href="/tickets", size="2"),
                rx.heading(k["code"].to(str), size="4", data_testid="ticket-code"),
                tier_badge(k["tier"]), rx.box(status_badge(k["status"]), data_testid="ticket-status"),
                sla_badge(k["sla_state"], k["sla_text"]), flags(k),
                rx.spacer(),
                rx.link(rx.button(rx.icon("printer", size=14), t("common.print"), variant="soft", size="2"),
                        href="/print/tickets/" + k["id"].to(str), is_external=True, data_testid="print-ticket"),
                rx.cond(D.can_open_incident & (k["tier"].to(str) == "urgent"),
                        rx.link(rx.button(rx.icon("siren", size=14), t("tickets.open_incident"), color_scheme="red",
                                          variant="soft", size="2"),
                                href="/notices?from_ticket=" + k["id"].to(str), data_testid="open-incident")),
                spacing="3", align="center", wrap="wrap", width="100%"),
            rx.heading(k["title"].to(str), size="5"),
            actions(),
            rx.grid(
                rx.vstack(facts(), callbacks_card(), evidence_card(), related_card(), spacing="3", width="100%"),
                rx.card(rx.vstack(rx.heading(t("tickets.timeline"), size="3"), comment_form(),
                                  rx.box(rx.foreach(D.events, event_view), data_testid="ticket-timeline", width="100%"),
                                  spacing="3", width="100%")),
                columns=rx.breakpoints(initial="1", lg="2"), spacing="4", width="100%"),
            spacing="4", width="100%")),
        move_dialog(), plan_dialog(), appointment_dialog(), unreachable_dialog(), callback_dialog(DetailCallback),
    )
