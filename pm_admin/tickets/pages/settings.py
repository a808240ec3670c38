"""工单设置 (admin): the category tree with routing, the SLA matrix, department members."""

from __future__ import annotations

import reflex as rx

from pm_admin.tickets.models import Tier
from pm_admin.tickets.states.settings import CategoryForm, MembersForm, TargetForm, TicketSettingsState
from pm_admin.ui.forms import form_dialog, form_field, select_input
from pm_admin.ui.i18n import t, t_prefixed
from pm_admin.ui.table import table_body

S = TicketSettingsState


def category_row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(rx.cond(row["level"].to(int) > 0, "└ ", ""), row["name_zh"], size="2",
                              weight=rx.cond(row["level"].to(int) > 0, "regular", "bold"),
                              padding_left=rx.cond(row["level"].to(int) > 0, "16px", "0"))),
        rx.table.cell(row["name_en"]),
        rx.table.cell(row["department"]),
        rx.table.cell(rx.cond(row["round_robin"], rx.badge(t("tickets.round_robin"), color_scheme="blue"), "")),
        rx.table.cell(rx.cond(row["is_active"], "", rx.badge(t("common.inactive"), color_scheme="gray"))),
        rx.table.cell(rx.icon_button(rx.icon("pencil", size=14), variant="ghost", size="1",
                                     on_click=CategoryForm.open_category(row["id"]))),
    )


def sla_cell(row: rx.Var, tier: str) -> rx.Component:
    cell = row[tier].to(dict)
    return rx.table.cell(rx.button(
        rx.text(cell["respond"], " / ", rx.cond(cell["onsite"] != "", cell["onsite"], "–"), " / ", cell["resolve"],
                size="2", weight=rx.cond(cell["own"], "bold", "regular")),
        variant="ghost", size="1", on_click=TargetForm.open_target(row["category_id"], tier),
        data_testid=f"sla-{tier}"))


def sla_table() -> rx.Component:
    return rx.table.root(
        rx.table.header(rx.table.row(rx.table.column_header_cell(t("tickets.col.category")),
                                     *[rx.table.column_header_cell(t(f"tickets.tier.{tier}")) for tier in Tier])),
        table_body(S.matrix, lambda row: rx.table.row(
            rx.table.cell(rx.cond(row["category_id"].to(int) == 0, t("tickets.sla_default_row"), row["label"])),
            *[sla_cell(row, str(tier)) for tier in Tier]), len(Tier) + 1),
        variant="surface", size="2", width="100%", data_testid="sla-matrix")


def category_dialog() -> rx.Component:
    d, v = CategoryForm, CategoryForm.values
    top_level = S.categories.to(list[dict])
    return form_dialog(
        d, title=t("tickets.category"), testid="category-form",
        fields=[
            rx.grid(form_field(d, "name_zh", "tickets.name_zh"), form_field(d, "name_en", "tickets.name_en"),
                    columns="2", spacing="3", width="100%"),
            form_field(d, "parent_id", "tickets.parent", rx.select.root(rx.select.trigger(width="100%"), rx.select.content(
                rx.select.item(t("tickets.top_level"), value="none"),
                rx.foreach(top_level, lambda c: rx.cond(c["level"].to(int) == 0,
                                                        rx.select.item(c["name_zh"], value=c["id"].to(str))))),
                name="parent_id", default_value=rx.cond(v["parent_id"] == "", "none", v["parent_id"].to(str)))),
            form_field(d, "department_id", "tickets.col.department", select_input(
                "department_id", S.department_choices, default=v["department_id"].to(str))),
            rx.checkbox(t("tickets.round_robin_hint"), name="round_robin", default_checked=v["round_robin"].to(bool)),
            rx.checkbox(t("common.active"), name="is_active", default_checked=v["is_active"].to(bool)),
        ],
    )


def sla_dialog() -> rx.Component:
    d, cell = TargetForm, TargetForm.subject
    return form_dialog(
        d, title=rx.text(t("tickets.sla_targets"), " · ", t_prefixed("tickets.tier.", cell["tier"].to(str)), " · ",
                         rx.cond(cell["category_id"].to(int) == 0, t("tickets.sla_default_row"),
                                 cell["label"].to(str))),
        testid="sla-form",
        fields=[
            rx.grid(form_field(d, "respond", "tickets.respond_minutes", type_="number"),
                    form_field(d, "onsite", "tickets.onsite_minutes", type_="number", hint_key="tickets.optional"),
                    form_field(d, "resolve", "tickets.resolve_minutes", type_="number"),
                    columns="3", spacing="3", width="100%"),
        ],
        actions=[rx.cond(cell["own"].to(bool) & (cell["category_id"].to(int) > 0),
                         rx.button(t("tickets.use_default"), type="button", variant="ghost", on_click=d.reset_target))],
    )


