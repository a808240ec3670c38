"""走访 (/visits): the tasks, the visit records and the promised replies (one list, its view and filters in the URL),
the visit form (usable on a phone) and the reply dialog."""

from __future__ import annotations

from typing import Any, ClassVar

import reflex as rx
from sqlmodel import Session

from pm_admin.core.base_state import ProtectedState
from pm_admin.core.clock import local_today
from pm_admin.core.db import off_loop, read_only
from pm_admin.core.dialog_form import DialogForm, close_dialogs
from pm_admin.core.guard import requires
from pm_admin.core.ids import optional_id
from pm_admin.core.paged_state import PagedMixin
from pm_admin.core.paging import Page, PageRequest
from pm_admin.core.permissions import Perm
from pm_admin.core.url_filters import Picker, UrlFilters
from pm_admin.places.pickers import COMMUNITY_PICKER
from pm_admin.tickets.queries import category_options
from pm_admin.visits import queries
from pm_admin.visits.models import IssueAction, Met, Method, PlanKind
from pm_admin.visits.services import records, replies

VIEWS = ("tasks", "records", "replies")
STATES = {"tasks": queries.TASK_STATES, "records": (), "replies": queries.REPLY_STATES}
ISSUE_FIELDS = ("text", "action", "category", "kind", "promised")


class VisitsState(UrlFilters, PagedMixin, ProtectedState):
    _PAGE_PERMISSION: ClassVar[str] = Perm.VISITS_VIEW
    _PATH: ClassVar[str] = "/visits"
    _FILTERS: ClassVar[tuple[str, ...]] = ("view", "community", "kind", "state", "method", "mine", "room")
    _ID_FILTERS: ClassVar[frozenset[str]] = frozenset({"community"})
    _FLAGS: ClassVar[frozenset[str]] = frozenset({"mine"})
    _CHOICES: ClassVar[dict[str, tuple[str, ...]]] = {
        "view": VIEWS, "kind": tuple(PlanKind), "method": tuple(Method),
        "state": tuple(dict.fromkeys((*queries.TASK_STATES, *queries.REPLY_STATES)))}
    _PICKERS: ClassVar[tuple[Picker, ...]] = (COMMUNITY_PICKER,)
    can_record: bool = False

    def _filter_defaults(self) -> dict[str, str]:
        """Open tasks; a steward's or cs's own, everything for a manager or an executive."""
        own = self.principal.has(Perm.VISITS_RECORD) and not self.principal.has(Perm.VISITS_PLAN)
        return {"view": "tasks", "state": "open", "mine": "1" if own else ""}

    def _filters_changed(self) -> None:
        """A state the new view does not have starts over from open."""
        view = self.filters.get("view") or "tasks"
        if self.filters.get("state") and self.filters["state"] not in STATES[view]:
            self.filters = {**self.filters, "state": "open" if STATES[view] else ""}

    def _fetch(self, session: Session, request: PageRequest) -> Page:
        f, principal = self.filters, self.principal
        community = optional_id(f.get("community"))
        if f.get("view") == "records":
            return queries.records(session, principal, request, queries.RecordFilter(
                community_id=community, method=f.get("method", ""), mine=f.get("mine") == "1",
                room=f.get("room", "")))
        if f.get("view") == "replies":
            return queries.replies(session, principal, request, queries.ReplyFilter(
                community_id=community, state=f.get("state", ""), mine=f.get("mine") == "1"))
        return queries.tasks(session, principal, request, queries.TaskFilter(
            community_id=community, kind=f.get("kind", ""), state=f.get("state", ""), mine=f.get("mine") == "1",
            room=f.get("room", "")))

    @requires(Perm.VISITS_VIEW)
    async def load(self):
        self.can_record = self.principal.has(Perm.VISITS_RECORD)
        await close_dialogs(self)
        self._start_filters()
        self._filters_changed()
        await off_loop(self._load)


def _blank_issue(index: int) -> dict[str, str]:
    return {records.issue_field("text", index): "", records.issue_field("action", index): IssueAction.ANSWERED.value,
            records.issue_field("category", index): "", records.issue_field("kind", index): "request",
            records.issue_field("promised", index): ""}


