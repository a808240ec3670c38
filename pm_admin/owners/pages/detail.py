"""Owner detail: profile (masked), rooms, household, occupants, change history and timeline."""

from __future__ import annotations

import reflex as rx

from pm_admin.owners.detail_state import REVEAL_REFS, OwnerDetailState
from pm_admin.owners.pages.owners import gender_select
from pm_admin.shell.layout import frame
from pm_admin.ui.forms import field, form_dialog, form_error_banner, notice, text_input
from pm_admin.ui.i18n import t, t_prefixed
from pm_admin.ui.table import icon_action, simple_table
from pm_admin.ui.timeline import timeline

D = OwnerDetailState


def info(label_key: str, value: rx.Component | rx.Var, testid: str = "") -> rx.Component:
    content = value if isinstance(value, rx.Component) else rx.text(value, size="2")
    return rx.vstack(rx.text(t(label_key), size="1", color_scheme="gray"), rx.box(content, data_testid=testid or None),
                     spacing="1", align="start")


def revealed_or_masked(masked: rx.Component, revealed_key: str, testid: str) -> rx.Component:
    """The masked value, or the revealed one. The latter is an always-mounted read-only input that the reveal
    event fills (rx.set_value) and hiding empties: the plain value is never a state var."""
    return rx.fragment(
        rx.el.input(id=REVEAL_REFS[revealed_key], read_only=True, tab_index=-1, data_testid=f"{testid}-revealed",
                    aria_label=t("owners.revealed_value"),
                    style={"display": rx.cond(D.revealed, "block", "none"), "border": "none", "background": "none",
                           "padding": "0", "width": "100%", "color": "var(--red-11)", "font-weight": "bold",
                           "font-size": "var(--font-size-2)", "font-family": "var(--code-font-family)"}),
        rx.cond(D.revealed, rx.fragment(), masked),
    )


def profile_card() -> rx.Component:
    p = D.profile
    return rx.card(rx.vstack(
        rx.hstack(
            rx.heading(p["name"].to(str), size="6", data_testid="owner-name"),
            rx.cond(p["is_vip"], rx.badge("VIP", color_scheme="amber", size="2")),
            rx.foreach(p["tags"].to(list[str]), lambda tag: rx.badge(tag, variant="soft")),
            rx.spacer(),
            rx.cond(D.can_reveal, rx.cond(
                D.revealed,
                rx.button(rx.icon("eye-off", size=14), t("owners.hide_pii"), variant="soft", color_scheme="gray",
                          on_click=D.hide_revealed, data_testid="hide-pii"),
                rx.button(rx.icon("eye", size=14), t("owners.reveal"), variant="soft", color_scheme="red",
                          on_click=D.open_reveal, data_testid="reveal-button"),
            )),
            rx.cond(D.can_edit, rx.button(rx.icon("pencil", size=14), t("common.edit"), on_click=D.open_edit,
                                          data_testid="edit-owner")),
            align="center", width="100%", wrap="wrap", spacing="3",
        ),
        rx.grid(
            info("owners.col.gender", t_prefixed("gender.", p["gender"].to(str))),
            info("owners.birth_date", revealed_or_masked(
                rx.text(p["birth_date"].to(str), size="2", font_family="var(--code-font-family)"),
                "birth_date", "birth-date"), testid="owner-birth-date"),
            info("owners.col.phone", revealed_or_masked(
                rx.text(p["phones"].to(list[str]).join("、"), size="2", font_family="var(--code-font-family)"),
                "phones", "phones"), testid="owner-phones"),
            info("owners.col.id_number", revealed_or_masked(
                rx.text(p["id_number"].to(str), size="2", font_family="var(--code-font-family)"),
                "id_number", "id-number"), testid="owner-id-number"),
            info("owners.address", p["address"].to(str)),
            info("owners.notes", p["notes"].to(str)),
            columns=rx.breakpoints(initial="1", sm="2", lg="3"), spacing="4", width="100%",
        ),
        spacing="4", width="100%",
    ), width="100%")


