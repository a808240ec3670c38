"""我的工单: a technician's own orders as large cards with one-tap steps (works on a phone)."""

from __future__ import annotations

import reflex as rx

from pm_admin.tickets.pages.callback_dialog import contact_line
from pm_admin.tickets.pages.parts import flags, sla_badge, status_badge, tier_badge
from pm_admin.tickets.states.orders import ORDER_PHOTO, MyOrdersState, StepForm
from pm_admin.ui.forms import field, form_dialog, form_field, notice
from pm_admin.ui.i18n import t, t_prefixed
from pm_admin.ui.uploads import file_input

ORDERS = MyOrdersState


def order_card(order: rx.Var) -> rx.Component:
    status = order["status"]
    return rx.card(rx.vstack(
        rx.hstack(rx.link(order["code"], href="/tickets/" + order["id"].to(str), size="2", weight="medium"),
                  tier_badge(order["tier"]), status_badge(status), rx.spacer(),
                  sla_badge(order["sla_state"], order["sla_text"]), width="100%", align="center", wrap="wrap"),
        rx.text(order["title"], size="3", weight="bold"),
        rx.text(order["room"], " · ", order["category"], size="2", color_scheme="gray"),
        rx.cond(order["appointment"].to(str) != "", rx.hstack(
            rx.icon("calendar-clock", size=14, color="var(--accent-11)"),
            rx.text(t("tickets.appointment"), " ", rx.text.strong(order["appointment"].to(str)), size="2",
                    color="var(--accent-11)"),
            spacing="2", align="center", data_testid="order-appointment")),
        rx.cond(order["description"].to(str) != "", rx.text(order["description"], size="2",
                                                             data_testid="order-description")),
        contact_line(order, rx.cond(ORDERS.visit_phone["id"].to(int) == order["id"].to(int),
                                    ORDERS.visit_phone["phone"].to(str), ""),
                     ORDERS.show_phone(order["id"]), "order-contact"),
        flags(order),
        rx.hstack(
            rx.cond(status == "assigned", rx.button(t("tickets.action.start"), size="3",
                                                    on_click=ORDERS.act(order["id"], "start"), data_testid="order-start")),
            rx.cond(status == "in_progress", rx.fragment(
                rx.button(t("tickets.action.resolve"), size="3", color_scheme="green",
                          on_click=ORDERS.act(order["id"], "finish"), data_testid="order-finish"),
                rx.button(t("tickets.action.hold"), size="3", variant="soft", color_scheme="gray",
                          on_click=ORDERS.act(order["id"], "hold")))),
            rx.cond(status == "on_hold", rx.button(t("tickets.resume"), size="3", on_click=ORDERS.act(order["id"], "resume"))),
            spacing="2", wrap="wrap", width="100%"),
        spacing="2", width="100%"), width="100%", data_testid="order-card", data_code=order["code"])


def step_dialog() -> rx.Component:
    d = StepForm
    action = d.subject["action"].to(str)
    return form_dialog(
        d, title=rx.text(d.subject["code"].to(str), " · ", t_prefixed("tickets.step.", action)), testid="order-step-form",
        fields=[
            rx.cond(action == "hold", rx.vstack(
                form_field(d, "reason", "tickets.reason"),
                form_field(d, "hold_until", "tickets.hold_until", type_="date"), width="100%")),
            rx.cond(action == "finish", rx.vstack(
                form_field(d, "resolution", "tickets.resolution", rx.text_area(
                    name="resolution", default_value=d.values["resolution"], rows="4", width="100%",
                    data_testid="order-resolution")),
                field("tickets.finish_photo", file_input(ORDER_PHOTO, "image/*", "order-photo"), d.errors["photo"],
                      hint_key="tickets.finish_photo_hint"),
                width="100%")),
        ],
    )


def orders_page() -> rx.Component:
    return rx.fragment(
        rx.vstack(
            # The technician's checklists 巡检 are a page of their own (pm_admin.inspections), one tap away.
            rx.link(rx.hstack(rx.icon("clipboard-check", size=16), t("nav.my_inspections"), rx.icon("chevron-right", size=14),
                              align="center", spacing="2"), href="/my-inspections", data_testid="orders-inspections"),
            rx.foreach(ORDERS.orders, order_card),
            rx.cond(ORDERS.orders.length() == 0, notice(t("tickets.no_orders"), icon="circle-check", color_scheme="green")),
            spacing="3", width="100%", max_width="720px"),
        step_dialog(),
    )
