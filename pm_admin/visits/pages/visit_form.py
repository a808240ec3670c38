"""The visit form (a dialog that fits a phone, 390 px: one column, large touch targets) and the reply dialog."""

from __future__ import annotations

import reflex as rx

from pm_admin.ui.forms import form_dialog, form_field, notice, select_input
from pm_admin.ui.i18n import t
from pm_admin.visits.models import TICKET_KINDS, IssueAction, Met, Method
from pm_admin.visits.services.records import MAX_ISSUES, issue_field
from pm_admin.visits.states.visits import ReplyForm, VisitForm

F = VisitForm
METHODS = [{"value": str(m)} for m in Method]
MET = [{"value": str(m)} for m in Met]
ACTIONS = [{"value": str(a)} for a in IssueAction]
KINDS = [{"value": kind} for kind in TICKET_KINDS]
SCORES = ("1", "2", "3", "4", "5")


def _select(name: str, options: list[dict[str, str]], prefix: str, testid: str, **props) -> rx.Component:
    return select_input(name, options, default=F.values[name], label_prefix=prefix, testid=testid, size="3", **props)


def satisfaction_field() -> rx.Component:
    """1–5 as five large buttons in a row (seed 003 5.28 scores 业主满意程度 the same way)."""
    return form_field(F, "satisfaction", "visits.satisfaction", rx.radio_group.root(
        rx.hstack(*[rx.radio_group.item(score, value=score, data_testid=f"visit-satisfaction-{score}")
                    for score in SCORES], spacing="4", wrap="wrap"),
        name="satisfaction", default_value=F.values["satisfaction"].to(str), size="3"),
        hint_key="visits.satisfaction_hint")


def issue_block(index: int) -> rx.Component:
    """One issue: what was raised and what becomes of it; a ticket asks its kind and category, a suggestion its
    category, anything not answered on the spot may carry the reply date told to the owner."""
    action = F.issue_actions[index]

    def name(field: str) -> str:
        return issue_field(field, index)

    return rx.card(rx.vstack(
        rx.text(t("visits.issue"), " ", index + 1, weight="bold", size="2"),
        form_field(F, name("text"), None, rx.text_area(
            name=name("text"), default_value=F.values[name("text")], rows="2", width="100%",
            placeholder=t("visits.issue_placeholder"), data_testid=f"visit-issue-text-{index}")),
        form_field(F, name("action"), "visits.issue_action", select_input(
            name("action"), ACTIONS, default=F.values[name("action")], label_prefix="visits.action.", size="3",
            testid=f"visit-issue-action-{index}", on_change=lambda value: F.set_issue_action(index, value))),
        rx.cond(action == IssueAction.TICKET.value, form_field(F, name("kind"), "visits.ticket_kind", select_input(
            name("kind"), KINDS, default=F.values[name("kind")], label_prefix="tickets.kind.", size="3",
            testid=f"visit-issue-kind-{index}"))),
        rx.cond((action == IssueAction.TICKET.value) | (action == IssueAction.SUGGESTION.value),
                form_field(F, name("category"), "visits.category", select_input(
                    name("category"), F.category_choices, default=F.values[name("category")], size="3",
                    testid=f"visit-issue-category-{index}"))),
        rx.cond(action != IssueAction.ANSWERED.value, form_field(
            F, name("promised"), "visits.promised_on", hint_key="visits.promised_hint", type_="date", size="3",
            data_testid=f"visit-issue-promised-{index}")),
        spacing="2", width="100%"), width="100%", data_testid="visit-issue")


def visit_dialog() -> rx.Component:
    return form_dialog(F, title=t("visits.record_visit"), testid="visit-form", max_width="560px", fields=[
        rx.cond(F.subject["task"].to(str) != "", rx.text(t("visits.for_task"), "：", F.subject["task"].to(str),
                                                         size="2", color_scheme="gray")),
        form_field(F, "room_code", "visits.room", hint_key="visits.room_hint", size="3", data_testid="visit-room"),
        form_field(F, "visited_on", "visits.visited_on", type_="date", size="3", data_testid="visit-day"),
        form_field(F, "method", "visits.method", _select("method", METHODS, "visits.method.", "visit-method")),
        form_field(F, "met", "visits.met", _select("met", MET, "visits.met.", "visit-met")),
        form_field(F, "met_name", "visits.met_name", size="3"),
        form_field(F, "topics", "visits.topics", rx.text_area(
            name="topics", default_value=F.values["topics"], rows="3", width="100%",
            placeholder=t("visits.topics_placeholder"), data_testid="visit-topics")),
        satisfaction_field(),
        *[rx.cond(F.issue_count > index, issue_block(index)) for index in range(MAX_ISSUES)],
        rx.cond(F.issue_count < MAX_ISSUES, rx.button(
            rx.icon("plus", size=16), t("visits.add_issue"), type="button", variant="soft", size="3", width="100%",
            on_click=F.add_issue, data_testid="visit-add-issue")),
    ], save_props={"size": "3"})


def reply_dialog() -> rx.Component:
    d, issue = ReplyForm, ReplyForm.subject
    return form_dialog(d, title=t("visits.reply_title"), testid="reply-form", fields=[
        rx.text(issue["room_code"].to(str), " · ", issue["text"].to(str), weight="bold"),
        notice(t("visits.promised_on"), "：", issue["promised_on"].to(str), icon="calendar-clock", size="1"),
        form_field(d, "reply", "visits.reply", rx.text_area(
            name="reply", rows="3", width="100%", placeholder=t("visits.reply_placeholder"),
            data_testid="reply-text"), hint_key="visits.reply_hint"),
    ])
