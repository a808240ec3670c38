"""通知公告 (/notices): the list, the drafting dialog with templates and the audience preview."""

from __future__ import annotations

import reflex as rx

from pm_admin.comms.models import Group, NoticeKind
from pm_admin.comms.states.notices import NoticeForm, NoticesState
from pm_admin.ui.forms import confirm_button, field, form_dialog, form_field, notice, select_input
from pm_admin.ui.i18n import t, t_prefixed
from pm_admin.ui.table import Column, data_table

S = NoticesState
STATUS_COLORS = (("draft", "gray"), ("pending", "amber"), ("scheduled", "blue"), ("sent", "green"),
                 ("expired", "gray"), ("withdrawn", "red"))


def _actions(row: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.link(rx.button(t("comms.open"), size="1", variant="soft"), href="/notices/" + row["id"].to(str)),
        rx.cond(S.can_draft & (row["status"] == "draft"),
                rx.button(t("comms.submit"), size="1", variant="soft", on_click=S.submit(row["id"]),
                          data_testid="notice-submit")),
        rx.cond(S.can_approve & (row["status"] == "pending"),
                confirm_button("comms.approve", title_key="comms.approve_confirm", subject=row["title"].to(str),
                               explain_key="comms.approve_explain", on_confirm=S.approve(row["id"]),
                               testid="notice-approve", size="1")),
        rx.cond(S.can_approve & (row["kind"] == "emergency") & ((row["status"] == "draft") | (row["status"] == "pending")),
                confirm_button("comms.send_now", title_key="comms.send_now_confirm", subject=row["title"].to(str),
                               explain_key="comms.send_now_explain", on_confirm=S.send_now(row["id"]),
                               testid="notice-send-now", color_scheme="red", size="1")),
        spacing="1")


def notices_page() -> rx.Component:
    columns = [
        Column("title", "comms.col.title"),
        Column("kind", "comms.col.kind", render=lambda r: rx.badge(t_prefixed("comms.kind.", r["kind"]))),
        Column("status", "comms.col.status", render=lambda r: rx.badge(
            t_prefixed("comms.status.", r["status"]), color_scheme=rx.match(r["status"], *STATUS_COLORS, "gray"))),
        Column("created_by", "comms.col.created_by"),
        Column("sent_at", "comms.col.sent_at"),
    ]
    return rx.fragment(
        rx.vstack(
            rx.hstack(notice(t("comms.explain"), icon="megaphone", size="1"), rx.spacer(),
                      rx.cond(S.can_draft, rx.button(rx.icon("plus", size=14), t("comms.new_notice"),
                                                     on_click=NoticeForm.open_create, data_testid="notice-new")),
                      width="100%", align="center"),
            data_table(S, columns, testid="notices", actions=_actions),
            spacing="4", width="100%"),
        notice_dialog(),
    )


def notice_dialog() -> rx.Component:
    d, v = NoticeForm, NoticeForm.values
    return form_dialog(
        d, title=t("comms.new_notice"), testid="notice-form", save_key="comms.save_draft", max_width="640px",
        fields=[
            rx.hstack(rx.text(t("comms.templates"), size="2"), rx.foreach(d.templates, lambda tpl: rx.button(
                            tpl["name"], type="button", size="1", variant="soft",
                            on_click=d.use_template(tpl["code"].to(str)), data_testid="notice-template")),
                      wrap="wrap", spacing="1"),
            rx.el.input(type="hidden", name="category", default_value=v["category"]),
            rx.el.input(type="hidden", name="source", default_value=v["source"]),
            rx.grid(
                form_field(d, "kind", "comms.col.kind", select_input(
                    "kind", [{"value": k.value} for k in NoticeKind], default=v["kind"].to(str),
                    label_prefix="comms.kind.", testid="notice-kind")),
                form_field(d, "community_id", "places.community", select_input(
                    "community_id", d.communities, default=v["community_id"].to(str), on_change=d.pick_community)),
                columns="2", spacing="3", width="100%"),
            form_field(d, "title", "comms.col.title", data_testid="notice-title"),
            form_field(d, "body", "comms.body", rx.text_area(name="body", default_value=v["body"], rows="5",
                                                            width="100%", data_testid="notice-body"),
                       hint_key="comms.body_hint"),
            field("comms.buildings", rx.flex(rx.foreach(d.buildings, lambda b: rx.checkbox(
                b["label"], name="building:" + b["value"], data_testid="notice-building",
                default_checked=d.subject["buildings"].to(list[str]).contains(b["value"]))), wrap="wrap", spacing="3"),
                  d.errors["building_ids"], hint_key="comms.buildings_hint"),
            form_field(d, "group", "comms.group", select_input("group", [{"value": g.value} for g in Group],
                                                               default=v["group"].to(str), label_prefix="comms.group.")),
            rx.grid(
                form_field(d, "send_at", "comms.send_at", type_="datetime-local", hint_key="comms.send_at_hint"),
                form_field(d, "valid_until", "comms.valid_until", type_="datetime-local",
                           data_testid="notice-valid-until"),
                columns="2", spacing="3", width="100%"),
            rx.hstack(rx.checkbox(t("comms.also_sms"), name="sms", default_checked=v["sms"].to(bool)),
                      rx.checkbox(t("comms.requires_ack"), name="requires_ack",
                                  default_checked=v["requires_ack"].to(bool)),
                      rx.checkbox(t("comms.pinned"), name="pinned", default_checked=v["pinned"].to(bool)),
                      spacing="4", wrap="wrap"),
            form_field(d, "escalate_after_minutes", "comms.escalate_after", type_="number"),
        ],
    )
