"""Owner grid: search, filters, saved views, column chooser, bulk actions, export, registration."""

from __future__ import annotations

import reflex as rx

from pm_admin.owners.queries import SORTABLE
from pm_admin.owners.state import COLUMNS, OwnersState
from pm_admin.places.pages.places import occupancy_badge
from pm_admin.places.state import OCCUPANCY_OPTIONS
from pm_admin.shell.layout import frame
from pm_admin.ui.forms import field, form_dialog, search_box, text_input
from pm_admin.ui.i18n import t, t_prefixed
from pm_admin.ui.table import pager

S = OwnersState
YES_NO = [{"value": "yes", "label": "yes"}, {"value": "no", "label": "no"}]


def filter_select(key: str, options, all_key: str, *, label_prefix: str | None = None) -> rx.Component:
    def item(option):
        label = t_prefixed(label_prefix, option["value"]) if label_prefix else option["label"]
        return rx.select.item(label, value=option["value"])

    value = S.filters[key].to(str)
    return rx.select.root(
        rx.select.trigger(min_width="120px", data_testid=f"filter-{key}"),
        rx.select.content(rx.select.item(t(all_key), value="all"), rx.foreach(options, item)),
        value=rx.cond(value == "", "all", value),
        on_change=lambda v: S.set_filter(key, v),
    )


def tag_filter() -> rx.Component:
    value = S.filters["tag"].to(str)
    return rx.select.root(
        rx.select.trigger(min_width="110px", data_testid="filter-tag"),
        rx.select.content(rx.select.item(t("owners.all_tags"), value="all"),
                          rx.foreach(S.tag_choices, lambda tag: rx.select.item(tag, value=tag))),
        value=rx.cond(value == "", "all", value),
        on_change=lambda v: S.set_filter("tag", v),
    )


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
    return rx.cond(
        S.selected.length() > 0,
        rx.callout.root(rx.flex(
            rx.text(t("owners.selected"), ": ", S.selected.length(), weight="bold", size="2"),
            rx.cond(S.can_edit, rx.fragment(
                rx.button(t("owners.set_vip"), size="1", on_click=S.bulk_vip(True), data_testid="bulk-vip-on"),
                rx.button(t("owners.unset_vip"), size="1", variant="soft", on_click=S.bulk_vip(False)),
                rx.form(rx.hstack(
                    rx.input(name="tag", placeholder=t("owners.tag"), size="1", width="110px"),
                    rx.select.root(rx.select.trigger(), rx.select.content(
                        rx.select.item(t("owners.add_tag"), value="add"),
                        rx.select.item(t("owners.remove_tag"), value="remove")), name="mode", default_value="add",
                        size="1"),
                    rx.button(t("common.apply"), size="1", type="submit"), spacing="1"),
                    on_submit=S.bulk_tag, reset_on_submit=True),
            )),
            rx.cond(S.can_export, rx.button(rx.icon("download", size=12), t("owners.export_selected"), size="1",
                                            variant="soft", on_click=S.export_selected)),
            rx.button(t("owners.clear_selection"), size="1", variant="ghost", on_click=S.clear_selection),
            gap="3", align="center", wrap="wrap",
        ), size="1", color_scheme="blue", width="100%", data_testid="bulk-bar"),
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
    if column in ("phone", "id_number"):
        return rx.text(row[column], size="2", font_family="var(--code-font-family)")
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
            rx.table.body(rx.foreach(S.rows, row_view)),
            variant="surface", size="2", width="100%",
        ),
        rx.cond(S.total == 0, rx.center(rx.text(t("common.no_rows"), color_scheme="gray"), padding="32px")),
        pager(S),
        width="100%", overflow_x="auto", data_testid="owners-grid",
    )


