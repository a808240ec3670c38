"""Community, building/unit and room pages."""

from __future__ import annotations

import reflex as rx

from pm_admin.places.state import OCCUPANCY_OPTIONS, WORK_ROLE_OPTIONS, BuildingsState, CommunitiesState, RoomsState
from pm_admin.shell.layout import frame
from pm_admin.ui.forms import field, filter_select, form_dialog, search_box, select_input, text_input
from pm_admin.ui.i18n import t, t_prefixed
from pm_admin.ui.table import Column, data_table, icon_action


def toolbar(*children: rx.Component) -> rx.Component:
    return rx.flex(*children, gap="3", wrap="wrap", align="center", width="100%", padding_bottom="16px")


def edit_button(on_click) -> rx.Component:
    return icon_action("pencil", "common.edit", on_click)


# ---------------------------------------------------------------- communities


def communities_page() -> rx.Component:
    state = CommunitiesState
    columns = [
        Column("code", "places.code", sortable=True, width="90px"),
        Column("name", "places.name", sortable=True),
        Column("address", "places.address"),
        Column("buildings", "home.buildings"),
        Column("rooms", "home.rooms"),
        Column("household_work_role", "places.work_role",
               render=lambda row: rx.text(t_prefixed("role.", row["household_work_role"]), size="2")),
        Column("is_active", "places.active",
               render=lambda row: rx.cond(row["is_active"], rx.badge(t("common.yes"), color_scheme="green"),
                                          rx.badge(t("common.no"), color_scheme="gray"))),
    ]
    return frame(
        "nav.communities",
        toolbar(
            search_box(state.apply_search, default=state.search),
            rx.spacer(),
            rx.cond(state.can_manage, rx.button(rx.icon("plus", size=14), t("common.create"),
                                                on_click=state.open_create, data_testid="create-community")),
        ),
        data_table(state, columns, testid="communities-table",
                   actions=lambda row: rx.cond(state.can_set_work_role, edit_button(state.open_edit(row["id"])))),
        form_dialog(
            title=rx.cond(state.form["id"].to(int) > 0, t("places.edit_community"), t("places.new_community")),
            open_=state.dialog_open, on_close=state.close_dialog, on_submit=state.save, form_key=state.form_key,
            conflict=state.conflict, testid="community-form",
            fields=[
                field("places.code", text_input("code", default=state.form["code"],
                                                disabled=state.form["id"].to(int) > 0), state.errors["code"],
                      hint_key="places.code_hint"),
                # Managers set only who does the household work; the rest is the admins' to change.
                field("places.name", text_input("name", default=state.form["name"], disabled=~state.can_manage),
                      state.errors["name"]),
                field("places.address", text_input("address", default=state.form["address"],
                                                   disabled=~state.can_manage), state.errors["address"]),
                field("places.work_role", select_input("household_work_role", WORK_ROLE_OPTIONS,
                                                       default=state.form["household_work_role"].to(str),
                                                       label_prefix="places.work_role.",
                                                       testid="household-work-role"),
                      state.errors["household_work_role"], hint_key="places.work_role_hint"),
                rx.cond(state.form["id"].to(int) > 0,
                        rx.checkbox(t("places.active"), name="is_active", disabled=~state.can_manage,
                                    default_checked=state.form["is_active"].to(bool))),
            ],
        ),
    )


# ---------------------------------------------------------------- buildings and units


