"""The access-request queue: the approver's pending requests and active grants, and one's own requests."""

from __future__ import annotations

from typing import Any, ClassVar

import reflex as rx
from sqlmodel import Session

from pm_admin.archives import queries
from pm_admin.archives.services import access as archive_access
from pm_admin.core.base_state import ProtectedState
from pm_admin.core.dialog_form import DialogForm, close_dialogs
from pm_admin.core.guard import requires
from pm_admin.core.paged_state import PagedMixin, first_pages
from pm_admin.core.paging import Page, PageRequest
from pm_admin.core.permissions import Perm


class AccessRequestsState(ProtectedState):
    can_approve: bool = False

    @requires(Perm.ARCHIVES_REQUEST)
    async def load(self):
        self.can_approve = self.principal.has(Perm.ARCHIVES_APPROVE)
        await close_dialogs(self)
        await first_pages(self, *REQUEST_LISTS)


class PendingList(PagedMixin, AccessRequestsState):
    _PAGE_PERMISSION: ClassVar[str] = Perm.ARCHIVES_APPROVE

    def _fetch(self, session: Session, request: PageRequest) -> Page:
        if not self.can_approve:
            return Page(rows=[], total=0, page=1, page_size=request.page_size)
        return queries.pending_requests(session, self.principal, request)


class ActiveList(PagedMixin, AccessRequestsState):
    _PAGE_PERMISSION: ClassVar[str] = Perm.ARCHIVES_APPROVE

    def _fetch(self, session: Session, request: PageRequest) -> Page:
        if not self.can_approve:
            return Page(rows=[], total=0, page=1, page_size=request.page_size)
        return queries.active_grants(session, self.principal, request)


class MineList(PagedMixin, AccessRequestsState):
    _PAGE_PERMISSION: ClassVar[str] = Perm.ARCHIVES_REQUEST

    def _fetch(self, session: Session, request: PageRequest) -> Page:
        return queries.my_requests(session, self.principal, None, request)


REQUEST_LISTS = (PendingList, ActiveList, MineList)


class DecisionForm(DialogForm, AccessRequestsState):
    """Approve, reject or revoke a request, with a note. ``subject``: approve / revoke, for the title, and the
    request it decides (archive, requester, reason) as the approver's lists show it, so the dialog names it."""

    @requires(Perm.ARCHIVES_APPROVE)
    async def open_decision(self, request_id: int, approve: bool, revoke: bool = False):
        # A crafted id names nothing (it is on none of the lists); deciding checks scope and the approver anyway.
        row = (await self.get_state(PendingList))._row(request_id) \
            or (await self.get_state(ActiveList))._row(request_id) or {}
        self._open({"note": ""}, record_id=request_id, subject={
            "approve": bool(approve), "revoke": bool(revoke), "archive_no": row.get("archive_no", ""),
            "requester": row.get("requester_name", ""), "reason": row.get("reason", "")})

    @requires(Perm.ARCHIVES_APPROVE)
    def decide(self, form: dict[str, Any]):
        note = str(form.get("note", ""))

        def write(session):
            if self.subject.get("revoke"):
                archive_access.revoke_grant(session, actor=self.principal, request_id=self._record_id, note=note)
            else:
                archive_access.decide_request(session, actor=self.principal, request_id=self._record_id,
                                        approve=bool(self.subject.get("approve")), note=note)

        return self._submit(form, write)

    def _saved(self, result: Any = None):
        self._close()
        return [rx.toast.success(self._tr(self._SAVED)), *[requests.refresh for requests in REQUEST_LISTS]]
