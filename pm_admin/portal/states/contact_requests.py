"""Staff page of owners' contact change requests: the list (community, status, owner name in the URL), approving
one (applied to the registry) and rejecting one with a reason the owner reads."""

from __future__ import annotations

from typing import Any, ClassVar

from sqlmodel import Session

from pm_admin.core.base_state import ProtectedState
from pm_admin.core.db import off_loop
from pm_admin.core.dialog_form import DialogForm, close_dialogs
from pm_admin.core.guard import requires
from pm_admin.core.ids import optional_id
from pm_admin.core.paged_state import PagedMixin
from pm_admin.core.paging import Page, PageRequest
from pm_admin.core.permissions import Perm
from pm_admin.core.url_filters import Picker, UrlFilters
from pm_admin.places.pickers import COMMUNITY_PICKER
from pm_admin.portal import staff_queries
from pm_admin.portal.services import profile
from pm_admin.portal.staff_queries import RequestFilter

EDIT = Perm.OWNERS_EDIT
SUBJECT_KEYS = ("name", "community", "rooms", "phone", "phone2", "drop_phone2", "address", "address_changed",
                "current_phone", "current_phone2", "current_address", "created_at")


class ContactRequestsState(UrlFilters, PagedMixin, ProtectedState):
    _PATH: ClassVar[str] = "/owner-requests"
    _PAGE_PERMISSION: ClassVar[str] = EDIT
    _FILTERS: ClassVar[tuple[str, ...]] = ("community", "status", "q")
    _ID_FILTERS: ClassVar[frozenset[str]] = frozenset({"community"})
    _CHOICES: ClassVar[dict[str, tuple[str, ...]]] = {"status": staff_queries.REQUEST_STATUSES}
    _PICKERS: ClassVar[tuple[Picker, ...]] = (COMMUNITY_PICKER,)

    def _filter_defaults(self) -> dict[str, str]:
        return {"status": "pending"}  # what waits for a decision

    def _fetch(self, session: Session, request: PageRequest) -> Page:
        f = self.filters
        return staff_queries.contact_requests(session, self.principal, request, RequestFilter(
            community_id=optional_id(f.get("community")), status=f.get("status", ""), q=f.get("q", "")))

    @requires(EDIT)
    async def load(self):
        self._start_filters()
        await off_loop(self._load)
        await close_dialogs(self)


def _subject(row: dict[str, Any]) -> dict[str, Any]:
    return {key: row[key] for key in SUBJECT_KEYS}


class ApproveForm(DialogForm, ContactRequestsState):
    """Approve: the changes shown (phones masked) beside what is stored now; saving applies them."""

    _SAVED: ClassVar[str] = "portal.request_approved"

    @requires(EDIT)
    def open_approve(self, row_id: int):
        row = self._row(row_id)
        if row is not None and row["status"] == "pending":
            self._open({}, record_id=row["id"], version=row["version"], subject=_subject(row))

    @requires(EDIT)
    def save(self, form: dict[str, Any]):
        return self._submit(form, lambda session: profile.approve(
            session, actor=self.principal, request_id=self._record_id, expected_version=self._version))


class RejectForm(DialogForm, ContactRequestsState):
    _SAVED: ClassVar[str] = "portal.request_rejected"

    @requires(EDIT)
    def open_reject(self, row_id: int):
        row = self._row(row_id)
        if row is not None and row["status"] == "pending":
            self._open({"reason": ""}, record_id=row["id"], version=row["version"], subject=_subject(row))

    @requires(EDIT)
    def save(self, form: dict[str, Any]):
        return self._submit(form, lambda session: profile.reject(
            session, actor=self.principal, request_id=self._record_id, expected_version=self._version,
            reason=str(form.get("reason", ""))))
