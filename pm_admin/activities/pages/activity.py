"""One activity: details and steps, staff roles, sign-ups, the review with attendance, score and comments; the
phone-sized check-in view."""

from __future__ import annotations

import reflex as rx

from pm_admin.activities.pages.activities import activity_fields, status_badge
from pm_admin.activities.states.activity import ActivityForm, ActivityState
from pm_admin.ui.forms import confirm_button, form_dialog, notice, text_input
from pm_admin.ui.i18n import t, t_prefixed
from pm_admin.ui.table import simple_table

S = ActivityState


def _is(*statuses: str) -> rx.Var:
    result = S.activity["status"] == statuses[0]
    for status in statuses[1:]:
        result = result | (S.activity["status"] == status)
    return result


def header() -> rx.Component:
    a = S.activity
    return rx.hstack(
        rx.vstack(
            rx.hstack(rx.link(rx.hstack(rx.icon("arrow-left", size=14), t("nav.activities"), spacing="1",
                                        align="center"), href="/activities", size="2"),
                      rx.heading(a["title"], size="5", data_testid="activity-heading"),
                      rx.cond(a["theme"] != "", rx.badge(a["theme"], color_scheme="gray")),
                      status_badge(a["status"]), align="center", spacing="3", wrap="wrap"),
            rx.text(a["community"], " · ", a["starts_at"], " ~ ", a["ends_at"], " · ", a["place"], " · ",
                    t("activities.capacity"), " ", a["capacity"], " · ", t("activities.budget"), " ", a["budget"],
                    size="2", color_scheme="gray"),
            rx.cond(a["notice_id"].to(int) > 0,
                    rx.link(t("activities.notice_link"), href="/notices/" + a["notice_id"].to(str), size="2",
                            data_testid="activity-notice"),
                    rx.cond(_is("open", "closed", "done", "reviewed"),
                            rx.text(t("activities.no_notice"), size="1", color_scheme="gray"))),
            spacing="1"),
        rx.spacer(),
        rx.cond(S.can_manage, rx.hstack(
            rx.cond(_is("planned", "open"), rx.button(rx.icon("pencil", size=14), t("activities.edit"),
                                                      variant="soft", on_click=ActivityForm.open_edit,
                                                      data_testid="edit-activity")),
            rx.cond(_is("planned", "closed"), rx.button(t("activities.open_signup"), on_click=S.open_signup,
                                                        data_testid="open-signup")),
            rx.cond(_is("open"), rx.button(t("activities.close_signup"), variant="soft", on_click=S.close_signup,
                                           data_testid="close-signup")),
            rx.cond(_is("open", "closed"), rx.link(rx.button(rx.icon("smartphone", size=14),
                                                             t("activities.check_in_view"), variant="soft"),
                                                   href="/activities/" + a["id"].to(str) + "/check-in",
                                                   data_testid="check-in-link")),
            rx.cond(_is("open", "closed"), confirm_button(
                "activities.mark_done", title_key="activities.mark_done_confirm", subject=a["title"].to(str),
                explain_key="activities.mark_done_explain", on_confirm=S.mark_done, testid="mark-done",
                color_scheme="green")),
            spacing="2", wrap="wrap")),
        width="100%", align="center", wrap="wrap", spacing="2")


def staff_card() -> rx.Component:
    return rx.card(rx.vstack(
        rx.heading(t("activities.staff"), size="3"),
        rx.foreach(S.staff, lambda s: rx.hstack(
            rx.badge(s["role"]), rx.text(s["name"], size="2"),
            rx.cond(S.can_manage, rx.icon_button(rx.icon("x", size=12), size="1", variant="ghost",
                                                 on_click=S.remove_staff(s["id"]))),
            align="center", spacing="2", data_testid="staff-row")),
        rx.cond(S.can_manage & _is("planned", "open", "closed"), rx.form(rx.hstack(
            rx.select.root(rx.select.trigger(placeholder=t("activities.staff_member")),
                           rx.select.content(rx.foreach(S.staff_options,
                                                        lambda u: rx.select.item(u["label"], value=u["value"]))),
                           name="user_id", size="1"),
            rx.box(text_input("role", placeholder_key="activities.role_hint", size="1", data_testid="staff-role"),
                   width="140px"),
            rx.button(t("activities.assign"), size="1", variant="soft", type="submit", data_testid="assign-staff"),
            spacing="2", align="center", wrap="wrap"), on_submit=S.assign_staff, key="staff-" + S.form_key.to(str))),
        spacing="2", width="100%"))