class VisitForm(DialogForm, VisitsState):
    """A visit of one household: opened blank, or from a task with its room (or its building's code) filled in.
    Issues are added one by one (up to five); what each becomes decides which of its fields show."""

    _SAVED: ClassVar[str] = "visits.recorded"
    category_choices: list[dict[str, str]] = []
    issue_count: int = 0
    issue_actions: list[str] = []

    def _open_visit(self, room_code: str, task: str = "") -> None:
        with read_only() as session:
            self.category_choices = [{"value": c["value"], "label": c["label"]}
                                     for c in category_options(session, self.lang)]
        values = {"room_code": room_code, "visited_on": local_today().isoformat(), "method": Method.DOOR.value,
                  "met": Met.OWNER.value, "met_name": "", "topics": "", "satisfaction": ""}
        for index in range(records.MAX_ISSUES):
            values |= _blank_issue(index)
        self.issue_count, self.issue_actions = 0, [IssueAction.ANSWERED.value] * records.MAX_ISSUES
        self._open(values, subject={"task": task})

    @requires(Perm.VISITS_RECORD)
    def open_new(self):
        self._open_visit("")

    @requires(Perm.VISITS_RECORD)
    def open_for_task(self, task_id: int):
        """Only a task of the list on screen (an id the page was not shown opens nothing)."""
        row = self._row(task_id) if self.filters.get("view", "tasks") == "tasks" else None
        if row is None:
            return rx.toast.error(self._tr("visits.task_not_listed"))
        self._open_visit(row["room_code"], row["label"])
        return None

    @requires(Perm.VISITS_RECORD)
    def add_issue(self):
        self.issue_count = min(records.MAX_ISSUES, self.issue_count + 1)

    @requires(Perm.VISITS_RECORD)
    def set_issue_action(self, index: int, action: str):
        position = int(index) if str(index).isdigit() else -1  # a crafted index changes nothing
        if 0 <= position < records.MAX_ISSUES and action in tuple(IssueAction):
            self.issue_actions = [action if n == position else old for n, old in enumerate(self.issue_actions)]

    def _input(self, form: dict[str, Any]) -> records.VisitInput:
        def issue(index: int) -> records.IssueInput:
            value = {name: str(form.get(records.issue_field(name, index), "")) for name in ISSUE_FIELDS}
            return records.IssueInput(text=value["text"], action=value["action"] or IssueAction.ANSWERED.value,
                                      category_id=value["category"], ticket_kind=value["kind"] or "request",
                                      promised_on=value["promised"])
        return records.VisitInput(
            room_code=str(form.get("room_code", "")), visited_on=str(form.get("visited_on", "")),
            method=str(form.get("method", "")), met=str(form.get("met", "")), met_name=str(form.get("met_name", "")),
            topics=str(form.get("topics", "")), satisfaction=str(form.get("satisfaction", "")),
            issues=[issue(index) for index in range(self.issue_count)])

    @requires(Perm.VISITS_RECORD)
    def save(self, form: dict[str, Any]):
        data = self._input(form)
        return self._submit(form, lambda session: records.record_visit(session, actor=self.principal, data=data).id)


class ReplyForm(DialogForm, VisitsState):
    """The reply given for a promise of the list on screen; its id and version stay on the server."""

    _SAVED: ClassVar[str] = "visits.replied"

    @requires(Perm.VISITS_RECORD)
    def open_reply(self, issue_id: int):
        row = self._row(issue_id) if self.filters.get("view") == "replies" else None
        if row is None:
            return rx.toast.error(self._tr("visits.task_not_listed"))
        self._open({"reply": ""}, record_id=int(issue_id), version=int(row["version"]),
                   subject={"room_code": row["room_code"], "text": row["text"], "promised_on": row["promised_on"]})
        return None

    @requires(Perm.VISITS_RECORD)
    def save(self, form: dict[str, Any]):
        text = str(form.get("reply", ""))
        return self._submit(form, lambda session: replies.reply(
            session, actor=self.principal, issue_id=self._record_id, expected_version=self._version, text=text))