def units_panel() -> rx.Component:
    state = BuildingsState

    def unit_row(unit: rx.Var) -> rx.Component:
        return rx.table.row(
            rx.table.cell(unit["code"]), rx.table.cell(unit["name"]), rx.table.cell(unit["rooms"]),
            rx.table.cell(rx.cond(state.can_manage, edit_button(state.open_unit_edit(unit["id"])))),
        )

    return rx.cond(
        state.selected_building_id > 0,
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.heading(state.selected_building_name, " · ", t("places.units"), size="3"),
                    rx.spacer(),
                    rx.cond(state.can_manage, rx.button(rx.icon("plus", size=14), t("places.new_unit"), size="1",
                                                        on_click=state.open_unit_create, data_testid="create-unit")),
                    width="100%",
                ),
                rx.table.root(
                    rx.table.header(rx.table.row(
                        rx.table.column_header_cell(t("places.code")), rx.table.column_header_cell(t("places.name")),
                        rx.table.column_header_cell(t("home.rooms")), rx.table.column_header_cell(""))),
                    rx.table.body(rx.foreach(state.units, unit_row)),
                    width="100%",
                    size="1",
                ),
                spacing="3",
                width="100%",
            ),
            width="100%",
            data_testid="units-panel",
        ),
    )


def buildings_page() -> rx.Component:
    state = BuildingsState
    columns = [
        Column("community_name", "places.community"),
        Column("code", "places.code", sortable=True, width="80px"),
        Column("name", "places.name", sortable=True),
        Column("floors", "places.floors"),
        Column("units", "home.units"),
        Column("rooms", "home.rooms"),
        Column("steward_name", "arrears.steward"),
    ]
    return frame(
        "nav.buildings",
        toolbar(
            filter_select(state.community_choices, state.community_filter, state.filter_community,
                          all_key="shell.all_communities"),
            rx.spacer(),
            rx.cond(state.can_manage, rx.button(rx.icon("plus", size=14), t("places.new_building"),
                                                on_click=state.open_create, data_testid="create-building")),
        ),
        rx.grid(
            data_table(state, columns, testid="buildings-table", actions=lambda row: rx.hstack(
                rx.button(t("places.units"), size="1", variant="outline", on_click=state.select_building(row["id"])),
                rx.cond(state.can_manage, edit_button(state.open_edit(row["id"]))),
                spacing="2",
            )),
            units_panel(),
            columns=rx.breakpoints(initial="1", lg="2"),
            spacing="4",
            width="100%",
        ),
        form_dialog(
            title=rx.cond(state.form["id"].to(int) > 0, t("places.edit_building"), t("places.new_building")),
            open_=state.dialog_open, on_close=state.close_dialog, on_submit=state.save, form_key=state.form_key,
            conflict=state.conflict, testid="building-form",
            fields=[
                rx.cond(state.form["id"].to(int) > 0, rx.fragment(),
                        field("places.community", select_input("community_id", state.community_choices,
                                                               default=state.form["community_id"].to(str)),
                              state.errors["community_id"])),
                field("places.code", text_input("code", default=state.form["code"],
                                                disabled=state.form["id"].to(int) > 0), state.errors["code"],
                      hint_key="places.code_hint"),
                field("places.name", text_input("name", default=state.form["name"]), state.errors["name"]),
                field("places.floors", text_input("floors", default=state.form["floors"], type_="number"),
                      state.errors["floors"]),
                rx.cond(state.form["id"].to(int) > 0,
                        field("arrears.steward", select_input("steward", state.steward_choices,
                                                              default=state.form["steward"].to(str)),
                              state.errors["steward"])),
            ],
        ),
        form_dialog(
            title=t("places.units"), open_=state.unit_dialog_open, on_close=state.close_unit_dialog,
            on_submit=state.save_unit, form_key=state.unit_form_key, conflict=state.unit_conflict, testid="unit-form",
            fields=[
                field("places.code", text_input("code", default=state.unit_form["code"],
                                                disabled=state.unit_form["id"].to(int) > 0),
                      state.unit_errors["code"]),
                field("places.name", text_input("name", default=state.unit_form["name"]), state.unit_errors["name"]),
            ],
        ),
    )


# ---------------------------------------------------------------- rooms


def occupancy_badge(row: rx.Var) -> rx.Component:
    return rx.badge(
        t_prefixed("occupancy.", row["occupancy"]),
        color_scheme=rx.match(row["occupancy"], ("owner_occupied", "teal"), ("rented", "amber"), "gray"),
    )


