"""走访: tasks, visit records and promised replies of the user's communities, one view at a time."""

from __future__ import annotations

import reflex as rx

from pm_admin.ui.filters import choose, filter_bar, pick, search, switch
from pm_admin.ui.forms import notice
from pm_admin.ui.i18n import t, t_prefixed
from pm_admin.ui.table import Column, data_table
from pm_admin.visits.models import Method, PlanKind
from pm_admin.visits.pages.visit_form import reply_dialog, visit_dialog
from pm_admin.visits.queries import REPLY_STATES, TASK_STATES
from pm_admin.visits.states.visits import VIEWS, ReplyForm, VisitForm, VisitsState

S = VisitsState
VIEW = S.filters["view"].to(str)
TASK_COLORS = {"open": "blue", "done": "green", "missed": "red"}
REPLY_COLORS = {"waiting": "gray", "due": "orange", "overdue": "red", "replied": "green"}


def view_switch() -> rx.Component:
    return rx.segmented_control.root(
        *[rx.segmented_control.item(t(f"visits.view.{view}"), value=view, data_testid=f"visits-view-{view}")
          for view in VIEWS],
        value=VIEW, on_change=lambda value: S.set_filter("view", value), data_testid="visits-view")


def _badge(prefix: str, value: rx.Var, colors: dict[str, str], testid: str) -> rx.Component:
    return rx.badge(t_prefixed(prefix, value), color_scheme=rx.match(value, *colors.items(), "gray"),
                    data_testid=testid)


def task_columns() -> list[Column]:
    return [
        Column("ends_on", "visits.col.due", sortable=True),
        Column("kind", "visits.kind", render=lambda r: rx.text(t_prefixed("visits.kind.", r["kind"]), size="2")),
        Column("label", "visits.col.subject"),
        Column("community", "places.community"),
        Column("assignee", "visits.col.assignee"),
        Column("visits", "visits.col.progress", render=lambda r: rx.text(
            r["visits"], " / ", r["target"], size="2", data_testid="task-progress")),
        Column("state", "common.status", render=lambda r: _badge("visits.task_state.", r["state"], TASK_COLORS,
                                                                 "task-state")),
    ]


def _issue_line(issue: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.badge(t_prefixed("visits.action.", issue["action"]), variant="outline"),
        rx.text(issue["text"], size="1"),
        rx.cond(issue["ticket_id"].to(int) > 0, rx.link(issue["ticket_code"], href="/tickets/" + issue["ticket_id"].to(
            str), size="1", data_testid="issue-ticket")),
        rx.cond(issue["suggestion_id"].to(int) > 0, rx.link(t("visits.open_suggestion"), href="/suggestions/" + issue[
            "suggestion_id"].to(str), size="1", data_testid="issue-suggestion")),
        rx.cond(issue["promised_on"].to(str) != "", rx.badge(t("visits.promised_short"), " ", issue["promised_on"],
                                                             color_scheme="orange", variant="soft")),
        spacing="2", align="center", wrap="wrap")


def record_columns() -> list[Column]:
    return [
        Column("visited_on", "visits.visited_on", sortable=True),
        Column("room_code", "visits.room"),
        Column("visitor", "visits.col.visitor"),
        Column("method", "visits.method", render=lambda r: rx.text(t_prefixed("visits.method.", r["method"]), size="2")),
        Column("met", "visits.met", render=lambda r: rx.text(t_prefixed("visits.met.", r["met"]), " ", r["met_name"],
                                                             size="2")),
        Column("satisfaction", "visits.satisfaction"),
        Column("topics", "visits.topics", render=lambda r: rx.vstack(
            rx.text(r["topics"], size="2"),
            rx.foreach(r["issues"].to(list[dict]), _issue_line), spacing="1")),
    ]


def reply_columns() -> list[Column]:
    return [
        Column("promised_on", "visits.promised_on", sortable=True),
        Column("room_code", "visits.room"),
        Column("text", "visits.issue"),
        Column("ticket_code", "visits.col.became", render=lambda r: rx.cond(
            r["ticket_id"].to(int) > 0, rx.link(r["ticket_code"], href="/tickets/" + r["ticket_id"].to(str), size="2"),
            rx.text(t_prefixed("visits.action.", r["action"]), size="2"))),
        Column("visitor", "visits.col.visitor"),
        Column("state", "common.status", render=lambda r: rx.vstack(
            _badge("visits.reply_state.", r["state"], REPLY_COLORS, "reply-state"),
            rx.cond(r["reply"].to(str) != "", rx.text(r["reply"], " · ", r["replied_by"], size="1",
                                                      color_scheme="gray")), spacing="1")),
    ]


def task_actions(row: rx.Var) -> rx.Component:
    return rx.cond(S.can_record & (row["state"] == "open"), rx.button(
        t("visits.record_visit"), size="2", variant="soft", white_space="nowrap",
        on_click=VisitForm.open_for_task(row["id"]), data_testid="task-record"))


def reply_actions(row: rx.Var) -> rx.Component:
    return rx.cond(S.can_record & (row["state"] != "replied"), rx.button(
        t("visits.reply"), size="2", variant="soft", white_space="nowrap", on_click=ReplyForm.open_reply(row["id"]),
        data_testid="reply-open"))


def filters() -> rx.Component:
    def states(values: tuple[str, ...]) -> list[dict[str, str]]:
        return [{"value": value} for value in values]

    return filter_bar(
        S, rx.cond(VIEW != "replies", search(S, "visits.search_room", key="room", testid="visits-room-search",
                                             width="180px")),
        pick(S, "community", "shell.all_communities"),
        rx.cond(VIEW == "tasks", rx.hstack(
            choose(S, "kind", [{"value": str(k)} for k in PlanKind], "visits.all_kinds", label_prefix="visits.kind."),
            choose(S, "state", states(TASK_STATES), "visits.all_states", label_prefix="visits.task_state."),
            spacing="3")),
        rx.cond(VIEW == "records", choose(S, "method", [{"value": str(m)} for m in Method], "visits.all_methods",
                                          label_prefix="visits.method.")),
        rx.cond(VIEW == "replies", choose(S, "state", states(REPLY_STATES), "visits.all_states",
                                          label_prefix="visits.reply_filter.")),
        switch(S, "mine", "visits.mine"),
        end=[rx.cond(S.can_record, rx.button(rx.icon("plus", size=14), t("visits.record_visit"), size="3",
                                             on_click=VisitForm.open_new, data_testid="new-visit"))])


def visits_page() -> rx.Component:
    return rx.fragment(rx.vstack(
        notice(t("visits.explain"), icon="info", size="1"),
        view_switch(),
        filters(),
        rx.match(VIEW,
                 ("records", data_table(S, record_columns(), testid="visit-records", min_width="760px")),
                 ("replies", data_table(S, reply_columns(), testid="visit-replies", actions=reply_actions,
                                        min_width="760px")),
                 data_table(S, task_columns(), testid="visit-tasks", actions=task_actions, min_width="760px")),
        spacing="4", width="100%"), visit_dialog(), reply_dialog())
