"""Owner grid: search, filters, saved views, column chooser, bulk actions, export, registration."""

from __future__ import annotations

import reflex as rx

from pm_admin.owners.queries import SORTABLE
from pm_admin.owners.states.owners import COLUMNS, OwnerForm, OwnersState
from pm_admin.places.pages.places import occupancy_badge
from pm_admin.places.states.places import OCCUPANCY_OPTIONS
from pm_admin.ui.filters import choose, filter_bar, pick, place_pickers, search
from pm_admin.ui.forms import form_dialog, form_field
from pm_admin.ui.i18n import t, t_prefixed
from pm_admin.ui.table import pager, table_body

S = OwnersState
YES_NO = [{"value": "yes", "label": "yes"}, {"value": "no", "label": "no"}]


def views_menu() -> rx.Component:
    return rx.popover.root(
        rx.popover.trigger(rx.button(rx.icon("bookmark", size=14), t("views.title"), variant="soft",
                                     data_testid="views-menu")),
        rx.popover.content(
            rx.vstack(
                rx.foreach(S.views, lambda view: rx.hstack(
                    rx.link(view["name"], on_click=S.open_view(view["id"]), cursor="pointer"),
                    rx.spacer(),
                    rx.icon_button(rx.icon("trash-2", size=12), size="1", variant="ghost", color_scheme="red",
                                   on_click=S.remove_view(view["id"]), aria_label=t("common.delete")),
                    width="100%",
                )),
                rx.cond(S.views.length() == 0, rx.text(t("views.none"), size="1", color_scheme="gray")),
                rx.separator(),
                rx.form(
                    rx.hstack(rx.input(name="view_name", placeholder=t("views.name"), size="1", width="150px"),
                              rx.button(t("views.save"), size="1", type="submit")),
                    on_submit=S.save_current_view,
                    reset_on_submit=True,
                ),
                spacing="2",
                width="260px",
            ),
        ),
    )


def column_chooser() -> rx.Component:
    return rx.popover.root(
        rx.popover.trigger(rx.button(rx.icon("columns-3", size=14), t("owners.columns"), variant="soft",
                                     data_testid="column-chooser")),
        rx.popover.content(rx.vstack(*[
            rx.checkbox(t(f"owners.col.{column}"), checked=S.columns.contains(column),
                        on_change=lambda checked, c=column: S.toggle_column(c, checked))
            for column in COLUMNS
        ], spacing="2")),
    )


def export_menu() -> rx.Component:
    return rx.cond(S.can_export, rx.menu.root(
        rx.menu.trigger(rx.button(rx.icon("download", size=14), t("owners.export"), variant="soft",
                                  data_testid="export-menu")),
        rx.menu.content(
            rx.menu.item(t("owners.export_csv"), on_click=S.export("csv")),
            rx.menu.item(t("owners.export_xlsx"), on_click=S.export("xlsx")),
            rx.cond(S.can_export_pii, rx.fragment(
                rx.menu.separator(),
                rx.menu.item(t("owners.export_full_csv"), on_click=S.export_full("csv"), color="red"),
                rx.menu.item(t("owners.export_full_xlsx"), on_click=S.export_full("xlsx"), color="red"),
            )),
        ),
    ))


def bulk_bar() -> rx.Component:
    """What to do with the selected owners: one line (a callout would squeeze it into its text column)."""
    return rx.cond(
        S.selected.length() > 0,
        rx.flex(
            rx.icon("list-checks", size=16, color="var(--blue-11)"),
            rx.text(t("owners.selected"), ": ", S.selected.length(), weight="bold", size="2", white_space="nowrap",
                    data_testid="bulk-count"),
            rx.cond(S.can_edit, rx.fragment(
                rx.button(t("owners.set_vip"), size="1", on_click=S.bulk_vip(True), data_testid="bulk-vip-on"),
                rx.button(t("owners.unset_vip"), size="1", variant="soft", on_click=S.bulk_vip(False)),
                rx.form(rx.hstack(
                    rx.input(name="tag", placeholder=t("owners.tag"), aria_label=t("owners.tag"), size="1",
                             width="110px"),
                    rx.select.root(rx.select.trigger(), rx.select.content(
                        rx.select.item(t("owners.add_tag"), value="add"),
                        rx.select.item(t("owners.remove_tag"), value="remove")), name="mode", default_value="add",
                        size="1"),
                    rx.button(t("common.apply"), size="1", type="submit"), spacing="1", align="center"),
                    on_submit=S.bulk_tag, reset_on_submit=True, width="auto"),
            )),
            rx.cond(S.can_export, rx.button(rx.icon("download", size=12), t("owners.export_selected"), size="1",
                                            variant="soft", on_click=S.export_selected)),
            rx.spacer(),
            rx.button(t("owners.clear_selection"), size="1", variant="ghost", on_click=S.clear_selection),
            gap="3", align="center", wrap="wrap", width="100%", padding="8px 12px", border_radius="8px",
            background="var(--blue-3)", border="1px solid var(--blue-6)", data_testid="bulk-bar",
        ),
    )


