"""Community, building/unit and room pages."""

from __future__ import annotations

import reflex as rx

from pm_admin.places.states.places import (
    OCCUPANCY_OPTIONS,
    WORK_ROLE_OPTIONS,
    BuildingForm,
    BuildingsState,
    CommunitiesState,
    CommunityForm,
    RoomForm,
    RoomsState,
    UnitForm,
)
from pm_admin.ui.filters import choose, filter_bar, pick, place_pickers
from pm_admin.ui.forms import form_dialog, form_field, select_input
from pm_admin.ui.i18n import t, t_prefixed
from pm_admin.ui.table import Column, data_table, icon_action, table_body


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
    d = CommunityForm
    return rx.fragment(
        filter_bar(state, search_key="common.search", reset=False, end=[
            rx.cond(state.can_manage, rx.button(rx.icon("plus", size=14), t("common.create"),
                                                on_click=d.open_create, data_testid="create-community"))]),
        data_table(state, columns, testid="communities-table",
                   actions=lambda row: rx.cond(state.can_set_work_role, edit_button(d.open_edit(row["id"])))),
        form_dialog(
            d, title=rx.cond(d.editing, t("places.edit_community"), t("places.new_community")), testid="community-form",
            fields=[
                form_field(d, "code", "places.code", hint_key="places.code_hint", disabled=d.editing),
                # Managers set only who does the household work; the rest is the admins' to change.
                form_field(d, "name", "places.name", disabled=~state.can_manage),
                form_field(d, "address", "places.address", disabled=~state.can_manage),
                form_field(d, "household_work_role", "places.work_role", select_input(
                    "household_work_role", WORK_ROLE_OPTIONS, default=d.values["household_work_role"].to(str),
                    label_prefix="places.work_role.", testid="household-work-role"), hint_key="places.work_role_hint"),
                rx.cond(d.editing, rx.checkbox(t("places.active"), name="is_active", disabled=~state.can_manage,
                                               default_checked=d.values["is_active"].to(bool))),
            ],
        ),
    )


# ---------------------------------------------------------------- buildings and units


def units_panel() -> rx.Component:
    state = BuildingsState

    def unit_row(unit: rx.Var) -> rx.Component:
        return rx.table.row(
            rx.table.cell(unit["code"]), rx.table.cell(unit["name"]), rx.table.cell(unit["rooms"]),
            rx.table.cell(rx.cond(state.can_manage, edit_button(UnitForm.open_edit(unit["id"])))),
        )

    return rx.cond(
        state.selected_building_id > 0,
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.heading(state.selected_building_name, " · ", t("places.units"), size="3"),
                    rx.spacer(),
                    rx.cond(state.can_manage, rx.button(rx.icon("plus", size=14), t("places.new_unit"), size="1",
                                                        on_click=UnitForm.open_create, data_testid="create-unit")),
                    width="100%",
                ),
                rx.table.root(
                    rx.table.header(rx.table.row(
                        rx.table.column_header_cell(t("places.code")), rx.table.column_header_cell(t("places.name")),
                        rx.table.column_header_cell(t("home.rooms")), rx.table.column_header_cell(""))),
                    table_body(state.units, unit_row, 4),
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
    d, u = BuildingForm, UnitForm
    return rx.fragment(
        filter_bar(state, pick(state, "community", "shell.all_communities"), reset=False, end=[
            rx.cond(state.can_manage, rx.button(rx.icon("plus", size=14), t("places.new_building"),
                                                on_click=d.open_create, data_testid="create-building"))]),
        rx.grid(
            data_table(state, columns, testid="buildings-table", actions=lambda row: rx.hstack(
                rx.button(t("places.units"), size="1", variant="outline", on_click=state.select_building(row["id"])),
                rx.cond(state.can_manage, edit_button(d.open_edit(row["id"]))),
                spacing="2",
            )),
            units_panel(),
            columns=rx.breakpoints(initial="1", lg="2"),
            spacing="4",
            width="100%",
        ),
        form_dialog(
            d, title=rx.cond(d.editing, t("places.edit_building"), t("places.new_building")), testid="building-form",
            fields=[
                rx.cond(d.editing, rx.fragment(),
                        form_field(d, "community_id", "places.community", select_input(
                            "community_id", state.choices["community"].to(list[dict[str, str]]),
                            default=d.values["community_id"].to(str)))),
                form_field(d, "code", "places.code", hint_key="places.code_hint", disabled=d.editing),
                form_field(d, "name", "places.name"),
                form_field(d, "floors", "places.floors", type_="number"),
                rx.cond(d.editing, form_field(d, "steward", "arrears.steward", select_input(
                    "steward", d.steward_choices, default=d.values["steward"].to(str)))),
            ],
        ),
        form_dialog(
            u, title=t("places.units"), testid="unit-form",
            fields=[form_field(u, "code", "places.code", disabled=u.editing), form_field(u, "name", "places.name")],
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
    d = RoomForm

    def cascade_select(options, key: str, on_change) -> rx.Component:
        return rx.select.root(rx.select.trigger(width="100%"), rx.select.content(rx.foreach(
            options, lambda o: rx.select.item(o["label"], value=o["value"]))), value=d.values[key].to(str),
            on_change=on_change)

    return rx.fragment(
        filter_bar(state, *place_pickers(state),
                   choose(state, "occupancy", OCCUPANCY_OPTIONS, "places.all_occupancy", label_prefix="occupancy."),
                   search_key="places.search_rooms", end=[
                       rx.cond(state.can_manage, rx.button(rx.icon("plus", size=14), t("places.new_room"),
                                                           on_click=d.open_create, data_testid="create-room"))]),
        data_table(state, columns, testid="rooms-table",
                   actions=lambda row: rx.cond(state.can_manage, edit_button(d.open_edit(row["id"])))),
        form_dialog(
            d, title=rx.cond(d.editing, t("places.edit_room"), t("places.new_room")), testid="room-form",
            fields=[
                rx.cond(
                    d.editing,
                    rx.fragment(),
                    rx.vstack(
                        form_field(d, "community_id", "places.community", cascade_select(
                            state.choices["community"].to(list[dict[str, str]]), "community_id", d.pick_community)),
                        form_field(d, "building_id", "places.building",
                                   cascade_select(d.buildings, "building_id", d.pick_building)),
                        form_field(d, "unit_id", "places.unit", select_input("unit_id", d.units,
                                                                             default=d.values["unit_id"].to(str))),
                        width="100%",
                        spacing="3",
                    ),
                ),
                rx.grid(
                    form_field(d, "number", "places.room_number"),
                    form_field(d, "floor", "places.floor", type_="number"),
                    form_field(d, "area", "places.area", inputmode="decimal"),
                    form_field(d, "layout", "places.layout", placeholder_key="places.layout_hint"),
                    columns="2",
                    spacing="3",
                    width="100%",
                ),
                form_field(d, "occupancy", "places.occupancy", select_input(
                    "occupancy", OCCUPANCY_OPTIONS, default=d.values["occupancy"].to(str), label_prefix="occupancy.")),
            ],
        ),
    )
