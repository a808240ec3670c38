"""Survey plans: the list with response rates, and the new-plan dialog."""

from __future__ import annotations

import reflex as rx

from pm_admin.shell.layout import frame
from pm_admin.surveys.models import Method, PeriodKind
from pm_admin.surveys.plans_state import SurveyPlansState
from pm_admin.ui.forms import field, form_dialog, notice, select_input, text_input
from pm_admin.ui.i18n import t, t_prefixed

S = SurveyPlansState
STATUS_COLORS = {"draft": "gray", "open": "blue", "closed": "amber", "published": "green"}


def status_badge(status: rx.Var) -> rx.Component:
    return rx.badge(t_prefixed("surveys.status.", status),
                    color_scheme=rx.match(status, *[(k, v) for k, v in STATUS_COLORS.items()], "gray"))


def plan_table() -> rx.Component:
    heads = ("surveys.period_col", "surveys.title", "places.community", "surveys.dates", "common.status",
             "surveys.response_rate")
    return rx.table.root(
        rx.table.header(rx.table.row(*[rx.table.column_header_cell(t(k)) for k in heads])),
        rx.table.body(rx.foreach(S.rows, lambda r: rx.table.row(
            rx.table.cell(r["period"]),
            rx.table.cell(rx.link(r["title"], href="/surveys/" + r["id"].to(str))),
            rx.table.cell(r["communities"]), rx.table.cell(r["dates"]), rx.table.cell(status_badge(r["status"])),
            rx.table.cell(rx.hstack(rx.progress(value=r["rate"].to(int), max=100, width="90px"),
                                    rx.text(r["responses"], "/", r["households"], " · ", r["rate"], "%", size="2"),
                                    align="center")),
            data_testid="plan-row"))),
        variant="surface", size="2", width="100%")


def new_plan_dialog() -> rx.Component:
    v, e = S.values, S.errors
    return form_dialog(
        title=t("surveys.new_plan"), open_=S.dialog_open, on_close=S.close_dialog, on_submit=S.create,
        form_key=S.form_key, conflict=None, testid="plan-form", fields=[
            field("surveys.title", text_input("title", default=v["title"], placeholder_key="surveys.title_hint"),
                  e["title"]),
            rx.hstack(
                field("surveys.year", text_input("year", default=v["year"]), e["year"]),
                field("surveys.period_kind", select_input("period_kind", [{"value": str(p)} for p in PeriodKind],
                                                          default=v["period_kind"], label_prefix="surveys.period_kind."),
                      e["period_kind"]),
                field("surveys.threshold", text_input("threshold", default=v["threshold"]), e["threshold"]),
                spacing="3", width="100%"),
            rx.hstack(field("surveys.starts_on", text_input("starts_on", default=v["starts_on"], type_="date"),
                            e["starts_on"]),
                      field("surveys.ends_on", text_input("ends_on", default=v["ends_on"], type_="date"), e["ends_on"]),
                      spacing="3", width="100%"),
            field("surveys.methods", rx.hstack(*[rx.checkbox(t(f"surveys.method.{m}"), name=f"method:{m}",
                                                             default_checked=m in ("online", "phone"))
                                                 for m in Method], spacing="4", wrap="wrap"), e["methods"]),
            field("surveys.targets", rx.flex(rx.foreach(S.community_choices, lambda c: rx.checkbox(
                c["label"], name="community:" + c["value"])), gap="4", wrap="wrap"), e["community_ids"]),
            field("surveys.buildings", text_input("buildings", default=v["buildings"],
                                                  placeholder_key="surveys.buildings_placeholder"),
                  e["building_ids"], hint_key="surveys.buildings_hint"),
            field("surveys.purpose", rx.text_area(name="purpose", default_value=v["purpose"], rows="2", width="100%"),
                  e["purpose"]),
            rx.cond(S.copy_choices.length() > 0, field(
                "surveys.copy_from", select_input("copy_from", S.copy_choices, default=v["copy_from"]),
                e["copy_from"], hint_key="surveys.copy_hint")),
        ])


def plans_page() -> rx.Component:
    return frame(
        "nav.surveys",
        rx.vstack(
            rx.hstack(notice(t("surveys.explain"), icon="info", size="1"), rx.spacer(),
                      rx.cond(S.can_manage, rx.button(rx.icon("plus", size=14), t("surveys.new_plan"),
                                                      on_click=S.open_new, data_testid="new-plan")),
                      width="100%", align="center"),
            rx.cond(S.rows.length() == 0, rx.text(t("common.no_rows"), color_scheme="gray"), plan_table()),
            new_plan_dialog(),
            spacing="4", width="100%"),
    )
