"""One notice (/notices/[notice_id]): text, whom it will reach, acknowledgement by building (live), call list,
progress updates, the workflow's steps."""

from __future__ import annotations

import reflex as rx

from pm_admin.comms.states.detail import CallForm, EditForm, NoticeDetailState, NoticeSteps, WithdrawForm
from pm_admin.ui.cards import section
from pm_admin.ui.forms import confirm_button, form_dialog, form_field, notice, select_input
from pm_admin.ui.i18n import t, t_prefixed
from pm_admin.ui.table import simple_table

D = NoticeDetailState
POLL_MS = 5000


def _steps() -> rx.Component:
    n = D.notice
    status = n["status"].to(str)
    return rx.hstack(
        rx.cond((status == "draft") | (status == "pending"),
                rx.button(t("comms.edit"), variant="soft", on_click=EditForm.open_edit, data_testid="notice-edit")),
        rx.cond(status == "draft", rx.button(t("comms.submit"), on_click=NoticeSteps.submit,
                                             data_testid="notice-submit")),
        rx.cond(D.can_approve & (status == "pending"),
                confirm_button("comms.approve", title_key="comms.approve_confirm", subject=n["title"].to(str),
                               explain_key="comms.approve_explain", on_confirm=NoticeSteps.approve,
                               testid="notice-approve")),
        rx.cond(D.can_approve & (n["kind"].to(str) == "emergency") & ((status == "draft") | (status == "pending")),
                confirm_button("comms.send_now", title_key="comms.send_now_confirm", subject=n["title"].to(str),
                               explain_key="comms.send_now_explain", on_confirm=NoticeSteps.send_now,
                               testid="notice-send-now", color_scheme="red")),
        rx.cond(D.can_approve & n["review_needed"].to(bool),
                rx.button(t("comms.review"), variant="soft", on_click=D.review, data_testid="notice-review")),
        rx.cond(D.can_approve & ((status == "sent") | (status == "scheduled")),
                rx.button(t("comms.withdraw"), variant="soft", color_scheme="red", on_click=WithdrawForm.open_withdraw,
                          data_testid="notice-withdraw")),
        spacing="2")


def _buildings() -> rx.Component:
    return simple_table(
        ["places.building", "comms.households", "comms.read", "comms.acknowledged", "comms.percent"],
        D.notice["buildings"].to(list[dict]), lambda b: rx.table.row(
            rx.table.cell(b["building"]), rx.table.cell(b["households"]), rx.table.cell(b["read"]),
            rx.table.cell(b["acknowledged"]),
            rx.table.cell(rx.hstack(rx.progress(value=b["percent"].to(int), max=100, width="100px"),
                                    rx.text(b["percent"], "%", size="2", data_testid="ack-percent"),
                                    align="center")), data_testid="ack-row"), "notice-buildings")


def _calls() -> rx.Component:
    return simple_table(
        ["owners.col.room_code", "owners.col.name", "owners.col.phone", "common.actions"],
        D.calls, lambda c: rx.table.row(
            rx.table.cell(c["room"]), rx.table.cell(c["owner"]), rx.table.cell(c["phone"]),
            rx.table.cell(rx.button(t("comms.record_call"), size="1", variant="soft",
                                    on_click=CallForm.open_call(c["room_id"]))), data_testid="call-row"),
        "notice-calls")


def _update_form() -> rx.Component:
    return rx.form(rx.hstack(
        rx.box(select_input("stage", [{"value": "in_progress"}, {"value": "restored"}], default="in_progress",
                            label_prefix="comms.stage."), width="140px", flex_shrink="0"),
        rx.input(name="body", placeholder=t("comms.update_hint"), flex="1", data_testid="update-body"),
        rx.button(t("comms.send_update"), type="submit", flex_shrink="0", data_testid="update-send"),
        width="100%", align="center"),
        on_submit=D.add_update, reset_on_submit=True, width="100%")


def notice_detail_page() -> rx.Component:
    n = D.notice
    status = n["status"].to(str)
    preview = n["preview"].to(dict[str, int])
    return rx.fragment(
        rx.cond(
            n.contains("id"),
            rx.vstack(
                rx.hstack(rx.heading(n["title"].to(str), size="5"), rx.badge(t_prefixed("comms.kind.", n["kind"])),
                          rx.badge(t_prefixed("comms.status.", n["status"]), data_testid="notice-status"),
                          rx.spacer(), _steps(), width="100%", align="center", wrap="wrap"),
                rx.cond(n["review_needed"].to(bool), notice(t("comms.review_needed"), icon="shield-alert",
                                                            color_scheme="amber", size="1")),
                rx.cond(status == "withdrawn", notice(t("comms.withdrawn_because"), " ",
                                                      n["withdrawn_reason"].to(str), color_scheme="red", size="1")),
                rx.card(rx.markdown(n["body"].to(str)), width="100%"),
                rx.text(t("comms.valid_until"), ": ", n["valid_until"].to(str), " · ", t("comms.send_at"), ": ",
                        n["send_at"].to(str), size="2", color_scheme="gray"),
                rx.cond(preview.contains("households"), notice(
                    t("comms.preview_households"), " ", rx.text.strong(preview["households"]), " · ",
                    t("comms.preview_people"), " ", rx.text.strong(preview["people"]), " · ",
                    t("comms.preview_without_account"), " ", rx.text.strong(preview["without_account"]),
                    icon="users", data_testid="notice-preview")),
                rx.cond(status == "sent", section(t("comms.reach"), _buildings())),
                rx.cond(D.calls.length() > 0, section(t("comms.call_list"), _calls())),
                rx.cond(D.can_approve & (status == "sent"), section(t("comms.progress"), _update_form())),
                rx.foreach(n["updates"].to(list[dict]), lambda u: rx.text(
                    u["at"], " · ", t_prefixed("comms.stage.", u["stage"]), " · ", u["body"], size="2")),
                rx.moment(interval=POLL_MS, format="HH:mm:ss", on_change=D.poll, display="none"),
                spacing="4", width="100%"),
            rx.callout(t("error.not_found"), icon="triangle-alert", color_scheme="red"),
        ),
        form_dialog(CallForm, title=t("comms.record_call"), testid="call-form",
                    fields=[rx.text(CallForm.subject["room"].to(str), " · ", CallForm.subject["owner"].to(str)),
                            form_field(CallForm, "note", "comms.call_note")]),
        form_dialog(EditForm, title=t("comms.edit"), testid="edit-form", max_width="640px",
                    fields=[form_field(EditForm, "title", "comms.col.title"),
                            form_field(EditForm, "body", "comms.body", rx.text_area(
                                name="body", default_value=EditForm.values["body"], rows="6", width="100%",
                                data_testid="edit-body"), hint_key="comms.body_hint")]),
        form_dialog(WithdrawForm, title=t("comms.withdraw"), testid="withdraw-form", save_key="comms.withdraw",
                    save_props={"color_scheme": "red"},
                    fields=[rx.text(WithdrawForm.subject["title"].to(str), weight="bold"),
                            form_field(WithdrawForm, "reason", "comms.withdraw_reason")]),
    )


