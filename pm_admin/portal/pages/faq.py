"""常见问题 in the portal (390 px first): ask, then the answer, three to choose from, or an offer to report it."""

from __future__ import annotations

import reflex as rx

from pm_admin.portal.pages.layout import portal_frame
from pm_admin.portal.states.faq import PortalFaqState
from pm_admin.ui.forms import notice, select_input
from pm_admin.ui.i18n import t

S = PortalFaqState


def _proposal(p: rx.Var) -> rx.Component:
    return rx.button(p["question"], variant="outline", size="3", width="100%", justify="start", white_space="normal",
                     height="auto", padding="10px", on_click=S.choose(p["entry_id"]),
                     data_testid="portal-faq-proposal")


def portal_faq_page() -> rx.Component:
    return portal_frame(
        "portal.nav.faq",
        notice(t("portal.faq_explained"), icon="message-circle-question"),
        rx.form(rx.vstack(
            rx.cond(S.communities.length() > 1, select_input("community_id", S.communities, default=S.community,
                                                             testid="portal-faq-community")),
            rx.text_area(name="text", rows="2", width="100%", placeholder=t("portal.faq_placeholder"),
                         max_length=500, data_testid="portal-faq-input"),
            rx.cond(S.error != "", rx.text(S.error, size="1", color="var(--red-11)", role="alert")),
            rx.button(rx.icon("search", size=16), t("portal.faq_ask"), type="submit", size="3", width="100%",
                      data_testid="portal-faq-submit"),
            spacing="3", width="100%"), on_submit=S.ask, width="100%"),
        rx.cond(S.answer.length() > 0, rx.card(rx.vstack(
            rx.text(S.answer["question"], weight="medium", size="3"),
            rx.box(rx.markdown(S.answer["answer"].to(str)), data_testid="portal-faq-answer"),
            spacing="2", width="100%"), width="100%")),
        rx.cond(S.proposals.length() > 0, rx.vstack(
            rx.text(t("faq.did_you_mean"), size="2", color_scheme="gray"),
            rx.foreach(S.proposals, _proposal), spacing="2", width="100%", data_testid="portal-faq-proposals")),
        rx.cond(S.ticket.length() > 0, notice(
            rx.text(t("portal.faq_ticket_offer"), size="2"),
            rx.button(rx.icon("wrench", size=16), t("portal.faq_report"), size="3", width="100%", margin_top="8px",
                      on_click=S.report, data_testid="portal-faq-report"),
            icon="wrench", color_scheme="orange", data_testid="portal-faq-ticket", width="100%")),
    )