def rooms_page() -> rx.Component:
    state = RoomsState
    columns = [
        Column("code", "places.room_code", sortable=True),
        Column("community_name", "places.community"),
        Column("building_name", "places.building"),
        Column("unit_name", "places.unit"),
        Column("floor", "places.floor", sortable=True, width="70px"),
        Column("area", "places.area", sortable=True, width="100px"),
        Column("layout", "places.layout"),
        Column("occupancy", "places.occupancy", sortable=True, render=occupancy_badge),
    ]
    is_new = state.form["id"].to(int) == 0
    return frame(
        "nav.rooms",
        toolbar(
            search_box(state.apply_search, default=state.search, placeholder_key="places.search_rooms"),
            rx.spacer(),
            rx.cond(state.can_manage, rx.button(rx.icon("plus", size=14), t("places.new_room"),
                                                on_click=state.open_create, data_testid="create-room")),
        ),
        toolbar(
            filter_select(state.community_choices, state.community_filter, state.filter_community,
                          all_key="shell.all_communities", testid="filter-community"),
            filter_select(state.building_choices, state.building_filter, state.filter_building,
                          all_key="places.all_buildings", testid="filter-building"),
            filter_select(state.unit_choices, state.unit_filter, state.filter_unit, all_key="places.all_units"),
            filter_select(OCCUPANCY_OPTIONS, state.occupancy_filter, state.filter_occupancy,
                          all_key="places.all_occupancy", label_prefix="occupancy.", testid="filter-occupancy"),
            rx.button(rx.icon("rotate-ccw", size=14), t("common.reset"), variant="ghost", on_click=state.clear_filters),
        ),
        data_table(state, columns, testid="rooms-table",
                   actions=lambda row: rx.cond(state.can_manage, edit_button(state.open_edit(row["id"])))),
        form_dialog(
            title=rx.cond(is_new, t("places.new_room"), t("places.edit_room")),
            open_=state.dialog_open, on_close=state.close_dialog, on_submit=state.save, form_key=state.form_key,
            conflict=state.conflict, testid="room-form",
            fields=[
                rx.cond(
                    is_new,
                    rx.vstack(
                        field("places.community", rx.select.root(
                            rx.select.trigger(width="100%"),
                            rx.select.content(rx.foreach(state.community_choices, lambda o: rx.select.item(
                                o["label"], value=o["value"]))),
                            value=state.form["community_id"].to(str), on_change=state.form_pick_community),
                            state.errors["community_id"]),
                        field("places.building", rx.select.root(
                            rx.select.trigger(width="100%"),
                            rx.select.content(rx.foreach(state.form_buildings, lambda o: rx.select.item(
                                o["label"], value=o["value"]))),
                            value=state.form["building_id"].to(str), on_change=state.form_pick_building),
                            state.errors["building_id"]),
                        field("places.unit", select_input("unit_id", state.form_units,
                                                          default=state.form["unit_id"].to(str)),
                              state.errors["unit_id"]),
                        width="100%",
                        spacing="3",
                    ),
                ),
                rx.grid(
                    field("places.room_number", text_input("number", default=state.form["number"]),
                          state.errors["number"]),
                    field("places.floor", text_input("floor", default=state.form["floor"], type_="number"),
                          state.errors["floor"]),
                    field("places.area", text_input("area", default=state.form["area"], inputmode="decimal"),
                          state.errors["area"]),
                    field("places.layout", text_input("layout", default=state.form["layout"],
                                                      placeholder_key="places.layout_hint"),
                          state.errors["layout"]),
                    columns="2",
                    spacing="3",
                    width="100%",
                ),
                field("places.occupancy", select_input("occupancy", OCCUPANCY_OPTIONS,
                                                       default=state.form["occupancy"].to(str),
                                                       label_prefix="occupancy."), state.errors["occupancy"]),
            ],
        ),
    )