def rooms_tab() -> rx.Component:
    def row(room: rx.Var) -> rx.Component:
        current = room["ended_on"] == ""
        return rx.table.row(
            rx.table.cell(room["room_code"]), rx.table.cell(room["community_name"]),
            rx.table.cell(room["share"], "%"), rx.table.cell(room["started_on"]),
            rx.table.cell(rx.cond(current, rx.badge(t("owners.current"), color_scheme="green"),
                                  rx.text(room["ended_on"], " ", t_prefixed("owners.end.", room["end_reason"]),
                                          size="2", color_scheme="gray"))),
            rx.table.cell(rx.cond(current & D.can_edit, rx.hstack(
                icon_action("repeat", "owners.transfer", D.open_transfer(room["room_id"])),
                icon_action("user-round-plus", "owners.add_occupant", D.open_occupant(room["room_id"])),
                spacing="2"))),
        )

    return simple_table(["owners.col.room_code", "places.community", "owners.col.share", "owners.since",
                         "owners.status", "common.actions"], rx.foreach(D.rooms, row), "rooms-table")


def household_tab() -> rx.Component:
    def row(member: rx.Var) -> rx.Component:
        return rx.table.row(
            rx.table.cell(t_prefixed("relation.", member["relation"])), rx.table.cell(member["name"]),
            rx.table.cell(member["phone"]), rx.table.cell(member["id_number"]),
            rx.table.cell(rx.cond(D.can_edit, rx.hstack(
                icon_action("pencil", "common.edit", D.open_member(member["id"])),
                icon_action("trash-2", "common.delete", D.remove_member(member["id"]), color_scheme="red"),
                spacing="1"))),
        )

    return rx.vstack(
        rx.cond(D.can_edit, rx.button(rx.icon("plus", size=14), t("owners.add_member"), size="1",
                                      on_click=D.open_member(0), data_testid="add-member")),
        simple_table(["owners.relation", "owners.col.name", "owners.col.phone", "owners.col.id_number",
                      "common.actions"], rx.foreach(D.members, row), "members-table"),
        width="100%",
    )


def occupants_tab() -> rx.Component:
    def row(occupant: rx.Var) -> rx.Component:
        return rx.table.row(
            rx.table.cell(occupant["room_code"]), rx.table.cell(t_prefixed("occupant.", occupant["kind"])),
            rx.table.cell(occupant["name"]), rx.table.cell(occupant["phone"]),
            rx.table.cell(occupant["started_on"]), rx.table.cell(occupant["ended_on"]),
            rx.table.cell(rx.cond((occupant["ended_on"] == "") & D.can_edit,
                                  icon_action("log-out", "owners.end_occupant", D.end_occupant(occupant["id"])))),
        )

    return simple_table(["owners.col.room_code", "owners.occupant_kind", "owners.col.name", "owners.col.phone",
                         "owners.since", "owners.until", "common.actions"], rx.foreach(D.occupants, row),
                        "occupants-table")


def history_tab() -> rx.Component:
    def row(change: rx.Var) -> rx.Component:
        return rx.table.row(
            rx.table.cell(change["occurred_at"], white_space="nowrap"), rx.table.cell(change["actor_name"]),
            rx.table.cell(t_prefixed("timeline.change_", change["kind"])),
            rx.table.cell(t_prefixed("field.", change["field"])),
            rx.table.cell(change["old_value"]), rx.table.cell(change["new_value"]),
        )

    return simple_table(["audit.time", "audit.actor", "owners.change_kind", "owners.field", "owners.old_value",
                         "owners.new_value"], rx.foreach(D.changes, row), "history-table")


