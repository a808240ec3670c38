"""Owner detail: profile (masked), rooms, household, occupants, change history and timeline."""

from __future__ import annotations

import reflex as rx

from pm_admin.owners.pages.owners import gender_select
from pm_admin.owners.states.detail import (
    REVEAL_REFS,
    MemberForm,
    OccupantForm,
    OwnerDetailState,
    OwnerEditForm,
    RevealForm,
    TransferForm,
)
from pm_admin.ui.forms import confirm_icon, form_dialog, form_field, notice
from pm_admin.ui.i18n import t, t_prefixed
from pm_admin.ui.table import icon_action, simple_table
from pm_admin.ui.timeline import timeline

D = OwnerDetailState


def info(label_key: str, value: rx.Component | rx.Var, testid: str = "") -> rx.Component:
    content = value if isinstance(value, rx.Component) else rx.text(value, size="2")
    return rx.vstack(rx.text(t(label_key), size="1", color_scheme="gray"),
                     rx.box(content, width="100%", data_testid=testid or None), spacing="1", align="start",
                     min_width="0")


def revealed_or_masked(masked: rx.Component, revealed_key: str, testid: str) -> rx.Component:
    """The masked value, or the revealed one. The latter is an always-mounted read-only text box that the reveal
    event fills (rx.set_value) and hiding empties: the plain value is never a state var. It wraps and grows with
    what it holds (``field-sizing``), so two or three phones are never cut off."""
    return rx.fragment(
        rx.el.textarea(id=REVEAL_REFS[revealed_key], read_only=True, tab_index=-1, rows=1,
                       data_testid=f"{testid}-revealed", aria_label=t("owners.revealed_value"),
                       class_name="revealed-value", style={"display": rx.cond(D.revealed, "block", "none")}),
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
                          on_click=RevealForm.open_reveal, data_testid="reveal-button"),
            )),
            rx.cond(D.can_edit, rx.button(rx.icon("pencil", size=14), t("common.edit"), on_click=OwnerEditForm.open_edit,
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
                icon_action("repeat", "owners.transfer", TransferForm.open_transfer(room["room_id"])),
                icon_action("user-round-plus", "owners.add_occupant", OccupantForm.open_occupant(room["room_id"])),
                spacing="2"))),
        )

    return simple_table(["owners.col.room_code", "places.community", "owners.col.share", "owners.since",
                         "owners.status", "common.actions"], D.rooms, row, "rooms-table")


def household_tab() -> rx.Component:
    def row(member: rx.Var) -> rx.Component:
        return rx.table.row(
            rx.table.cell(t_prefixed("relation.", member["relation"])), rx.table.cell(member["name"]),
            rx.table.cell(member["phone"]), rx.table.cell(member["id_number"]),
            rx.table.cell(rx.cond(D.can_edit, rx.hstack(
                icon_action("pencil", "common.edit", MemberForm.open_member(member["id"])),
                confirm_icon("trash-2", "common.delete", title_key="owners.remove_member_confirm",
                             subject=t_prefixed("relation.", member["relation"]).to(str) + " · "
                             + member["name"].to(str), explain_key="owners.remove_member_explain",
                             on_confirm=D.remove_member(member["id"]), testid="remove-member"),
                spacing="1"))),
        )

    return rx.vstack(
        rx.cond(D.can_edit, rx.button(rx.icon("plus", size=14), t("owners.add_member"), size="1",
                                      on_click=MemberForm.open_member(0), data_testid="add-member")),
        simple_table(["owners.relation", "owners.col.name", "owners.col.phone", "owners.col.id_number",
                      "common.actions"], D.members, row, "members-table"),
        width="100%",
    )


def occupants_tab() -> rx.Component:
    def row(occupant: rx.Var) -> rx.Component:
        return rx.table.row(
            rx.table.cell(occupant["room_code"]), rx.table.cell(t_prefixed("occupant.", occupant["kind"])),
            rx.table.cell(occupant["name"]), rx.table.cell(occupant["phone"]),
            rx.table.cell(occupant["started_on"]), rx.table.cell(occupant["ended_on"]),
            rx.table.cell(rx.cond((occupant["ended_on"] == "") & D.can_edit,
                                  confirm_icon("log-out", "owners.end_occupant", title_key="owners.end_occupant_confirm",
                                               subject=occupant["name"].to(str) + " · " + occupant["room_code"].to(str),
                                               explain_key="owners.end_occupant_explain",
                                               on_confirm=D.end_occupant(occupant["id"]), testid="end-occupant",
                                               color_scheme="orange"))),
        )

    return simple_table(["owners.col.room_code", "owners.occupant_kind", "owners.col.name", "owners.col.phone",
                         "owners.since", "owners.until", "common.actions"], D.occupants, row,
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
                         "owners.new_value"], D.changes, row, "history-table")


