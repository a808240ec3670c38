"""My tickets, and one ticket with its promise, replies, timeline and the online rating."""

from __future__ import annotations

import reflex as rx

from pm_admin.portal.pages.home import ticket_row
from pm_admin.portal.pages.layout import portal_frame, status_badge
from pm_admin.portal.states.tickets import SCORES, PortalTicketsState, PortalTicketState
from pm_admin.ui.forms import field, form_error_banner
from pm_admin.ui.i18n import t


def portal_tickets_page() -> rx.Component:
    state = PortalTicketsState
    return portal_frame(
        "portal.nav.tickets",
        rx.foreach(state.rows, ticket_row),
        rx.cond(state.rows.length() == 0, rx.text(t("portal.no_tickets"), size="2", color_scheme="gray")),
    )


def _score(name: str) -> rx.Component:
    return field(f"tickets.score.{name}", rx.radio_group.root(
        rx.hstack(*[rx.radio_group.item(value=str(n), aria_label=str(n)) for n in range(1, 6)], spacing="3"),
        name=name, direction="row", data_testid=f"rate-{name}"),
        PortalTicketState.errors[name])


def _rating() -> rx.Component:
    state = PortalTicketState
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading(t("portal.rate_title"), size="3"),
                rx.hstack(
                    rx.button(rx.icon("thumbs-up"), t("portal.satisfied"), type="button", size="3",
                              variant=rx.cond(state.satisfied == "yes", "solid", "outline"), color_scheme="green",
                              on_click=state.choose("yes"), data_testid="rate-satisfied"),
                    rx.button(rx.icon("thumbs-down"), t("portal.unsatisfied"), type="button", size="3",
                              variant=rx.cond(state.satisfied == "no", "solid", "outline"), color_scheme="red",
                              on_click=state.choose("no"), data_testid="rate-unsatisfied"),
                    width="100%",
                ),
                form_error_banner(state.errors["satisfied"].to(str)),
                rx.cond(state.ticket["rate_scores"], rx.vstack(*[_score(name) for name in SCORES], width="100%")),
                rx.text_area(name="comment", placeholder=t("portal.rate_comment"), width="100%",
                             data_testid="rate-comment"),
                rx.button(t("portal.send_rating"), type="submit", size="3", width="100%", data_testid="rate-submit"),
                spacing="3", width="100%",
            ),
            on_submit=state.rate, width="100%",
        ),
        width="100%",
    )


def portal_ticket_page() -> rx.Component:
    state = PortalTicketState
    ticket = state.ticket
    return portal_frame(
        "portal.ticket",
        rx.cond(
            state.missing,
            rx.callout(t("portal.ticket_missing"), icon="triangle-alert", color_scheme="red"),
            rx.vstack(
                rx.hstack(rx.text(ticket["code"], size="2", color_scheme="gray"), rx.spacer(),
                          status_badge(ticket["status"].to(str), ticket["status_text"].to(str)), width="100%",
                          data_testid="portal-ticket-status"),
                rx.heading(ticket["title"].to(str), size="4"),
                rx.text(ticket["kind_text"].to(str), " · ", ticket["room"].to(str), " · ", ticket["created_at"].to(str),
                        size="2", color_scheme="gray"),
                rx.text(ticket["description"].to(str), size="3", white_space="pre-wrap"),
                rx.cond(ticket["promise"].to(str) != "",
                        rx.badge(rx.icon("clock", size=14), ticket["promise"].to(str), size="2", color_scheme="blue",
                                 data_testid="portal-promise")),
                rx.cond(ticket["resolution"].to(str) != "",
                        rx.callout(ticket["resolution"].to(str), icon="check", color_scheme="green",
                                   data_testid="portal-resolution")),
                rx.cond(ticket["can_rate"].to(bool), _rating()),
                rx.heading(t("portal.progress"), size="3"),
                rx.foreach(ticket["timeline"].to(list[dict[str, str]]), lambda line: rx.hstack(
                    rx.text(line["at"], size="1", color_scheme="gray", white_space="nowrap"),
                    rx.text(line["text"], size="2"), spacing="3", align="baseline",
                    data_testid="portal-timeline-line")),
                spacing="3", width="100%",
            ),
        ),
    )