def figures_card() -> rx.Component:
    f = S.figures
    return rx.card(rx.vstack(
        rx.heading(t("activities.figures"), size="3"),
        rx.hstack(
            rx.vstack(rx.text(t("activities.attendance"), size="1", color_scheme="gray"),
                      rx.text(f["checked_in"].to(str), " / ", f["signed_up"].to(str), " / ", f["capacity"].to(str),
                              size="6", weight="bold", data_testid="attendance"), spacing="0"),
            rx.vstack(rx.text(t("activities.households"), size="1", color_scheme="gray"),
                      rx.text(f["checked_households"].to(str), " / ", f["signed_households"].to(str), size="4"),
                      spacing="0"),
            rx.vstack(rx.text(t("activities.waiting"), size="1", color_scheme="gray"),
                      rx.text(f["waiting"].to(str), size="4", data_testid="waiting"), spacing="0"),
            rx.vstack(rx.text(t("activities.average"), size="1", color_scheme="gray"),
                      rx.text(f["average"].to(str), size="6", weight="bold", data_testid="average-score"),
                      rx.text(f["evaluations"].to(str), " ", t("activities.evaluations"), size="1",
                              color_scheme="gray"), spacing="0"),
            spacing="6", wrap="wrap"),
        spacing="2", width="100%"))


def signups_card() -> rx.Component:
    return rx.card(rx.vstack(
        rx.heading(t("activities.signups"), size="3"),
        rx.cond(S.can_manage & _is("open"), rx.form(rx.hstack(
            rx.box(text_input("room_code", placeholder_key="activities.room_hint", size="1", data_testid="signup-room"),
                   width="180px"),
            rx.box(text_input("people", default="1", type_="number", size="1", data_testid="signup-people"),
                   width="70px"),
            rx.button(t("activities.sign_up_room"), size="1", variant="soft", type="submit",
                      data_testid="signup-by-staff"),
            spacing="2", align="center"), on_submit=S.sign_up_room, key="signup-" + S.form_key.to(str))),
        rx.cond(S.form_error != "", rx.text(S.form_error, size="1", color="var(--red-11)", role="alert")),
        simple_table(["activities.room", "activities.name", "activities.people", "common.status", "activities.source",
                      "activities.signed_up_at", "activities.checked_in", "common.actions"],
                     S.signups, lambda r: rx.table.row(
                         rx.table.cell(r["room"]), rx.table.cell(r["name"]), rx.table.cell(r["people"]),
                         rx.table.cell(rx.badge(t_prefixed("activities.signup_status.", r["status"]),
                                                color_scheme=rx.match(r["status"], ("confirmed", "green"),
                                                                      ("waiting", "amber"), "gray"))),
                         rx.table.cell(t_prefixed("activities.source.", r["source"])),
                         rx.table.cell(r["signed_up_at"]), rx.table.cell(r["checked_in_at"]),
                         rx.table.cell(rx.cond(S.can_manage & _is("open", "closed") & (r["status"] != "cancelled")
                                               & ~r["checked_in"].to(bool),
                                               confirm_button(
                                                   "activities.cancel_signup",
                                                   title_key="activities.cancel_signup_confirm",
                                                   subject=r["room"].to(str) + " · " + r["name"].to(str),
                                                   explain_key="activities.cancel_signup_explain",
                                                   on_confirm=S.cancel_signup(r["id"]), testid="cancel-signup",
                                                   color_scheme="red", size="1", variant="soft"))),
                         data_testid="signup-row"), "signups-table"),
        spacing="2", width="100%"))


