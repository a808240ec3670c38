"""日清日审: today's figures and the late or nearly late tickets by department, with the latest progress."""

from __future__ import annotations

import reflex as rx

from pm_admin.tickets.pages.parts import sla_badge, status_badge, tier_badge
from pm_admin.tickets.states.review import DailyReviewState
from pm_admin.ui.cards import figure_card
from pm_admin.ui.forms import notice
from pm_admin.ui.i18n import t, t_prefixed

R = DailyReviewState


def group_view(group: rx.Var) -> rx.Component:
    return rx.card(rx.vstack(
        rx.hstack(rx.heading(group["department"], size="3"), rx.badge(group["tickets"].to(list).length()),
                  spacing="2", align="center"),
        rx.foreach(group["tickets"].to(list[dict]), lambda row: rx.hstack(
            rx.link(row["code"], href="/tickets/" + row["id"].to(str), size="2", min_width="150px"),
            tier_badge(row["tier"]), status_badge(row["status"]), sla_badge(row["sla_state"], row["sla_text"]),
            rx.cond(row["missed"] != "", rx.badge(t_prefixed("tickets.missed.", row["missed"]), color_scheme="red",
                                                  data_testid="review-missed")),
            rx.cond(row["hold_until"] != "", rx.text(t("tickets.hold_until"), " ", row["hold_until"], size="1")),
            rx.text(row["title"], size="2", weight="medium"),
            rx.text(row["room"], " ", row["assignee"], size="1", color_scheme="gray"),
            rx.text(row["progress_at"], " ", row["progress_by"], " ", t_prefixed("tickets.event.", row["progress_kind"]),
                    rx.cond(row["progress_to"] != "", rx.fragment(" → ", t_prefixed("tickets.status.", row["progress_to"]))),
                    rx.cond(row["progress"] != "", rx.fragment("：", row["progress"])),
                    size="1", color_scheme="gray", flex="1", min_width="240px"),
            spacing="2", align="center", wrap="wrap", width="100%", padding_y="4px",
            border_bottom="1px solid var(--gray-4)")),
        spacing="2", width="100%"), width="100%", data_testid="review-group")


def review_page() -> rx.Component:
    f = R.figures
    return rx.fragment(
        rx.vstack(
            rx.hstack(rx.text(t("tickets.review_intro"), " ", R.day, size="2", color_scheme="gray"),
                      rx.spacer(),
                      rx.link(rx.button(rx.icon("printer", size=14), t("common.print"), variant="soft"),
                              href="/print/tickets/review", is_external=True, data_testid="print-review"),
                      rx.button(rx.icon("download", size=14), t("tickets.export_review"), on_click=R.export,
                                data_testid="export-review"),
                      width="100%", align="center"),
            rx.grid(figure_card("tickets.review.new", f["new"].to(str)),
                    figure_card("tickets.review.closed", f["closed"].to(str)),
                    figure_card("tickets.review.overdue", f["overdue"].to(str)),
                    figure_card("tickets.review.due_soon", f["due_soon"].to(str)),
                    figure_card("tickets.review.on_hold", f["on_hold"].to(str)),
                    columns=rx.breakpoints(initial="2", md="5"), spacing="3", width="100%"),
            rx.cond(R.truncated, notice(t("tickets.review_truncated"), icon="info", size="1")),
            rx.foreach(R.groups, group_view),
            rx.cond(R.groups.length() == 0, notice(t("tickets.review_clear"), icon="circle-check",
                                                      color_scheme="green")),
            spacing="4", width="100%"),
    )