def cell(column: str, row: rx.Var) -> rx.Component:
    if column == "name":
        return rx.link(row["name"], href="/owners/" + row["owner_id"].to(str), weight="medium",
                       data_testid="owner-link")
    if column == "occupancy":
        return occupancy_badge(row)
    if column == "is_vip":
        return rx.cond(row["is_vip"], rx.badge("VIP", color_scheme="amber"), rx.fragment())
    if column == "gender":
        return rx.text(t_prefixed("gender.", row["gender"]), size="2")
    if column == "arrears":
        return rx.cond(row["arrears"] != "", rx.text("¥", row["arrears"], color="var(--red-11)", size="2"),
                       rx.fragment())
    if column in ("phone", "id_number"):  # a number is never broken across lines (the grid scrolls sideways)
        return rx.text(row[column], size="2", font_family="var(--code-font-family)", white_space="nowrap")
    return rx.text(row[column].to(str), size="2")


def header(column: str) -> rx.Component:
    label = rx.text(t(f"owners.col.{column}"), weight="medium", size="2", white_space="nowrap")
    if column not in SORTABLE:
        return rx.table.column_header_cell(label)
    arrow = rx.cond(S.sort == column, rx.cond(S.descending, rx.icon("arrow-down", size=14),
                                              rx.icon("arrow-up", size=14)),
                    rx.icon("arrow-up-down", size=14, color="var(--gray-8)"))
    return rx.table.column_header_cell(rx.hstack(label, arrow, spacing="1", align="center", cursor="pointer",
                                                 on_click=S.sort_by(column)))


def grid() -> rx.Component:
    def row_view(row: rx.Var) -> rx.Component:
        return rx.table.row(
            rx.table.cell(rx.checkbox(checked=S.selected.contains(row["id"]),
                                      on_change=lambda checked: S.toggle_row(row["id"], checked))),
            *[rx.cond(S.columns.contains(column), rx.table.cell(cell(column, row))) for column in COLUMNS],
            data_row_id=row["id"].to(str),
        )

    return rx.box(
        rx.table.root(
            rx.table.header(rx.table.row(
                rx.table.column_header_cell(rx.checkbox(checked=S.page_selected, on_change=S.toggle_page,
                                                        aria_label=t("owners.select_page")),
                                            width="32px"),
                *[rx.cond(S.columns.contains(column), header(column)) for column in COLUMNS],
            )),
            table_body(S.rows, row_view, S.columns.length() + 1),
            variant="surface", size="2", width="100%",
        ),
        pager(S),
        width="100%", overflow_x="auto", data_testid="owners-grid",
    )


def create_dialog() -> rx.Component:
    d = OwnerForm
    pair = {"columns": "2", "spacing": "3", "width": "100%"}
    return form_dialog(
        d, title=t("owners.register"), testid="owner-form",
        fields=[
            rx.cond(d.duplicate.contains("name"), rx.callout.root(rx.vstack(
                rx.text(t("owners.duplicate_offer"), " ", rx.text.strong(d.duplicate["name"].to(str))),
                rx.button(t("owners.use_existing"), type="button", size="1", on_click=d.link_existing,
                          data_testid="use-existing-owner"),
            ), color_scheme="amber")),
            form_field(d, "room_code", "owners.col.room_code", placeholder_key="places.search_rooms"),
            rx.grid(
                form_field(d, "name", "owners.col.name"),
                form_field(d, "gender", "owners.col.gender", gender_select(d.values["gender"])),
                form_field(d, "phone", "owners.col.phone", inputmode="tel"),
                form_field(d, "phone2", "owners.phone2", inputmode="tel"),
                **pair,
            ),
            rx.grid(
                form_field(d, "id_number", "owners.col.id_number"),
                form_field(d, "birth_date", "owners.birth_date", type_="date"),
                **pair,
            ),
            form_field(d, "address", "owners.address"),
            rx.grid(
                form_field(d, "tags", "owners.col.tags", placeholder_key="owners.tags_hint"),
                form_field(d, "share", "owners.col.share"),
                **pair,
            ),
            rx.checkbox(t("field.is_vip"), name="is_vip", default_checked=d.values["is_vip"].to(bool)),
            form_field(d, "notes", "owners.notes", rx.text_area(name="notes", default_value=d.values["notes"].to(str))),
        ],
    )


def gender_select(default) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(width="100%"),
        rx.select.content(*[rx.select.item(t(f"gender.{g}"), value=g) for g in ("male", "female", "unknown")]),
        name="gender", default_value=default.to(str),
    )


def owners_page() -> rx.Component:
    return rx.fragment(
        rx.flex(
            search(S, "owners.search_hint"),
            rx.spacer(),
            views_menu(), column_chooser(), export_menu(),
            rx.cond(S.can_import, rx.link(rx.button(rx.icon("upload", size=14), t("owners.import"), variant="soft"),
                                          href="/owners/import")),
            rx.cond(S.can_edit, rx.button(rx.icon("user-plus", size=14), t("owners.register"),
                                          on_click=OwnerForm.open_create, data_testid="register-owner")),
            spacing="2", wrap="wrap", align="center", width="100%", padding_bottom="12px",
        ),
        filter_bar(
            S, *place_pickers(S),
            choose(S, "occupancy", OCCUPANCY_OPTIONS, "places.all_occupancy", label_prefix="occupancy."),
            choose(S, "vip", YES_NO, "owners.vip_any", label_prefix="owners.vip_"),
            pick(S, "tag", "owners.all_tags"),
            choose(S, "arrears", YES_NO, "owners.arrears_any", label_prefix="owners.arrears_"),
        ),
        bulk_bar(),
        grid(),
        create_dialog(),
    )
