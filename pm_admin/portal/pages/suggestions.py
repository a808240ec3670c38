"""意见箱 in the portal (390 px first): a suggestion for one of my rooms, then mine with where they stand and the
replies."""

from __future__ import annotations

import reflex as rx

from pm_admin.portal.pages.layout import portal_frame
from pm_admin.portal.states.suggestions import PortalSuggestionsState
from pm_admin.ui.forms import field, notice, select_input
from pm_admin.ui.i18n import t, t_prefixed

S = PortalSuggestionsState


def _mine(s: rx.Var) -> rx.Component:
    return rx.card(rx.vstack(
        rx.hstack(rx.text(s["received_at"], " · ", s["category"], size="1", color_scheme="gray"), rx.spacer(),
                  rx.badge(t_prefixed("suggestions.status.", s["status"]), data_testid="portal-suggestion-status",
                           color_scheme=rx.match(s["status"], ("replied", "green"), ("closed", "gray"), "orange")),
                  width="100%", align="center"),
        rx.text(s["content"], size="2", white_space="pre-wrap"),
        rx.cond(s["reply"] != "", rx.box(
            rx.text(t("portal.suggestion_reply"), " · ", s["replied_at"], size="1", color_scheme="gray"),
            rx.text(s["reply"], size="2", white_space="pre-wrap", data_testid="portal-suggestion-reply"),
            background="var(--accent-2)", padding="8px", border_radius="6px", width="100%"),
            rx.text(t("portal.suggestion_due"), " ", s["reply_due_on"], size="1", color_scheme="gray")),
        spacing="2", width="100%"), width="100%", data_testid="portal-suggestion")


def portal_suggestions_page() -> rx.Component:
    return portal_frame(
        "portal.nav.suggestions",
        notice(t("portal.suggestions_explained"), icon="inbox"),
        rx.form(
            rx.vstack(
                field("portal.room", select_input("room_id", S.rooms, testid="suggestion-room"), S.errors["room_id"]),
                field("portal.category", select_input("category_id", S.categories, testid="suggestion-category"),
                      S.errors["category_id"]),
                field("suggestions.content", rx.text_area(name="content", rows="5", width="100%",
                                                          data_testid="suggestion-content-input"),
                      S.errors["content"]),
                rx.button(t("portal.send_suggestion"), type="submit", size="3", width="100%",
                          data_testid="suggestion-submit"),
                spacing="3", width="100%"),
            on_submit=S.submit, key=S.form_key.to(str), width="100%"),
        rx.heading(t("portal.my_suggestions"), size="3"),
        rx.foreach(S.mine, _mine),
        rx.cond(S.mine.length() == 0, rx.text(t("portal.no_suggestions"), size="2", color_scheme="gray")),
    )
