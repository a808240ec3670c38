"""Pages owners open without a staff login: answering through a one-time link, and published results.

The token in the URL is the only credential; the state keeps it backend-only and shows nothing but this
household's own questionnaire."""

from __future__ import annotations

from typing import Any

from pm_admin.core.base_state import AppState
from pm_admin.core.db import read_only, unit_of_work
from pm_admin.core.errors import DomainError, ValidationFailed
from pm_admin.core.guard import public
from pm_admin.core.i18n import translate
from pm_admin.surveys import queries
from pm_admin.surveys.services import responses
from pm_admin.surveys.services.answers import answers_from_form


class OwnerSurveyState(AppState):
    _token: str = ""
    stage: str = "loading"  # loading | answering | done | refused
    refusal: str = ""
    survey: dict[str, Any] = {}
    questions: list[dict[str, Any]] = []
    errors: dict[str, str] = {}
    form_key: int = 0

    def _tr(self, key: str, **params: Any) -> str:
        return translate(key, self.lang, **params)

    def _refuse(self, error: DomainError) -> None:
        self.stage, self.refusal, self.survey, self.questions = "refused", self._tr(error.key), {}, []

    @public
    def load(self):
        self._token = str(self.rx_router_page.params.get("token", ""))[:64]
        self.errors = {}
        try:
            with read_only() as session:
                link = responses.link_for(session, self._token)
                context = queries.link_questionnaire(session, link.plan_id, link.room_id)
        except DomainError as error:
            self._refuse(error)
            return
        self.questions = context.pop("questions")
        self.survey, self.stage = context, "answering"

    @public
    def submit(self, form: dict[str, Any]):
        if self.stage != "answering":
            return
        try:
            with unit_of_work() as session:
                responses.answer_by_link(session, token=self._token, answers=answers_from_form(form))
        except ValidationFailed as error:
            self.errors = {field: self._tr(key, **params) for field, (key, params) in error.fields.items()}
            return
        except DomainError as error:
            self._refuse(error)
            return
        self.stage, self.errors, self.questions = "done", {}, []


class PublicResultsState(AppState):
    results: dict[str, Any] = {}
    missing: bool = False

    @public
    def load(self):
        token = str(self.rx_router_page.params.get("token", ""))[:64]
        with read_only() as session:
            found = queries.public_results(session, token, self.lang)
        self.results, self.missing = found or {}, found is None
