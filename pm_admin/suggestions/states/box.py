"""The suggestion box list (filters in the URL) and the dialog that enters a slip, a visit's or a meeting's
suggestion, with the slip's photo."""

from __future__ import annotations

from typing import Any, ClassVar

import reflex as rx
from sqlmodel import Session

from pm_admin.core.base_state import ProtectedState
from pm_admin.core.choices import select_options
from pm_admin.core.db import off_loop, read_only
from pm_admin.core.dialog_form import DialogForm, close_dialogs
from pm_admin.core.guard import requires
from pm_admin.core.ids import optional_id
from pm_admin.core.paged_state import PagedMixin
from pm_admin.core.paging import Page, PageRequest
from pm_admin.core.permissions import Perm
from pm_admin.core.url_filters import Picker, UrlFilters
from pm_admin.places.pickers import COMMUNITY_PICKER
from pm_admin.places.queries import community_options
from pm_admin.suggestions import queries
from pm_admin.suggestions.models import Outcome, SuggestionChannel, SuggestionStatus
from pm_admin.suggestions.services import intake
from pm_admin.tickets.queries import category_options
from pm_admin.ui.uploads import upload_refusal, upload_script

SLIP_INPUT = "suggestion-photo"
SLIP_FIELDS = ("community_id", "channel", "category_id", "content", "room_code", "submitter_name", "source")


class SuggestionsState(UrlFilters, PagedMixin, ProtectedState):
    _PAGE_PERMISSION: ClassVar[str] = Perm.SUGGESTIONS_VIEW
    _PATH: ClassVar[str] = "/suggestions"
    _FILTERS: ClassVar[tuple[str, ...]] = ("community", "status", "outcome", "channel", "overdue")
    _ID_FILTERS: ClassVar[frozenset[str]] = frozenset({"community"})
    _FLAGS: ClassVar[frozenset[str]] = frozenset({"overdue"})
    _CHOICES: ClassVar[dict[str, tuple[str, ...]]] = {"status": tuple(SuggestionStatus), "outcome": tuple(Outcome),
                                                       "channel": tuple(SuggestionChannel)}
    _PICKERS: ClassVar[tuple[Picker, ...]] = (COMMUNITY_PICKER,)
    can_manage: bool = False

    def _fetch(self, session: Session, request: PageRequest) -> Page:
        f = self.filters
        return queries.suggestions(session, self.principal, request, queries.SuggestionFilter(
            community_id=optional_id(f.get("community")), status=f.get("status", ""), outcome=f.get("outcome", ""),
            channel=f.get("channel", ""), overdue=f.get("overdue") == "1"), self.lang)

    @requires(Perm.SUGGESTIONS_VIEW)
    async def load(self):
        self.can_manage = self.principal.has(Perm.SUGGESTIONS_MANAGE)
        await close_dialogs(self)
        self._start_filters()
        await off_loop(self._load)


class SlipForm(DialogForm, SuggestionsState):
    community_choices: list[dict[str, str]] = []
    category_choices: list[dict[str, str]] = []
    _pending: dict[str, str] = {}

    @requires(Perm.SUGGESTIONS_MANAGE)
    def open_new(self):
        with read_only() as session:
            self.community_choices = select_options(community_options(session, self.principal))
            self.category_choices = [{"value": c["value"], "label": c["label"]}
                                     for c in category_options(session, self.lang)]
        community = self.filters.get("community") or (
            self.community_choices[0]["value"] if self.community_choices else "")
        self._open({"community_id": str(community), "channel": SuggestionChannel.BOX.value, "category_id": "",
                    "content": "", "room_code": "", "submitter_name": "", "source": ""})

    @requires(Perm.SUGGESTIONS_MANAGE)
    def save(self, form: dict[str, Any]):
        """First the photo (when one is chosen) to the private upload route, then ``store`` with its id."""
        self._require_open()
        self._pending = {key: str(form.get(key, ""))[:2000] for key in SLIP_FIELDS}
        return rx.call_script(upload_script(SLIP_INPUT, intake.SLIP_PURPOSE), callback=SlipForm.store)

    @requires(Perm.SUGGESTIONS_MANAGE)
    def store(self, answer: dict[str, Any]):
        form, self._pending = self._pending, {}
        if not form:
            return None  # a crafted store without a save
        refusal = upload_refusal(answer)
        if refusal is not None and refusal[0] != "files.none":  # no photo chosen is fine
            self._keep_input(form)
            self._fail("photo", refusal[0], **refusal[1])
            return None
        upload_id = "" if refusal is not None else str(answer.get("upload_id", ""))
        data = intake.SuggestionInput(**form)
        return self._submit(form, lambda session: intake.enter_suggestion(
            session, actor=self.principal, data=data, photo_upload_id=upload_id).id)

    def _saved(self, result: Any = None):
        self._close()
        return [rx.toast.success(self._tr("suggestions.entered", id=result)), rx.redirect(f"/suggestions/{result}")]
