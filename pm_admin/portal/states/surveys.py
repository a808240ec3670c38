"""Survey tasks in the portal: the list (tasks and published results), answering one, reading results."""

from __future__ import annotations

from typing import Any

import reflex as rx

from pm_admin.core.base_state import PortalState
from pm_admin.core.db import in_worker_thread
from pm_admin.core.errors import DomainError, ValidationFailed
from pm_admin.core.guard import requires_owner
from pm_admin.core.permissions import PortalPerm
from pm_admin.portal import surveys
from pm_admin.surveys.services.answers import answers_from_form


class PortalSurveysState(PortalState):
    tasks: list[dict] = []
    results: list[dict] = []

    @requires_owner(PortalPerm.SURVEYS)
    async def load(self):
        owner, language = self.owner, self.lang
        self.tasks, self.results = await in_worker_thread(
            lambda session: (surveys.tasks(session, owner), surveys.published(session, owner, language)))


class PortalSurveyState(PortalState):
    """One task: the questionnaire of a plan for one of the owner's rooms (plan and room from the address)."""

    stage: str = "loading"  # loading | answering | done | answered | missing | refused
    survey: dict[str, Any] = {}
    questions: list[dict[str, Any]] = []
    errors: dict[str, str] = {}
    refusal: str = ""

    def _address(self) -> tuple[str, str]:
        params = self.router.page.params
        return str(params.get("plan_id", ""))[:20], str(params.get("room_id", ""))[:20]

    @requires_owner(PortalPerm.SURVEYS)
    async def load(self):
        owner, (plan_id, room_id) = self.owner, self._address()
        view = await in_worker_thread(lambda session: surveys.questionnaire(session, owner, plan_id, room_id))
        self.errors, self.refusal = {}, ""
        if view is None:
            self.stage, self.survey, self.questions = "missing", {}, []
            return
        self.questions = view.pop("questions")
        self.survey, self.stage = view, "answered" if view["answered"] else "answering"

    @requires_owner(PortalPerm.SURVEYS)
    async def submit(self, form: dict[str, Any]):
        if self.stage != "answering":
            return None
        owner, (plan_id, room_id), answers = self.owner, self._address(), answers_from_form(form)
        try:
            await in_worker_thread(lambda session: surveys.answer(session, owner, plan_id, room_id, answers))
        except ValidationFailed as error:
            self.errors = self._field_messages(error)
            return None
        except DomainError as error:  # answered meanwhile (the link, another device), ended, not theirs
            self.stage, self.refusal, self.questions = "refused", self._tr(error.key, **error.params), []
            return None
        self.stage, self.errors, self.questions = "done", {}, []
        return rx.toast.success(self._tr("surveys.thanks"))


class PortalResultsState(PortalState):
    """A published plan's results and improvement actions for the owner's communities."""

    sections: list[dict[str, Any]] = []
    missing: bool = False

    @requires_owner(PortalPerm.SURVEYS)
    async def load(self):
        owner, language = self.owner, self.lang
        plan_id = str(self.router.page.params.get("plan_id", ""))[:20]
        found = await in_worker_thread(lambda session: surveys.results(session, owner, plan_id, language))
        self.sections, self.missing = found or [], found is None