def review_card() -> rx.Component:
    return rx.cond(_is("done", "reviewed"), rx.card(rx.vstack(
        rx.heading(t("activities.evaluations"), size="3"),
        rx.cond(S.evaluations.length() == 0, rx.text(t("activities.no_evaluations"), size="2", color_scheme="gray")),
        rx.foreach(S.evaluations, lambda e: rx.hstack(
            rx.badge(e["score"].to(str), " ★", color_scheme="amber"), rx.text(e["comment"], size="2"),
            rx.text(e["room"], size="1", color_scheme="gray"), spacing="2", align="center",
            data_testid="evaluation-row")),
        rx.separator(size="4"),
        rx.heading(t("activities.improvement"), size="3"),
        rx.cond(S.activity["reviewed_by"] != "",
                rx.text(t("activities.reviewed_by"), " ", S.activity["reviewed_by"], " · ", S.activity["reviewed_at"],
                        size="1", color_scheme="gray")),
        rx.cond(S.can_manage, rx.form(rx.vstack(
            rx.text_area(name="improvement", default_value=S.activity["improvement"].to(str), rows="3", width="100%",
                         placeholder=t("activities.improvement_hint"), data_testid="improvement"),
            rx.button(t("activities.save_review"), type="submit", data_testid="save-review"), width="100%"),
            on_submit=S.save_review, key="review-" + S.form_key.to(str), width="100%"),
            rx.text(S.activity["improvement"], size="2")),
        spacing="2", width="100%")))


def activity_page() -> rx.Component:
    return rx.fragment(rx.cond(S.missing, notice(t("activities.missing"), icon="circle-alert", color_scheme="red"),
                               rx.vstack(
                                   header(),
                                   rx.cond(S.activity["description"] != "", rx.text(S.activity["description"],
                                                                                    size="2")),
                                   figures_card(), review_card(), staff_card(), signups_card(),
                                   spacing="4", width="100%")),
                       form_dialog(ActivityForm, title=t("activities.edit"), testid="activity-edit-form",
                                   max_width="640px", fields=activity_fields(ActivityForm)))


def _check_in_row(r: rx.Var) -> rx.Component:
    return rx.card(rx.hstack(
        rx.vstack(rx.text(r["room"], " ", r["name"], weight="medium", size="3"),
                  rx.text(t("activities.people_count").to(str).replace("{n}", r["people"].to(str)), " · ",
                          t_prefixed("activities.signup_status.", r["status"]), size="2", color_scheme="gray"),
                  spacing="0"),
        rx.spacer(),
        rx.cond(r["checked_in"].to(bool), rx.badge(rx.icon("check", size=14), t("activities.checked_in"),
                                                   color_scheme="green", size="3"),
                rx.button(t("activities.check_in"), size="3", on_click=S.check_in(r["id"]),
                          data_testid="check-in")),
        align="center", width="100%"), width="100%", data_testid="check-in-row")


def check_in_page() -> rx.Component:
    """Phone-sized: big buttons, the attendance on top, walk-ins at the bottom."""
    return rx.cond(S.missing, notice(t("activities.missing"), icon="circle-alert", color_scheme="red"), rx.vstack(
        rx.link(rx.hstack(rx.icon("arrow-left", size=14), t("activities.back"), spacing="1", align="center"),
                href="/activities/" + S.activity["id"].to(str), size="2"),
        rx.heading(S.activity["title"], size="4"),
        rx.text(t("activities.attendance"), ": ", rx.text(S.figures["checked_in"].to(str), " / ",
                                                           S.figures["signed_up"].to(str), " / ",
                                                           S.figures["capacity"].to(str), as_="span",
                                                           weight="bold", data_testid="check-in-attendance"),
                size="2"),
        rx.foreach(S.signups, lambda r: rx.cond(r["status"] != "cancelled", _check_in_row(r))),
        rx.cond(S.can_manage, rx.card(rx.form(rx.vstack(
            rx.heading(t("activities.walk_in"), size="3"),
            text_input("room_code", placeholder_key="activities.room_hint", size="3"),
            text_input("name", placeholder_key="activities.name", size="3", data_testid="walk-in-name"),
            text_input("people", default="1", type_="number", size="3"),
            rx.button(t("activities.walk_in"), type="submit", size="3", width="100%", data_testid="walk-in"),
            width="100%"), on_submit=S.walk_in, key="walk-" + S.form_key.to(str)), width="100%")),
        rx.cond(S.form_error != "", rx.text(S.form_error, size="2", color="var(--red-11)", role="alert")),
        spacing="3", width="100%", max_width="480px", margin="0 auto"))
