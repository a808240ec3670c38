"""Report a repair, complaint, suggestion or question for one of my rooms; and anonymous feedback."""

from __future__ import annotations

import reflex as rx

from pm_admin.portal.pages.layout import portal_frame
from pm_admin.portal.services.tickets import OWNER_KINDS
from pm_admin.portal.states.report import PHOTO_INPUT, PortalReportState
from pm_admin.ui.forms import field, notice, select_input, text_input
from pm_admin.ui.i18n import t


def portal_report_page() -> rx.Component:
    state = PortalReportState
    return portal_frame(
        "portal.nav.report",
        rx.form(
            rx.vstack(
                field("portal.kind", select_input("kind", [{"value": k.value} for k in OWNER_KINDS],
                                                  default="repair", label_prefix="tickets.kind.",
                                                  testid="report-kind"), state.errors["kind"]),
                field("portal.room", select_input("room_id", state.rooms, testid="report-room"),
                      state.errors["room_id"]),
                field("portal.category", select_input("category_id", state.categories, testid="report-category"),
                      state.errors["category_id"]),
                field("portal.description", rx.text_area(name="description", rows="5", width="100%",
                                                         placeholder=t("portal.description_hint"),
                                                         default_value=state.prefill,
                                                         data_testid="report-description"),
                      state.errors["description"]),
                field("portal.preferred_time", text_input("preferred_time", placeholder_key="portal.preferred_time_hint",
                                                          data_testid="report-time"), state.errors["contact_time"]),
                field("portal.photos", rx.el.input(type="file", id=PHOTO_INPUT, accept="image/*", multiple=True,
                                                   data_testid="report-photos"), state.errors["photos"],
                      hint_key="portal.photos_hint"),
                rx.checkbox(t("portal.urgent"), name="urgent", data_testid="report-urgent"),
                rx.button(t("portal.submit_report"), type="submit", size="3", width="100%",
                          data_testid="report-submit"),
                spacing="3", width="100%",
            ),
            on_submit=state.submit, reset_on_submit=False, key=state.form_key.to(str), width="100%",
        ),
    )


def portal_feedback_page() -> rx.Component:
    state = PortalReportState
    return portal_frame(
        "portal.nav.feedback",
        notice(t("portal.anonymous_explained"), icon="shield"),
        rx.cond(
            state.feedback_code != "",
            rx.callout.root(rx.callout.icon(rx.icon("check")),
                            rx.callout.text(t("portal.feedback_received"), " ", rx.text.strong(state.feedback_code)),
                            color_scheme="green", data_testid="feedback-received"),
        ),
        rx.form(
            rx.vstack(
                field("portal.community", select_input("community_id", state.communities, testid="feedback-community"),
                      state.errors["community_id"]),
                field("portal.category", select_input("category_id", state.categories, testid="feedback-category"),
                      state.errors["category_id"]),
                field("portal.description", rx.text_area(name="description", rows="5", width="100%",
                                                         data_testid="feedback-description"),
                      state.errors["description"]),
                rx.button(t("portal.send_feedback"), type="submit", size="3", width="100%",
                          data_testid="feedback-submit"),
                spacing="3", width="100%",
            ),
            on_submit=state.give_feedback, reset_on_submit=True, width="100%",
        ),
    )
