"""A notice in the portal: its text, progress, and the 已知悉 button of an emergency."""

from __future__ import annotations

import reflex as rx

from pm_admin.comms.states.owner_notice import PortalNoticeState
from pm_admin.portal.pages.layout import portal_frame
from pm_admin.ui.forms import notice
from pm_admin.ui.i18n import t, t_prefixed


def portal_notice_page() -> rx.Component:
    found = PortalNoticeState.notice
    return portal_frame(
        "portal.notices",
        rx.cond(
            PortalNoticeState.missing,
            rx.callout(t("portal.notice_missing"), icon="triangle-alert", color_scheme="red"),
            rx.vstack(
                rx.hstack(rx.badge(t_prefixed("comms.kind.", found["kind"])), rx.spacer(),
                          rx.text(found["sent_at"].to(str), size="1", color_scheme="gray"), width="100%"),
                rx.heading(found["title"].to(str), size="4", data_testid="portal-notice-title"),
                rx.cond(found["status"].to(str) == "withdrawn", notice(
                    t("comms.withdrawn_because"), " ", found["withdrawn_reason"].to(str), color_scheme="red", size="1")),
                rx.markdown(found["body"].to(str)),
                rx.foreach(found["updates"].to(list[dict]), lambda u: rx.card(rx.text(
                    t_prefixed("comms.stage.", u["stage"]), " · ", u["at"], size="1", color_scheme="gray"),
                    rx.text(u["body"], size="2"), width="100%")),
                rx.cond(found["requires_ack"].to(bool) & (found["status"].to(str) == "sent"), rx.cond(
                    found["acknowledged"].to(bool),
                    rx.callout(t("comms.you_acknowledged"), icon="check", color_scheme="green",
                               data_testid="portal-acknowledged"),
                    rx.button(t("comms.acknowledge"), size="3", width="100%", color_scheme="red",
                              on_click=PortalNoticeState.acknowledge, data_testid="portal-acknowledge"))),
                spacing="3", width="100%"),
        ),
    )
