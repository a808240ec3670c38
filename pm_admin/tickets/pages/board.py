"""The kanban board 工单看板: a tab per tier (紧急 first), a column per status, drag to move."""

from __future__ import annotations

import reflex as rx
import reflex_pragmatic_dnd as dnd

from pm_admin.tickets.models import BOARD_STATUSES
from pm_admin.tickets.pages.parts import flags, move_fields, new_ticket_dialog, sla_badge, ticket_filters
from pm_admin.tickets.states.board import TIERS, BoardNewTicket, MoveForm, TicketBoardState
from pm_admin.ui.forms import form_dialog
from pm_admin.ui.i18n import t, t_prefixed

S = TicketBoardState
POLL_MS = 3000
END_STATES = ("closed", "cancelled", "invalid")


def card_view(card: rx.Var) -> rx.Component:
    return dnd.draggable(
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.link(card["code"], href="/tickets/" + card["id"].to(str), size="1", weight="medium",
                            white_space="nowrap"),
                    rx.spacer(),
                    sla_badge(card["sla_state"], card["sla_text"]),
                    width="100%", align="center", wrap="wrap", spacing="1"),
                rx.text(card["title"], size="2", weight="bold", class_name="clamp-2"),
                rx.text(card["room"], rx.cond(card["room"] != "", " · ", ""), card["category"], size="1",
                        color_scheme="gray"),
                rx.hstack(
                    rx.cond(card["assignee"] != "",
                            rx.hstack(rx.icon("user", size=12), rx.text(card["assignee"], size="1"), spacing="1",
                                      align="center"),
                            rx.text(t("tickets.unassigned"), size="1", color_scheme="gray")),
                    rx.spacer(), flags(card), spacing="1", width="100%", align="center", wrap="wrap"),
                spacing="1", width="100%"),
            size="1", width="100%", cursor="grab", overflow="hidden",
        ),
        drag_id=card["id"].to(str),
        item_data={"status": card["status"]},
        # While this card is dragged, the columns not listed here are dimmed (assets/app.css).
        data_targets=card["targets"].to(str) + " " + card["status"].to(str),
        data_testid="ticket-card",
        data_code=card["code"],
        data_moved=card["id"].to(int) == S.moved,  # just moved or registered here: first, highlighted (app.css)
        class_name="kanban-card",
        on_drag_start=S.drag_start,  # the server says why the dimmed targets are forbidden
        on_drop=S.drag_end,
        style={"width": "100%", "minWidth": "0"},
    )


def refusal(status: str) -> rx.Component:
    """Why the dragged card may not go here (the workflow's reason); shown on a dimmed target (assets/app.css)."""
    return rx.el.div(S.drag_reasons[status].to(str), class_name="kanban-reason", data_testid=f"reason-{status}")


def column(status: str) -> rx.Component:
    cards = getattr(S, f"col_{status}")
    return dnd.drop_target(
        refusal(status),  # above the cards: a column may be thousands of pixels tall
        rx.vstack(
            rx.hstack(rx.text(t(f"tickets.status.{status}"), weight="bold", size="2"),
                      rx.badge(S.counts[status].to(str), variant="soft", radius="full"),
                      justify="between", width="100%", align="center"),
            rx.foreach(cards, card_view),
            rx.cond(S.counts[status].to(int) > cards.length(),
                    rx.button(t("tickets.load_more"), " (", S.counts[status].to(int) - cards.length(), ")",
                              variant="ghost", size="1", width="100%", on_click=S.load_more(status))),
            spacing="2", width="100%", min_height="200px"),
        drop_id=status,
        on_drop=S.drop,
        class_name="kanban-column",
        data_testid=f"column-{status}",
        data_status=status,
    )


def end_zone(status: str) -> rx.Component:
    return dnd.drop_target(
        rx.center(rx.text(t(f"tickets.status.{status}"), size="2", color_scheme="gray"), height="44px"),
        refusal(status),
        drop_id=status, on_drop=S.drop, class_name="kanban-end-zone", data_testid=f"zone-{status}",
        data_status=status,
    )


def move_dialog() -> rx.Component:
    """Opened when a move needs input: assignee, a reason, an until-date, the resolution."""
    d = MoveForm
    return form_dialog(
        d, title=rx.text(d.subject["code"].to(str), " → ", t_prefixed("tickets.status.", d.subject["to"].to(str))),
        testid="move-form", fields=move_fields(d, d.assignees),
    )


def tier_tabs() -> rx.Component:
    return rx.tabs.root(
        rx.tabs.list(*[rx.tabs.trigger(
            rx.hstack(rx.text(t(f"tickets.tier.{tier}")), rx.badge(S.tier_counts[tier].to(str), radius="full",
                                                                     color_scheme="red" if tier == "urgent" else "gray"),
                      spacing="2", align="center"),
            value=tier, data_testid=f"tier-{tier}") for tier in TIERS]),
        value=S.tier, on_change=S.set_tier,
    )


def board_page() -> rx.Component:
    return rx.fragment(
        rx.vstack(
            rx.hstack(tier_tabs(), rx.spacer(),
                      rx.link(rx.button(rx.icon("list", size=14), t("nav.tickets"), variant="soft"), href="/tickets"),
                      rx.cond(S.can_create, rx.button(rx.icon("plus", size=14), t("tickets.new"),
                                                      on_click=BoardNewTicket.open_new, data_testid="new-ticket")),
                      width="100%", align="center", spacing="3", wrap="wrap"),
            ticket_filters(S),
            # The final states stay in view however far the board is scrolled: a rail under the header.
            rx.cond(S.can_work, rx.box(rx.grid(*[end_zone(s) for s in END_STATES], columns="3", spacing="3",
                                               width="100%"),
                                       class_name="kanban-rail", data_testid="drop-rail", width="100%")),
            rx.box(rx.grid(*[column(str(s)) for s in BOARD_STATUSES], spacing="3", min_width="960px", width="100%",
                           grid_template_columns=f"repeat({len(BOARD_STATUSES)}, minmax(0, 1fr))"),
                   overflow_x="auto", width="100%"),
            spacing="4", width="100%", class_name="kanban-board"),  # the scope of the drag styles (app.css)
        move_dialog(),
        new_ticket_dialog(BoardNewTicket, S.choices["category"].to(list[dict[str, str]]),
                          S.choices["community"].to(list[dict[str, str]])),
        # Others' moves: a cheap change stamp is checked every few seconds.
        rx.moment(interval=POLL_MS, format="HH:mm:ss", on_change=S.poll, display="none"),
    )