def create_dialog() -> rx.Component:
    errors = S.errors
    return form_dialog(
        title=t("owners.register"), open_=S.dialog_open, on_close=S.close_dialog, on_submit=S.create,
        form_key=S.form_key, conflict=S.conflict, testid="owner-form",
        fields=[
            rx.cond(S.duplicate.contains("name"), rx.callout.root(rx.vstack(
                rx.text(t("owners.duplicate_offer"), " ", rx.text.strong(S.duplicate["name"].to(str))),
                rx.button(t("owners.use_existing"), type="button", size="1", on_click=S.link_existing,
                          data_testid="use-existing-owner"),
            ), color_scheme="amber")),
            field("owners.col.room_code", text_input("room_code", default=S.form["room_code"],
                                                     placeholder_key="places.search_rooms"), errors["room_code"]),
            rx.grid(
                field("owners.col.name", text_input("name", default=S.form["name"]), errors["name"]),
                field("owners.col.gender", gender_select(S.form["gender"]), errors["gender"]),
                field("owners.col.phone", text_input("phone", default=S.form["phone"], inputmode="tel"),
                      errors["phone"]),
                field("owners.phone2", text_input("phone2", default=S.form["phone2"], inputmode="tel"),
                      errors["phone2"]),
                columns="2", spacing="3", width="100%",
            ),
            rx.grid(
                field("owners.col.id_number", text_input("id_number", default=S.form["id_number"]),
                      errors["id_number"]),
                field("owners.birth_date", text_input("birth_date", default=S.form["birth_date"], type_="date"),
                      errors["birth_date"]),
                columns="2", spacing="3", width="100%",
            ),
            field("owners.address", text_input("address", default=S.form["address"]), errors["address"]),
            rx.grid(
                field("owners.col.tags", text_input("tags", default=S.form["tags"], placeholder_key="owners.tags_hint"),
                      errors["tags"]),
                field("owners.col.share", text_input("share", default=S.form["share"]), errors["share"]),
                columns="2", spacing="3", width="100%",
            ),
            rx.checkbox(t("field.is_vip"), name="is_vip", default_checked=S.form["is_vip"].to(bool)),
            field("owners.notes", rx.text_area(name="notes", default_value=S.form["notes"].to(str)), errors["notes"]),
        ],
    )


def gender_select(default) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(width="100%"),
        rx.select.content(*[rx.select.item(t(f"gender.{g}"), value=g) for g in ("male", "female", "unknown")]),
        name="gender", default_value=default.to(str),
    )


def owners_page() -> rx.Component:
    return frame(
        "nav.owners",
        rx.flex(
            search_box(S.apply_search, default=S.filters["q"].to(str), placeholder_key="owners.search_hint"),
            rx.spacer(),
            views_menu(), column_chooser(), export_menu(),
            rx.cond(S.can_import, rx.link(rx.button(rx.icon("upload", size=14), t("owners.import"), variant="soft"),
                                          href="/owners/import")),
            rx.cond(S.can_edit, rx.button(rx.icon("user-plus", size=14), t("owners.register"),
                                          on_click=S.open_create, data_testid="register-owner")),
            gap="2", wrap="wrap", align="center", width="100%", padding_bottom="12px",
        ),
        rx.flex(
            filter_select("community", S.community_choices, "shell.all_communities"),
            filter_select("building", S.building_choices, "places.all_buildings"),
            filter_select("unit", S.unit_choices, "places.all_units"),
            filter_select("occupancy", OCCUPANCY_OPTIONS, "places.all_occupancy", label_prefix="occupancy."),
            filter_select("vip", YES_NO, "owners.vip_any", label_prefix="owners.vip_"),
            tag_filter(),
            filter_select("arrears", YES_NO, "owners.arrears_any", label_prefix="owners.arrears_"),
            rx.button(rx.icon("rotate-ccw", size=14), t("common.reset"), variant="ghost", on_click=S.clear_filters),
            gap="2", wrap="wrap", align="center", width="100%", padding_bottom="12px",
        ),
        bulk_bar(),
        grid(),
        create_dialog(),
    )