def members_dialog() -> rx.Component:
    d = MembersForm
    return form_dialog(
        d, title=rx.text(t("tickets.members"), " · ", d.subject["name"].to(str)), testid="members-form",
        max_width="420px",
        fields=[rx.vstack(rx.foreach(S.staff, lambda person: rx.checkbox(
            person["label"], checked=d.chosen.contains(person["value"]),
            on_change=lambda on: d.toggle_member(person["value"], on))), spacing="2", max_height="50vh",
            overflow_y="auto")],
    )


def kind_row(kind: rx.Var) -> rx.Component:
    """One kind's callback rule, saved on its own (anonymous feedback is shown locked)."""
    return rx.form(rx.hstack(
        rx.el.input(type="hidden", name="kind", value=kind["kind"].to(str)),
        rx.text(kind["label"], weight="bold", min_width="120px"),
        rx.checkbox(t("tickets.needs_callback"), name="needs_callback", default_checked=kind["needs_callback"].to(bool),
                    disabled=kind["locked"].to(bool)),
        rx.text(t("tickets.callback_days"), size="2"),
        rx.input(name="callback_days", default_value=kind["callback_days"].to(str), type="number", min=1, width="80px",
                 disabled=kind["locked"].to(bool)),
        rx.cond(kind["locked"], rx.fragment(), rx.button(t("common.save"), size="1", type="submit")),
        rx.text(S.kind_errors[kind["kind"].to(str)], size="1", color="var(--red-11)", role="alert"),
        spacing="3", align="center", wrap="wrap"),
        on_submit=S.save_kind, reset_on_submit=False, data_testid="kind-" + kind["kind"].to(str), width="100%")


def settings_page() -> rx.Component:
    return rx.fragment(
        rx.tabs.root(
            rx.tabs.list(rx.tabs.trigger(t("tickets.categories"), value="categories"),
                         rx.tabs.trigger(t("tickets.sla_matrix"), value="sla"),
                         rx.tabs.trigger(t("tickets.departments"), value="departments"),
                         rx.tabs.trigger(t("tickets.callback_settings"), value="callbacks")),
            rx.tabs.content(rx.vstack(
                rx.hstack(rx.spacer(), rx.button(rx.icon("plus", size=14), t("tickets.add_category"),
                                                 on_click=CategoryForm.open_category(0)), width="100%"),
                rx.table.root(
                    rx.table.header(rx.table.row(*[rx.table.column_header_cell(t(k)) for k in (
                        "tickets.name_zh", "tickets.name_en", "tickets.col.department", "tickets.round_robin",
                        "common.status", "common.actions")])),
                    table_body(S.categories, category_row, 6), variant="surface", size="1", width="100%"),
                spacing="3", padding_top="12px"), value="categories"),
            rx.tabs.content(rx.vstack(rx.text(t("tickets.sla_intro"), size="2", color_scheme="gray"), sla_table(),
                                      spacing="3", padding_top="12px"), value="sla"),
            rx.tabs.content(rx.vstack(rx.foreach(S.departments, lambda d: rx.card(rx.hstack(
                rx.text(d["name"], weight="bold", min_width="80px"),
                rx.flex(rx.foreach(d["members"].to(list[dict]), lambda m: rx.badge(m["name"])), gap="1", wrap="wrap",
                        flex="1"),
                rx.button(rx.icon("users", size=14), t("tickets.edit_members"), variant="soft", size="1",
                          on_click=MembersForm.open_members(d["id"])), align="center", width="100%"), width="100%")),
                spacing="3", padding_top="12px"), value="departments"),
            rx.tabs.content(rx.vstack(rx.text(t("tickets.callback_settings_intro"), size="2", color_scheme="gray"),
                                      rx.foreach(S.kinds, kind_row), spacing="3", padding_top="12px"),
                            value="callbacks"),
            default_value="categories", width="100%"),
        category_dialog(), sla_dialog(), members_dialog(),
    )