def edit_dialog() -> rx.Component:
    d = OwnerEditForm
    pair = {"columns": "2", "spacing": "3", "width": "100%"}
    return form_dialog(
        d, title=t("owners.edit"), testid="owner-edit-form",
        fields=[
            rx.grid(
                form_field(d, "name", "owners.col.name"),
                form_field(d, "gender", "owners.col.gender", gender_select(d.values["gender"])),
                form_field(d, "phone", "owners.col.phone", inputmode="tel", placeholder_key="owners.keep_blank"),
                form_field(d, "phone2", "owners.phone2", inputmode="tel", placeholder_key="owners.keep_blank"),
                **pair,
            ),
            rx.cond(D.profile["phones"].to(list).length() > 1,
                    rx.checkbox(t("owners.drop_phone2"), name="drop_phone2", data_testid="drop-phone2")),
            rx.grid(
                form_field(d, "id_number", "owners.col.id_number", placeholder_key="owners.keep_blank"),
                form_field(d, "birth_date", "owners.birth_date", type_="date", hint_key="owners.birth_date_keep"),
                **pair,
            ),
            form_field(d, "address", "owners.address"),
            form_field(d, "tags", "owners.col.tags", placeholder_key="owners.tags_hint"),
            rx.checkbox(t("field.is_vip"), name="is_vip", default_checked=d.values["is_vip"].to(bool)),
            form_field(d, "notes", "owners.notes", rx.text_area(name="notes", default_value=d.values["notes"].to(str))),
        ],
    )


def reveal_dialog() -> rx.Component:
    d = RevealForm
    return form_dialog(
        d, title=t("owners.reveal"), description=t("owners.reveal_explain"), testid="reveal-form", on_submit=d.reveal,
        save_key="owners.reveal", save_props={"color_scheme": "red", "data_testid": "reveal-confirm"},
        max_width="460px",
        fields=[form_field(d, "reason", None, rx.input(
            name="reason", placeholder=t("owners.reveal_reason"), width="100%", data_testid="reveal-reason"))],
    )


def side_dialogs() -> rx.Component:
    m, o, x = MemberForm, OccupantForm, TransferForm
    keep_when_editing = rx.cond(m.editing, "owners.keep_blank", "")
    pair = {"columns": "2", "spacing": "3", "width": "100%"}
    member = form_dialog(
        m, title=rx.cond(m.editing, t("owners.edit_member"), t("owners.add_member")), testid="member-form",
        fields=[
            form_field(m, "relation", "owners.relation", rx.select.root(rx.select.trigger(width="100%"), rx.select.content(
                *[rx.select.item(t(f"relation.{r}"), value=r) for r in ("spouse", "child", "parent", "other")]),
                name="relation", default_value=m.values["relation"].to(str))),
            form_field(m, "name", "field.name"),
            form_field(m, "phone", "owners.col.phone", inputmode="tel", placeholder_key=keep_when_editing),
            form_field(m, "id_number", "owners.col.id_number", placeholder_key=keep_when_editing),
        ],
    )
    occupant = form_dialog(
        o, title=t("owners.add_occupant"), testid="occupant-form",
        fields=[
            form_field(o, "kind", "owners.occupant_kind", rx.select.root(rx.select.trigger(width="100%"), rx.select.content(
                rx.select.item(t("occupant.tenant"), value="tenant"),
                rx.select.item(t("occupant.occupant"), value="occupant")),
                name="kind", default_value=o.values["kind"].to(str))),
            form_field(o, "name", "field.name"),
            form_field(o, "phone", "owners.col.phone", inputmode="tel"),
            form_field(o, "id_number", "owners.col.id_number"),
            form_field(o, "started_on", "owners.since", type_="date"),
        ],
    )
    transfer = form_dialog(
        x, title=t("owners.transfer"), testid="transfer-form",
        fields=[
            notice(t("owners.transfer_explain"), " ", x.subject["room_code"].to(str), size="1"),
            rx.cond(x.duplicate.contains("name"), notice(
                t("owners.duplicate_transfer"), " ", rx.text.strong(x.duplicate["name"].to(str)), icon="user-check",
                color_scheme="amber", size="1")),
            form_field(x, "transfer_date", "owners.transfer_date", type_="date"),
            rx.grid(
                form_field(x, "name", "owners.new_owner_name"),
                form_field(x, "gender", "owners.col.gender", gender_select(x.values["gender"])),
                form_field(x, "phone", "owners.col.phone", inputmode="tel"),
                form_field(x, "share", "owners.col.share"),
                **pair,
            ),
            form_field(x, "id_number", "owners.col.id_number"),
            rx.cond(x.errors.contains("new_owner"), rx.text(x.errors["new_owner"], color="var(--red-11)", size="1")),
        ],
    )
    return rx.fragment(member, occupant, transfer)


def owner_detail_page() -> rx.Component:
    return rx.fragment(
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
