"""The owner's notices, newest first; unread ones marked; opening one records it as read."""

from __future__ import annotations

import reflex as rx

from pm_admin.portal.pages.layout import portal_frame
from pm_admin.portal.states.notices import PortalNoticesState
from pm_admin.ui.i18n import t


def _notice(row: rx.Var) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(rx.cond(~row["read"].to(bool), rx.box(width="8px", height="8px", border_radius="50%",
                                                          background="var(--red-9)", flex_shrink="0")),
                      rx.text(row["title"], weight=rx.cond(row["read"].to(bool), "regular", "bold"), size="2"),
                      rx.spacer(), rx.text(row["at"], size="1", color_scheme="gray"), align="center", width="100%"),
            rx.text(row["body"], size="2", color_scheme="gray"),
            spacing="1", width="100%",
        ),
        width="100%", cursor="pointer", on_click=PortalNoticesState.open_notice(row["id"]),
        data_testid="portal-notice", data_read=row["read"].to(str),
    )


def portal_notices_page() -> rx.Component:
    state = PortalNoticesState
    return portal_frame(
        "portal.notices",
        rx.hstack(rx.spacer(), rx.button(t("portal.read_all"), variant="ghost", size="1", on_click=state.read_all),
                  width="100%"),
        rx.foreach(state.rows, _notice),
        rx.cond(state.rows.length() == 0, rx.text(t("portal.no_notices"), size="2", color_scheme="gray")),
    )
