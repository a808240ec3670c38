"""The meetings list: filters in the URL, the quarterly reminder, the new-meeting dialog."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any, ClassVar

import reflex as rx
from sqlmodel import Session

from pm_admin.core.base_state import ProtectedState
from pm_admin.core.choices import select_options
from pm_admin.core.clock import local_today
from pm_admin.core.db import off_loop, read_only
from pm_admin.core.dialog_form import DialogForm, close_dialogs
from pm_admin.core.guard import requires
from pm_admin.core.ids import optional_id
from pm_admin.core.paged_state import PagedMixin
from pm_admin.core.paging import Page, PageRequest
from pm_admin.core.permissions import Perm
from pm_admin.core.url_filters import Picker, UrlFilters
from pm_admin.meetings import queries
from pm_admin.meetings.models import MeetingKind, MeetingStatus
from pm_admin.meetings.services import meetings as services
from pm_admin.places.pickers import COMMUNITY_PICKER
from pm_admin.places.queries import community_options

MEETING_FIELDS = ("community_id", "kind", "topic", "title", "starts_at", "place", "agenda")


class MeetingsState(UrlFilters, PagedMixin, ProtectedState):
    _PAGE_PERMISSION: ClassVar[str] = Perm.MEETINGS_VIEW
    _PATH: ClassVar[str] = "/meetings"
    _FILTERS: ClassVar[tuple[str, ...]] = ("community", "kind", "status")
    _ID_FILTERS: ClassVar[frozenset[str]] = frozenset({"community"})
    _CHOICES: ClassVar[dict[str, tuple[str, ...]]] = {"kind": tuple(MeetingKind), "status": tuple(MeetingStatus)}
    _PICKERS: ClassVar[tuple[Picker, ...]] = (COMMUNITY_PICKER,)
    can_manage: bool = False
    missing_quarterly: list[dict[str, Any]] = []
    overdue_actions: int = 0

    def _fetch(self, session: Session, request: PageRequest) -> Page:
        f = self.filters
        return queries.meetings(session, self.principal, request, queries.MeetingFilter(
            community_id=optional_id(f.get("community")), kind=f.get("kind", ""), status=f.get("status", "")),
            self.lang)

    def _load(self) -> None:
        super()._load()
        with read_only() as session:
            self.missing_quarterly = queries.quarters_without_meeting(session, self.principal, local_today())
            self.overdue_actions = queries.overdue_actions(session, self.principal, local_today())

    @requires(Perm.MEETINGS_VIEW)
    async def load(self):
        self.can_manage = self.principal.has(Perm.MEETINGS_MANAGE)
        await close_dialogs(self)
        self._start_filters()
        await off_loop(self._load)


def _next_afternoon() -> str:
    return datetime.combine(local_today() + timedelta(days=7), time(14, 0)).strftime("%Y-%m-%dT%H:%M")


class NewMeetingForm(DialogForm, MeetingsState):
    """A meeting: community, kind (and topic), title, time, place, agenda (one item a line)."""

    community_choices: list[dict[str, str]] = []

    @requires(Perm.MEETINGS_MANAGE)
    def open_new(self, kind: str = MeetingKind.QUARTERLY.value, community_id: str = ""):
        with read_only() as session:
            self.community_choices = select_options(community_options(session, self.principal))
        community = community_id or self.filters.get("community") or (
            self.community_choices[0]["value"] if self.community_choices else "")
        kind = kind if kind in tuple(MeetingKind) else MeetingKind.QUARTERLY.value
        self._open({"community_id": str(community), "kind": kind, "topic": "", "title": self._tr(
            f"meetings.default_title.{kind}"), "starts_at": _next_afternoon(), "place": "",
            "agenda": self._tr("meetings.default_agenda") if kind == MeetingKind.QUARTERLY else ""})

    @requires(Perm.MEETINGS_MANAGE)
    def save(self, form: dict[str, Any]):
        data = services.MeetingInput(**{key: str(form.get(key, "")) for key in MEETING_FIELDS})
        return self._submit(form, lambda session: services.create_meeting(session, actor=self.principal,
                                                                           data=data).id)

    def _saved(self, result: Any = None):
        self._close()
        return rx.redirect(f"/meetings/{result}")
