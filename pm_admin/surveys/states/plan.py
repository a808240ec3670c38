"""One survey plan: questionnaire builder, collection (rates, owner links, staff entry) and results."""

from __future__ import annotations

from typing import Any

import reflex as rx

from pm_admin.core.base_state import ProtectedState
from pm_admin.core.choices import select_options
from pm_admin.core.db import off_loop, read_only, unit_of_work
from pm_admin.core.dialog_form import DialogForm, close_dialogs
from pm_admin.core.errors import DomainError, ValidationFailed
from pm_admin.core.guard import requires
from pm_admin.core.ids import is_id, route_id
from pm_admin.core.permissions import Perm
from pm_admin.places.queries import community_options
from pm_admin.surveys import queries
from pm_admin.surveys.services import actions, plans, responses
from pm_admin.surveys.services.answers import answers_from_form
from pm_admin.tickets.queries import department_options


class SurveyPlanState(ProtectedState):
    plan: dict[str, Any] = {}
    missing: bool = False
    questions: list[dict[str, Any]] = []
    weights: list[dict[str, Any]] = []
    rates: list[dict[str, Any]] = []
    result: dict[str, Any] = {}
    indicators: list[dict[str, Any]] = []  # own var: a list inside `result` is undefined before load
    actions: list[dict[str, Any]] = []
    communities: list[dict[str, str]] = []
    departments: list[dict[str, str]] = []
    can_manage: bool = False
    can_enter: bool = False
    question_key: int = 0
    question_errors: dict[str, str] = {}
    entry_key: int = 0
    entry_errors: dict[str, str] = {}

    def _plan_id(self) -> int:
        return int(self.plan.get("id") or 0)

    def _reload(self, plan_id: int) -> None:
        principal = self.principal
        try:
            with read_only() as session:
                self.plan = queries.plan_summary(session, principal, plan_id)
                self.questions = queries.questions(session, plan_id)
                self.weights = queries.weights(session, principal, plan_id, self.lang)
                self.rates = queries.response_rates(session, principal, plan_id)
                result = queries.results(session, principal, plan_id, self.lang)
                self.indicators = result.pop("indicators")
                self.result = result
                self.actions = queries.actions(session, principal, plan_id, self.lang)
        except DomainError:
            self.plan, self.missing = {}, True
            return
        self.missing = False

    def _load(self) -> None:
        self._reload(self._plan_id())

    def _load_choices(self) -> None:
        with read_only() as session:
            targeted = set(plans.plan_communities(session, self._plan_id()))
            self.communities = select_options([(c, n) for c, n in community_options(session, self.principal)
                                               if c in targeted])
            self.departments = department_options(session, self.lang)

    @requires(Perm.SURVEYS_VIEW)
    async def load(self):
        principal = self.principal
        self.can_manage, self.can_enter = principal.has(Perm.SURVEYS_MANAGE), principal.has(Perm.SURVEYS_ENTER)
        self.question_errors, self.entry_errors = {}, {}
        await close_dialogs(self)
        raw = str(self.rx_router_page.params.get("plan_id", ""))
        await off_loop(self._reload, route_id(raw))
        if self.missing:
            return
        await off_loop(self._load_choices)

    def _run(self, work, success_key: str):
        """Run a service in a transaction; refusals become a toast, success reloads the plan."""
        try:
            with unit_of_work() as session:
                work(session)
        except ValidationFailed as error:
            return rx.toast.error(next(iter(self._field_messages(error).values())))
        except DomainError as error:
            return rx.toast.error(self._tr(error.key, **error.params))
        self._reload(self._plan_id())
        return rx.toast.success(self._tr(success_key))

    # ------------------------------------------------------------ questionnaire

    @requires(Perm.SURVEYS_MANAGE)
    def add_question(self, form: dict[str, Any]):
        data = plans.QuestionInput(kind=str(form.get("kind", "")), text=str(form.get("text", "")),
                                   options=str(form.get("options", "")), indicator=str(form.get("indicator", "")),
                                   required=bool(form.get("required")))
        try:
            with unit_of_work() as session:
                plans.save_question(session, actor=self.principal, plan_id=self._plan_id(), data=data)
        except ValidationFailed as error:
            self.question_errors = self._field_messages(error)
            return None
        except DomainError as error:
            return rx.toast.error(self._tr(error.key))
        self.question_errors = {}
        self.question_key += 1
        self._reload(self._plan_id())
        return None

    @requires(Perm.SURVEYS_MANAGE)
    def delete_question(self, question_id: int):
        return self._run(lambda s: plans.delete_question(s, actor=self.principal, plan_id=self._plan_id(),
                                                         question_id=int(question_id)), "common.saved")

    @requires(Perm.SURVEYS_MANAGE)
    def set_weight(self, indicator: str, weight: str):
        return self._run(lambda s: plans.set_weight(s, actor=self.principal, plan_id=self._plan_id(),
                                                    indicator=indicator, weight=weight), "common.saved")

    @requires(Perm.SURVEYS_MANAGE)
    def copy_previous(self):
        source = self.plan.get("previous_id")
        if not source:
            return rx.toast.error(self._tr("surveys.no_previous"))
        return self._run(lambda s: plans.copy_questionnaire(s, actor=self.principal, plan_id=self._plan_id(),
                                                            source_plan_id=int(source)), "surveys.copied")

    # ------------------------------------------------------------ lifecycle

    @requires(Perm.SURVEYS_MANAGE)
    def open_plan(self):
        return self._run(lambda s: plans.open_plan(s, actor=self.principal, plan_id=self._plan_id()), "surveys.opened")

    @requires(Perm.SURVEYS_MANAGE)
    def close_plan(self):
        return self._run(lambda s: actions.close_plan(s, actor=self.principal, plan_id=self._plan_id()),
                         "surveys.closed")

    @requires(Perm.SURVEYS_MANAGE)
    def publish(self):
        return self._run(lambda s: plans.publish_plan(s, actor=self.principal, plan_id=self._plan_id()),
                         "surveys.published")

    # ------------------------------------------------------------ collection

    @requires(Perm.SURVEYS_MANAGE)
    def download_links(self, community_id: str):
        if not is_id(community_id):
            return None
        return self._download("survey_links", {"community_id": int(community_id), "origin": self.router.url.origin})

    @requires(Perm.SURVEYS_VIEW)
    def export_results(self):
        return self._download("survey_results", {})

    def _download(self, kind: str, params: dict[str, Any]):
        return self._start_download(kind, {"plan_id": self._plan_id(), "language": self.lang, **params})

    @requires(Perm.SURVEYS_ENTER)
    def enter_response(self, form: dict[str, Any]):
        room_code, method = str(form.get("room_code", "")), str(form.get("method", ""))
        try:
            with unit_of_work() as session:
                responses.enter_response(session, actor=self.principal, plan_id=self._plan_id(), room_code=room_code,
                                         method=method, answers=answers_from_form(form))
        except ValidationFailed as error:
            self.entry_errors = self._field_messages(error)
            return None
        except DomainError as error:
            return rx.toast.error(self._tr(error.key))
        self.entry_errors = {}
        self.entry_key += 1
        self._reload(self._plan_id())
        return rx.toast.success(self._tr("surveys.response_saved", room=room_code.strip().upper()))



class ActionForm(DialogForm, SurveyPlanState):
    """An improvement action 整改措施: measure, department, due date, status, result. ``subject``: its community and
    indicator, for the title; its id and version stay on the server."""

    @requires(Perm.SURVEYS_MANAGE)
    def edit_action(self, action_id: int):
        row = next((a for a in self.actions if a["id"] == action_id), None)
        if row is not None:
            self._open({key: str(row[key]) for key in ("measure", "department_id", "due_on", "status", "result")},
                       record_id=row["id"], version=row["version"],
                       subject={"community": row["community"], "indicator_name": row["indicator_name"]})

    @requires(Perm.SURVEYS_MANAGE)
    def save(self, form: dict[str, Any]):
        data = actions.ActionInput(**{key: str(form.get(key, "")) for key in
                                      ("measure", "department_id", "due_on", "status", "result")})
        return self._submit(form, lambda session: actions.update_action(
            session, actor=self.principal, action_id=self._record_id, expected_version=self._version, data=data))
