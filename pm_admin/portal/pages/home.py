"""The portal home: greeting, my rooms, open tickets, unread notices, surveys waiting (待填问卷), the report button."""

from __future__ import annotations

import reflex as rx

from pm_admin.portal.pages.layout import portal_frame, status_badge
from pm_admin.portal.states.home import PortalHomeState
from pm_admin.ui.i18n import t


def ticket_row(row: rx.Var) -> rx.Component:
    return rx.link(
        rx.card(
            rx.hstack(
                rx.vstack(rx.text(row["title"], weight="medium", size="2"),
                          rx.text(row["kind_text"], " · ", row["room"], " · ", row["created_at"], size="1",
                                  color_scheme="gray"), spacing="1", min_width="0"),
                rx.spacer(),
                status_badge(row["status"], row["status_text"]),
                align="center", width="100%",
            ),
            width="100%",
        ),
        href="/portal/tickets/" + row["id"].to(str), underline="none", width="100%",
        data_testid="portal-ticket-row",
    )


def link_card(icon: str, label_key: str, href: str, testid: str) -> rx.Component:
    """A card of the home page leading to one of the portal's pages."""
    return rx.link(rx.card(rx.hstack(rx.icon(icon, size=20, color="var(--accent-10)"),
                                     rx.text(t(label_key), size="3", weight="medium"), rx.spacer(),
                                     rx.icon("chevron-right", size=16), align="center", width="100%"), width="100%"),
                   href=href, underline="none", width="100%", data_testid=testid)


def portal_home_page() -> rx.Component:
    state = PortalHomeState
    return portal_frame(
        "portal.nav.home",
        rx.text(t("portal.hello"), " ", state.name, size="4", weight="medium", data_testid="portal-hello"),
        rx.card(
            rx.text(t("portal.my_rooms"), size="2", color_scheme="gray"),
            rx.foreach(state.rooms, lambda room: rx.text(room["label"], size="3", weight="medium")),
            rx.cond(state.rooms.length() == 0, rx.text(t("portal.no_rooms"), size="2")),
            width="100%", data_testid="portal-rooms",
        ),
        rx.grid(
            rx.link(rx.button(rx.icon("wrench"), t("portal.report_repair"), size="3", width="100%"),
                    href="/portal/report", data_testid="portal-report-button"),
            rx.link(rx.button(rx.icon("bell"), t("portal.notices"), rx.cond(state.unread_notices > 0,
                                                                            rx.badge(state.unread_notices, color_scheme="red")),
                              size="3", width="100%", variant="soft"), href="/portal/notices"),
            columns="2", spacing="3", width="100%",
        ),
        rx.link(rx.card(rx.hstack(rx.icon("clipboard-pen-line", size=20, color="var(--orange-10)"),
                                  rx.text(t("portal.pending_surveys"), size="3", weight="medium"), rx.spacer(),
                                  rx.badge(state.pending_surveys, color_scheme=rx.cond(state.pending_surveys > 0,
                                                                                       "orange", "gray"),
                                           size="2", data_testid="portal-pending-surveys"),
                                  rx.icon("chevron-right", size=16), align="center", width="100%"),
                        width="100%"),
                href="/portal/surveys", underline="none", width="100%", data_testid="portal-surveys-card"),
        link_card("party-popper", "portal.activities_link", "/portal/activities", "portal-activities-card"),
        link_card("messages-square", "portal.nav.groups", "/portal/groups", "portal-groups-card"),
        link_card("inbox", "portal.nav.suggestions", "/portal/suggestions", "portal-suggestions-card"),
        link_card("message-circle-question", "portal.nav.faq", "/portal/faq", "portal-faq-card"),
        rx.heading(t("portal.open_tickets"), size="3"),
        rx.foreach(state.open_tickets, ticket_row),
        rx.cond(state.open_tickets.length() == 0, rx.text(t("portal.no_open_tickets"), size="2", color_scheme="gray")),
    )
