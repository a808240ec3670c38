"""One suggestion: what was said and by whom (when known), triage, the reply, closing, the improvement action."""

from __future__ import annotations

from typing import Any, ClassVar

import reflex as rx

from pm_admin.core.base_state import ProtectedState
from pm_admin.core.db import off_loop, read_only, unit_of_work
from pm_admin.core.dialog_form import DialogForm, close_dialogs
from pm_admin.core.errors import ConcurrencyConflict, DomainError
from pm_admin.core.guard import requires
from pm_admin.core.ids import route_id
from pm_admin.core.permissions import Perm
from pm_admin.suggestions import queries
from pm_admin.suggestions.models import Outcome
from pm_admin.suggestions.services import triage

TRIAGE_MODES = tuple(Outcome)


class SuggestionState(ProtectedState):
    suggestion: dict[str, Any] = {}
    missing: bool = False
    can_manage: bool = False
    can_publish: bool = False

    def _suggestion_id(self) -> int:
        return int(self.suggestion.get("id") or 0)

    def _reload(self, suggestion_id: int) -> None:
        try:
            with read_only() as session:
                self.suggestion = queries.suggestion_detail(session, self.principal, suggestion_id, self.lang)
                self.missing = False
        except DomainError:
            self.suggestion, self.missing = {}, True

    def _load(self) -> None:
        self._reload(self._suggestion_id())

    @requires(Perm.SUGGESTIONS_VIEW)
    async def load(self):
        self.can_manage = self.principal.has(Perm.SUGGESTIONS_MANAGE)
        self.can_publish = self.can_manage and self.principal.has(Perm.NOTICES_DRAFT)
        await close_dialogs(self)
        await off_loop(self._reload, route_id(str(self.rx_router_page.params.get("suggestion_id", ""))))

    @requires(Perm.SUGGESTIONS_MANAGE)
    def close_suggestion(self):
        try:
            with unit_of_work() as session:
                triage.close(session, actor=self.principal, suggestion_id=self._suggestion_id(),
                             expected_version=int(self.suggestion.get("version") or 0))
        except ConcurrencyConflict:
            self._load()
            return rx.toast.error(self._tr("error.conflict"))
        except DomainError as error:
            return rx.toast.error(self._tr(error.key, **error.params))
        self._load()
        return rx.toast.success(self._tr("suggestions.closed"))

    @requires(Perm.SUGGESTIONS_VIEW)
    def photo(self):
        if not self.suggestion.get("has_photo"):
            return None
        return self._start_download("suggestion_slip", {"suggestion_id": self._suggestion_id()})


class _SuggestionDialog(DialogForm, mixin=True):
    """A dialog about the page's suggestion (combined with ``SuggestionState``)."""

    def _open_for(self, values: dict[str, Any]) -> None:
        self._open(values, record_id=self._suggestion_id(), version=int(self.suggestion.get("version") or 0),
                   subject={"id": self._suggestion_id()})

    def _after_save(self) -> None:
        self._reload(self._record_id)


class TriageForm(_SuggestionDialog, SuggestionState):
    """One dialog for the four outcomes; ``mode`` (kept on the server) says which."""

    mode: str = ""

    @requires(Perm.SUGGESTIONS_MANAGE)
    def open_triage(self, mode: str):
        if mode not in TRIAGE_MODES:
            return
        self.mode = mode
        self._open_for({"note": "", "original_id": "", "kind": "request", "tier": "normal"})

    @requires(Perm.SUGGESTIONS_MANAGE)
    def save(self, form: dict[str, Any]):
        mode, sid, version = self.mode, self._record_id, self._version
        note = str(form.get("note", ""))[:600]

        def write(session):
            if mode == Outcome.ACCEPTED:
                return triage.accept(session, actor=self.principal, suggestion_id=sid, expected_version=version,
                                     note=note)
            if mode == Outcome.DECLINED:
                return triage.decline(session, actor=self.principal, suggestion_id=sid, expected_version=version,
                                      reason=note)
            if mode == Outcome.DUPLICATE:
                return triage.mark_duplicate(session, actor=self.principal, suggestion_id=sid,
                                             expected_version=version, original_id=str(form.get("original_id", "")))
            return triage.open_ticket(session, actor=self.principal, suggestion_id=sid, expected_version=version,
                                      kind=str(form.get("kind", "")), tier=str(form.get("tier", "")))
        try:
            return self._submit(form, write)
        except DomainError as error:
            self._fail("note", error.key, **error.params)


class ReplyForm(_SuggestionDialog, SuggestionState):
    @requires(Perm.SUGGESTIONS_MANAGE)
    def open_reply(self):
        self._open_for({"reply": ""})

    @requires(Perm.SUGGESTIONS_MANAGE)
    def save(self, form: dict[str, Any]):
        sid, version, text = self._record_id, self._version, str(form.get("reply", ""))[:2100]
        try:
            return self._submit(form, lambda session: triage.reply(
                session, actor=self.principal, suggestion_id=sid, expected_version=version, text=text))
        except DomainError as error:
            self._fail("reply", error.key, **error.params)


class ImprovementForm(_SuggestionDialog, SuggestionState):
    _CHECKBOXES: ClassVar[frozenset[str]] = frozenset({"publish"})

    @requires(Perm.SUGGESTIONS_MANAGE)
    def open_improvement(self):
        self._open_for({"measure": self.suggestion.get("improvement", ""), "publish": False})

    @requires(Perm.SUGGESTIONS_MANAGE)
    def save(self, form: dict[str, Any]):
        sid, version = self._record_id, self._version
        data = triage.ImprovementInput(measure=str(form.get("measure", ""))[:2100],
                                       publish=form.get("publish") in (True, "on", "true"))
        try:
            return self._submit(form, lambda session: triage.set_improvement(
                session, actor=self.principal, suggestion_id=sid, expected_version=version, data=data))
        except DomainError as error:
            self._fail("measure", error.key, **error.params)