def edit_dialog() -> rx.Component:
    e = D.errors
    return form_dialog(
        title=t("owners.edit"), open_=D.dialog_open, on_close=D.close_dialog, on_submit=D.save, form_key=D.form_key,
        conflict=D.conflict, testid="owner-edit-form",
        fields=[
            rx.grid(
                field("owners.col.name", text_input("name", default=D.form["name"]), e["name"]),
                field("owners.col.gender", gender_select(D.form["gender"]), e["gender"]),
                field("owners.col.phone", text_input("phone", default=D.form["phone"], inputmode="tel",
                                                     placeholder_key="owners.keep_blank"), e["phone"]),
                field("owners.phone2", text_input("phone2", default=D.form["phone2"], inputmode="tel",
                                                  placeholder_key="owners.keep_blank"), e["phone2"]),
                columns="2", spacing="3", width="100%",
            ),
            rx.cond(D.profile["phones"].to(list).length() > 1,
                    rx.checkbox(t("owners.drop_phone2"), name="drop_phone2", data_testid="drop-phone2")),
            rx.grid(
                field("owners.col.id_number", text_input("id_number", default=D.form["id_number"],
                                                         placeholder_key="owners.keep_blank"), e["id_number"]),
                field("owners.birth_date", text_input("birth_date", default=D.form["birth_date"], type_="date"),
                      e["birth_date"], hint_key="owners.birth_date_keep"),
                columns="2", spacing="3", width="100%",
            ),
            field("owners.address", text_input("address", default=D.form["address"]), e["address"]),
            field("owners.col.tags", text_input("tags", default=D.form["tags"], placeholder_key="owners.tags_hint"),
                  e["tags"]),
            rx.checkbox(t("field.is_vip"), name="is_vip", default_checked=D.form["is_vip"].to(bool)),
            field("owners.notes", rx.text_area(name="notes", default_value=D.form["notes"].to(str)), e["notes"]),
        ],
    )


def reveal_dialog() -> rx.Component:
    return rx.dialog.root(rx.dialog.content(
        rx.dialog.title(t("owners.reveal")),
        rx.dialog.description(t("owners.reveal_explain"), size="2"),
        rx.form(rx.vstack(
            rx.input(name="reason", placeholder=t("owners.reveal_reason"), width="100%", data_testid="reveal-reason"),
            form_error_banner(D.reveal_error),
            rx.hstack(rx.button(t("common.cancel"), type="button", variant="soft", color_scheme="gray",
                                on_click=D.close_reveal(False)),
                      rx.button(t("owners.reveal"), type="submit", color_scheme="red", data_testid="reveal-confirm"),
                      justify="end", width="100%"),
            spacing="3", width="100%", padding_top="12px",
        ), on_submit=D.reveal),
        max_width="460px",
    ), open=D.reveal_open, on_open_change=D.close_reveal)


