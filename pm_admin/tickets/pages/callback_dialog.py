"""The 回访 dialog: method, reached?, satisfied?, comment; repairs also score five indicators 1–5."""

from __future__ import annotations

import reflex as rx

from pm_admin.tickets.services.callbacks import SCORES
from pm_admin.ui.forms import form_dialog, form_field
from pm_admin.ui.i18n import t


def _radio(name: str, options: list[tuple[str, str]], default: rx.Var, testid: str) -> rx.Component:
    return rx.radio_group.root(
        rx.hstack(*[rx.radio_group.item(t(label), value=value) for value, label in options], spacing="4"),
        name=name, default_value=default, data_testid=testid)


def _scale(name: str, default: rx.Var) -> rx.Component:
    """A 1–5 score chosen, not typed (nothing preselected)."""
    return rx.radio_group.root(
        rx.hstack(*[rx.radio_group.item(str(n), value=str(n)) for n in range(1, 6)], spacing="4"),
        name=name, default_value=default, direction="row", data_testid=f"score-{name}")


def contact_line(target: rx.Var, phone: rx.Var, on_show, testid: str) -> rx.Component:
    """Who to call: name (relation), the masked phone and the preferred time; the full number on request, as a
    link that dials it."""
    return rx.hstack(
        rx.icon("phone", size=14),
        rx.text(rx.cond(target["contact_name"].to(str) != "", target["contact_name"].to(str), t("tickets.no_contact")),
                rx.cond(target["contact_relation"].to(str) != "", "（" + target["contact_relation"].to(str) + "）", ""),
                size="2", weight="medium"),
        rx.cond(phone != "",
                rx.link(phone, href="tel:" + phone, size="2", weight="bold", data_testid=f"{testid}-phone"),
                rx.cond(target["contact_phone"].to(str) != "", rx.hstack(
                    rx.text(target["contact_phone"].to(str), size="2", font_family="var(--code-font-family)"),
                    rx.button(t("tickets.show_number"), size="1", variant="soft", type="button", on_click=on_show,
                              data_testid=f"{testid}-show"), spacing="2", align="center"))),
        rx.cond(target["contact_time"].to(str) != "",
                rx.text("· ", t("tickets.contact_time"), " ", target["contact_time"].to(str), size="1",
                        color_scheme="gray")),
        spacing="2", align="center", wrap="wrap", data_testid=testid)


def callback_dialog(d) -> rx.Component:
    """``d``: the page's CallbackForm subclass."""
    v, target = d.values, d.subject
    repair = target["kind"] == "repair"
    return form_dialog(
        d, title=rx.text(t("tickets.callback"), " · ", target["code"].to(str)), testid="callback-form",
        fields=[
            rx.text(target["title"].to(str), size="2", color_scheme="gray"),
            contact_line(target, d.phone, d.show_phone, "callback-contact"),
            form_field(d, "method", "tickets.method", _radio(
                "method", [("phone", "tickets.method.phone"), ("visit", "tickets.method.visit"),
                           ("wechat", "tickets.method.wechat")], v["method"], "callback-method")),
            rx.grid(
                form_field(d, "reached", "tickets.reached", _radio(
                    "reached", [("yes", "common.yes"), ("no", "common.no")], v["reached"], "callback-reached")),
                form_field(d, "satisfied", "tickets.satisfied_q", _radio(
                    "satisfied", [("yes", "tickets.satisfied"), ("no", "tickets.unsatisfied")], v["satisfied"],
                    "callback-satisfied"), hint_key="tickets.satisfied_hint"),
                columns="2", spacing="3", width="100%"),
            rx.cond(repair, rx.vstack(*[form_field(d, score, f"tickets.score.{score}", _scale(score, v[score]))
                                        for score in SCORES], spacing="2", width="100%")),
            form_field(d, "comment", "tickets.callback_comment", data_testid="callback-comment"),
        ],
    )
