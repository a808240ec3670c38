"""Survey plans: the list with response rates, and the new-plan dialog."""

from __future__ import annotations

import reflex as rx

from pm_admin.surveys.models import Method, PeriodKind
from pm_admin.surveys.states.plans import NewPlanForm, SurveyPlansState
from pm_admin.ui.forms import field, form_dialog, form_field, notice, select_input, text_input
from pm_admin.ui.i18n import t, t_prefixed
from pm_admin.ui.table import table_body

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
        table_body(S.rows, lambda r: rx.table.row(
            rx.table.cell(r["period"]),
            rx.table.cell(rx.link(r["title"], href="/surveys/" + r["id"].to(str))),
            rx.table.cell(r["communities"]), rx.table.cell(r["dates"]), rx.table.cell(status_badge(r["status"])),
            rx.table.cell(rx.hstack(rx.progress(value=r["rate"].to(int), max=100, width="90px"),
                                    rx.text(r["responses"], "/", r["households"], " · ", r["rate"], "%", size="2"),
                                    align="center")),
            data_testid="plan-row"), len(heads)),
        variant="surface", size="2", width="100%")


def new_plan_dialog() -> rx.Component:
    d, v = NewPlanForm, NewPlanForm.values
    return form_dialog(
        d, title=t("surveys.new_plan"), testid="plan-form", fields=[
            form_field(d, "title", "surveys.title", placeholder_key="surveys.title_hint"),
            rx.hstack(
                form_field(d, "year", "surveys.year"),
                form_field(d, "period_kind", "surveys.period_kind", select_input(
                    "period_kind", [{"value": str(p)} for p in PeriodKind], default=v["period_kind"],
                    label_prefix="surveys.period_kind.")),
                form_field(d, "threshold", "surveys.threshold"),
                spacing="3", width="100%"),
            rx.hstack(form_field(d, "starts_on", "surveys.starts_on", type_="date"),
                      form_field(d, "ends_on", "surveys.ends_on", type_="date"),
                      spacing="3", width="100%"),
            form_field(d, "methods", "surveys.methods", rx.hstack(
                *[rx.checkbox(t(f"surveys.method.{m}"), name=f"method:{m}", default_checked=m in ("online", "phone"))
                  for m in Method], spacing="4", wrap="wrap")),
            form_field(d, "community_ids", "surveys.targets", rx.flex(rx.foreach(d.community_choices, lambda c: rx.checkbox(
                c["label"], name="community:" + c["value"])), gap="4", wrap="wrap")),
            field("surveys.buildings", text_input("buildings", default=v["buildings"],
                                                  placeholder_key="surveys.buildings_placeholder"),
                  d.errors["building_ids"], hint_key="surveys.buildings_hint"),
            form_field(d, "purpose", "surveys.purpose", rx.text_area(name="purpose", default_value=v["purpose"],
                                                                      rows="2", width="100%")),
            rx.cond(d.copy_choices.length() > 0, form_field(
                d, "copy_from", "surveys.copy_from", select_input("copy_from", d.copy_choices, default=v["copy_from"]),
                hint_key="surveys.copy_hint")),
        ])


def plans_page() -> rx.Component:
    return rx.fragment(
        rx.vstack(
            rx.hstack(notice(t("surveys.explain"), icon="info", size="1"), rx.spacer(),
                      rx.cond(S.can_manage, rx.button(rx.icon("plus", size=14), t("surveys.new_plan"),
                                                      on_click=NewPlanForm.open_new, data_testid="new-plan")),
                      width="100%", align="center"),
            plan_table(),
            new_plan_dialog(),
            spacing="4", width="100%"),
    )