def side_dialogs() -> rx.Component:
    f, e = D.side_form, D.side_errors
    editing = f["editing"].to(bool)
    keep_when_editing = rx.cond(editing, "owners.keep_blank", "")
    member = form_dialog(
        title=rx.cond(editing, t("owners.edit_member"), t("owners.add_member")),
        open_=D.side_dialog == "member", on_close=D.close_side, on_submit=D.save_member,
        form_key=D.side_key, conflict=D.side_conflict, testid="member-form",
        fields=[
            field("owners.relation", rx.select.root(rx.select.trigger(width="100%"), rx.select.content(
                *[rx.select.item(t(f"relation.{r}"), value=r) for r in ("spouse", "child", "parent", "other")]),
                name="relation", default_value=f["relation"].to(str)), e["relation"]),
            field("field.name", text_input("name", default=f["name"]), e["name"]),
            field("owners.col.phone", text_input("phone", default=f["phone"], inputmode="tel",
                                                 placeholder_key=keep_when_editing), e["phone"]),
            field("owners.col.id_number", text_input("id_number", default=f["id_number"],
                                                     placeholder_key=keep_when_editing), e["id_number"]),
        ],
    )
    occupant = form_dialog(
        title=t("owners.add_occupant"), open_=D.side_dialog == "occupant", on_close=D.close_side,
        on_submit=D.add_occupant, form_key=D.side_key, conflict=None, testid="occupant-form",
        fields=[
            field("owners.occupant_kind", rx.select.root(rx.select.trigger(width="100%"), rx.select.content(
                rx.select.item(t("occupant.tenant"), value="tenant"),
                rx.select.item(t("occupant.occupant"), value="occupant")),
                name="kind", default_value=f["kind"].to(str)), e["kind"]),
            field("field.name", text_input("name", default=f["name"]), e["name"]),
            field("owners.col.phone", text_input("phone", default=f["phone"], inputmode="tel"), e["phone"]),
            field("owners.col.id_number", text_input("id_number", default=f["id_number"]), e["id_number"]),
            field("owners.since", text_input("started_on", default=f["started_on"], type_="date"), e["started_on"]),
        ],
    )
    transfer = form_dialog(
        title=t("owners.transfer"), open_=D.side_dialog == "transfer", on_close=D.close_side, on_submit=D.transfer,
        form_key=D.side_key, conflict=D.side_conflict, testid="transfer-form",
        fields=[
            notice(t("owners.transfer_explain"), " ", f["room_code"].to(str), size="1"),
            rx.cond(D.duplicate.contains("name"), notice(
                t("owners.duplicate_transfer"), " ", rx.text.strong(D.duplicate["name"].to(str)), icon="user-check",
                color_scheme="amber", size="1")),
            field("owners.transfer_date", text_input("transfer_date", default=f["transfer_date"], type_="date"),
                  e["transfer_date"]),
            rx.grid(
                field("owners.new_owner_name", text_input("name", default=f["name"]), e["name"]),
                field("owners.col.gender", gender_select(f["gender"]), e["gender"]),
                field("owners.col.phone", text_input("phone", default=f["phone"], inputmode="tel"), e["phone"]),
                field("owners.col.share", text_input("share", default=f["share"]), e["share"]),
                columns="2", spacing="3", width="100%",
            ),
            field("owners.col.id_number", text_input("id_number", default=f["id_number"]), e["id_number"]),
            rx.cond(e.contains("new_owner"), rx.text(e["new_owner"], color="var(--red-11)", size="1")),
        ],
    )
    return rx.fragment(member, occupant, transfer)


def owner_detail_page() -> rx.Component:
    return frame(
        "owners.detail",
        rx.cond(
            D.owner_found,
            rx.vstack(
                rx.link(rx.hstack(rx.icon("arrow-left", size=14), t("nav.owners"), spacing="1", align="center"),
                        href="/owners", size="2"),
                profile_card(),
                rx.tabs.root(
                    rx.tabs.list(
                        rx.tabs.trigger(t("owners.tab_rooms"), value="rooms"),
                        rx.tabs.trigger(t("owners.tab_household"), value="household"),
                        rx.tabs.trigger(t("owners.tab_occupants"), value="occupants"),
                        rx.tabs.trigger(t("owners.tab_history"), value="history", data_testid="tab-history"),
                        rx.tabs.trigger(t("owners.tab_timeline"), value="timeline"),
                    ),
                    rx.tabs.content(rx.box(rooms_tab(), padding_top="12px"), value="rooms"),
                    rx.tabs.content(rx.box(household_tab(), padding_top="12px"), value="household"),
                    rx.tabs.content(rx.box(occupants_tab(), padding_top="12px"), value="occupants"),
                    rx.tabs.content(rx.box(history_tab(), padding_top="12px"), value="history"),
                    rx.tabs.content(rx.box(timeline(D.timeline), padding_top="12px"), value="timeline"),
                    default_value="rooms", width="100%",
                ),
                spacing="4", width="100%",
            ),
            rx.callout(t("owners.not_found"), icon="circle-alert", color_scheme="gray"),
        ),
        edit_dialog(), reveal_dialog(), side_dialogs(),
    )
