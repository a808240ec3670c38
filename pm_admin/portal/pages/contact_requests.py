"""资料变更审核: owners' contact change requests from the portal; approve (applied to the registry) or reject with a
reason the owner reads. Phones are masked: typed ones until applied, stored ones always."""

from __future__ import annotations

import reflex as rx

from pm_admin.portal.staff_queries import REQUEST_STATUSES
from pm_admin.portal.states.contact_requests import ApproveForm, ContactRequestsState, RejectForm
from pm_admin.ui.filters import choose, filter_bar, pick
from pm_admin.ui.forms import form_dialog, form_field, notice
from pm_admin.ui.i18n import t, t_prefixed
from pm_admin.ui.table import Column, data_table

S = ContactRequestsState
STATUS_COLORS = (("pending", "blue"), ("approved", "green"), ("rejected", "orange"))


def _changes(row: rx.Var) -> rx.Component:
    return rx.vstack(
        rx.cond(row["phone"].to(str) != "", rx.text(t("portal.col.phone"), "：", row["phone"].to(str), size="2")),
        rx.cond(row["phone2"].to(str) != "", rx.text(t("portal.col.phone2"), "：", row["phone2"].to(str), size="2")),
        rx.cond(row["drop_phone2"].to(bool), rx.text(t("portal.drop_phone2"), size="2")),
        rx.cond(row["address_changed"].to(bool), rx.text(t("portal.col.address"), "：", row["address"].to(str),
                                                         size="2")),
        spacing="0", data_testid="request-changes",
    )


def _actions(row: rx.Var) -> rx.Component:
    return rx.cond(
        row["status"] == "pending",
        rx.hstack(
            rx.button(t("portal.approve"), size="1", variant="soft", color_scheme="green",
                      on_click=ApproveForm.open_approve(row["id"]), data_testid="request-approve"),
            rx.button(t("portal.reject"), size="1", variant="soft", color_scheme="red",
                      on_click=RejectForm.open_reject(row["id"]), data_testid="request-reject"),
            spacing="1", min_width="max-content"),
    )


def _decision(row: rx.Var) -> rx.Component:
    return rx.vstack(
        rx.text(row["decided_by"].to(str), " ", row["decided_at"].to(str), size="1", color_scheme="gray"),
        rx.cond(row["reason"].to(str) != "", rx.text(row["reason"].to(str), size="2")),
        spacing="0")


def contact_requests_page() -> rx.Component:
    columns = [
        Column("created_at", "portal.col.requested_at", sortable=True),
        Column("name", "owners.col.name", sortable=True, render=lambda r: rx.vstack(
            rx.link(r["name"], href="/owners/" + r["owner_id"].to(str)),
            rx.text(r["community"].to(str), " ", r["rooms"].to(str), size="1", color_scheme="gray"), spacing="0")),
        Column("changes", "portal.col.changes", render=_changes),
        Column("status", "portal.col.status", render=lambda r: rx.badge(
            t_prefixed("portal.request.", r["status"]), color_scheme=rx.match(r["status"], *STATUS_COLORS, "gray"))),
        Column("decided_at", "portal.col.decision", render=_decision),
    ]
    return rx.fragment(
        rx.vstack(
            notice(t("portal.requests_explain"), icon="user-pen", size="1"),
            filter_bar(S, pick(S, "community", "shell.all_communities"),
                       choose(S, "status", [{"value": s} for s in REQUEST_STATUSES], "common.all",
                              label_prefix="portal.request."), search_key="portal.search_owner"),
            data_table(S, columns, testid="contact-requests", actions=_actions),
            spacing="4", width="100%"),
        approve_dialog(),
        reject_dialog(),
    )


def _compare(dialog) -> list[rx.Component]:
    """What changes: stored now → requested (phones masked)."""
    subject = dialog.subject

    def line(label_key: str, now: rx.Var, new: rx.Var, shown: rx.Var) -> rx.Component:
        return rx.cond(shown, rx.hstack(rx.text(t(label_key), size="2", color_scheme="gray", width="6em"),
                                        rx.text(rx.cond(now != "", now, "—"), size="2"), rx.icon("arrow-right", size=14),
                                        rx.text(new, size="2", weight="bold"), align="center"))

    return [
        rx.text(subject["name"].to(str), " · ", subject["community"].to(str), " ", subject["rooms"].to(str),
                weight="bold"),
        rx.text(t("portal.col.requested_at"), " ", subject["created_at"].to(str), size="1", color_scheme="gray"),
        line("portal.col.phone", subject["current_phone"].to(str), subject["phone"].to(str),
             subject["phone"].to(str) != ""),
        line("portal.col.phone2", subject["current_phone2"].to(str), subject["phone2"].to(str),
             subject["phone2"].to(str) != ""),
        line("portal.col.phone2", subject["current_phone2"].to(str), t("portal.removed"),
             subject["drop_phone2"].to(bool)),
        line("portal.col.address", subject["current_address"].to(str), subject["address"].to(str),
             subject["address_changed"].to(bool)),
    ]


def approve_dialog() -> rx.Component:
    return form_dialog(
        ApproveForm, title=t("portal.approve_title"), testid="approve-dialog", save_key="portal.approve",
        save_props={"color_scheme": "green"},
        fields=[*_compare(ApproveForm), notice(t("portal.approve_explain"), icon="info", size="1")],
    )


def reject_dialog() -> rx.Component:
    return form_dialog(
        RejectForm, title=t("portal.reject_title"), testid="reject-dialog", save_key="portal.reject",
        save_props={"color_scheme": "red"},
        fields=[*_compare(RejectForm), form_field(RejectForm, "reason", "portal.reject_reason",
                                                  hint_key="portal.reject_reason_hint")],
    )
