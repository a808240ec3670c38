"""Community activities in the portal (390 px first): open ones with 报名, my sign-ups, evaluations to give."""

from __future__ import annotations

import reflex as rx

from pm_admin.portal.pages.layout import portal_frame
from pm_admin.portal.states.activities import PortalActivitiesState
from pm_admin.ui.i18n import t, t_prefixed

S = PortalActivitiesState


def _open(a: rx.Var) -> rx.Component:
    return rx.card(rx.vstack(
        rx.text(a["title"], weight="medium", size="3"),
        rx.text(a["starts_at"], " · ", a["place"], size="2", color_scheme="gray"),
        rx.cond(a["description"] != "", rx.text(a["description"], size="2")),
        rx.text(t("portal.remaining"), " ", rx.text(a["remaining"].to(str), as_="span", weight="bold",
                                                     data_testid="portal-activity-remaining"),
                " / ", a["capacity"].to(str), size="2"),
        rx.cond(a["rooms"].to(list).length() > 0, rx.form(rx.hstack(
            rx.el.input(type="hidden", name="activity_id", value=a["id"].to(str)),
            rx.select.root(rx.select.trigger(), rx.select.content(rx.foreach(
                a["rooms"].to(list[dict[str, str]]), lambda r: rx.select.item(r["label"], value=r["value"]))),
                name="room_id", default_value=a["room"].to(str), size="3"),
            rx.select.root(rx.select.trigger(width="72px"), rx.select.content(
                *[rx.select.item(str(n), value=str(n)) for n in range(1, 6)]),
                name="people", default_value="1", size="3"),
            rx.button(t("portal.sign_up"), type="submit", size="3", data_testid="portal-activity-sign-up"),
            spacing="2", align="center", width="100%"), on_submit=S.sign_up, width="100%"),
            rx.text(t("portal.all_rooms_signed_up"), size="2", color_scheme="gray")),
        spacing="2", width="100%"), width="100%", data_testid="portal-activity")


def _signup(s: rx.Var) -> rx.Component:
    return rx.card(rx.hstack(
        rx.vstack(rx.text(s["title"], weight="medium", size="2"),
                  rx.text(s["room"], " · ", s["people"].to(str), " · ", s["starts_at"], size="1", color_scheme="gray"),
                  spacing="1", min_width="0"),
        rx.spacer(),
        rx.badge(rx.cond(s["checked_in"].to(bool), t("activities.checked_in"),
                         t_prefixed("activities.signup_status.", s["status"])),
                 color_scheme=rx.match(s["status"], ("confirmed", "green"), ("waiting", "amber"), "gray"), size="2",
                 data_testid="portal-signup-status"),
        rx.cond(s["can_cancel"].to(bool), rx.icon_button(rx.icon("x", size=14), size="2", variant="soft",
                                                         color_scheme="red", aria_label=t("activities.cancel_signup"),
                                                         on_click=S.cancel(s["id"]))),
        align="center", width="100%", spacing="2"), width="100%", data_testid="portal-signup")


def _task(task: rx.Var) -> rx.Component:
    return rx.card(rx.form(rx.vstack(
        rx.text(task["title"], weight="medium", size="2"), rx.text(task["room"], size="1", color_scheme="gray"),
        rx.el.input(type="hidden", name="activity_id", value=task["activity_id"].to(str)),
        rx.el.input(type="hidden", name="room_id", value=task["room_id"].to(str)),
        rx.radio_group.root(rx.hstack(*[rx.radio_group.item(str(n), value=str(n), data_testid=f"score-{n}")
                                        for n in range(1, 6)], spacing="4"),
                            name="score", size="3", direction="row"),
        rx.text_area(name="comment", placeholder=t("activities.comment"), rows="2", width="100%",
                     data_testid="portal-evaluation-comment"),
        rx.button(t("portal.evaluate"), type="submit", size="3", width="100%", data_testid="portal-evaluate"),
        spacing="2", width="100%"), on_submit=S.evaluate, width="100%"), width="100%",
        data_testid="portal-evaluation-task")


def portal_activities_page() -> rx.Component:
    return portal_frame(
        "portal.nav.activities",
        rx.cond(S.tasks.length() > 0, rx.heading(t("portal.evaluate_activities"), size="3")),
        rx.foreach(S.tasks, _task),
        rx.heading(t("portal.open_activities"), size="3"),
        rx.foreach(S.open_activities, _open),
        rx.cond(S.open_activities.length() == 0, rx.text(t("portal.no_open_activities"), size="2",
                                                         color_scheme="gray")),
        rx.heading(t("portal.my_signups"), size="3", padding_top="8px"),
        rx.foreach(S.signups, _signup),
        rx.cond(S.signups.length() == 0, rx.text(t("portal.no_signups"), size="2", color_scheme="gray")),
    )
