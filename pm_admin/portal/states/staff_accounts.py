"""Staff page of owner accounts: who has one, invitations (one link, or a building's printable sheet), disabling."""

from __future__ import annotations

from typing import Any, ClassVar

import reflex as rx
from sqlmodel import Session

from pm_admin.core.base_state import ProtectedState
from pm_admin.core.db import off_loop, unit_of_work
from pm_admin.core.dialog_form import DialogForm, close_dialogs
from pm_admin.core.guard import requires
from pm_admin.core.ids import optional_id
from pm_admin.core.paged_state import PagedMixin
from pm_admin.core.paging import Page, PageRequest
from pm_admin.core.permissions import Perm
from pm_admin.core.url_filters import Picker, UrlFilters
from pm_admin.places.pickers import PLACE_KEYS, PLACE_PICKERS
from pm_admin.portal import staff_queries
from pm_admin.portal.services import accounts, invitations
from pm_admin.portal.staff_queries import AccountFilter

MANAGE = Perm.OWNER_ACCOUNTS_MANAGE


class OwnerAccountsState(UrlFilters, PagedMixin, ProtectedState):
    _PATH: ClassVar[str] = "/owner-accounts"
    _PAGE_PERMISSION: ClassVar[str] = MANAGE
    _FILTERS: ClassVar[tuple[str, ...]] = ("community", "building", "unit", "status", "q")
    _ID_FILTERS: ClassVar[frozenset[str]] = PLACE_KEYS
    _CHOICES: ClassVar[dict[str, tuple[str, ...]]] = {"status": staff_queries.STATUSES}
    _PICKERS: ClassVar[tuple[Picker, ...]] = PLACE_PICKERS

    def _fetch(self, session: Session, request: PageRequest) -> Page:
        f = self.filters
        return staff_queries.owner_accounts(session, self.principal, request, AccountFilter(
            community_id=optional_id(f.get("community")), building_id=optional_id(f.get("building")),
            unit_id=optional_id(f.get("unit")), status=f.get("status", ""), q=f.get("q", "")))

    @requires(MANAGE)
    async def load(self):
        self._start_filters()
        await off_loop(self._load)
        await close_dialogs(self)

    @requires(MANAGE)
    def enable(self, row_id: int):
        row = self._row(row_id)
        if row is None or not row["account_id"]:
            return None
        with unit_of_work() as session:
            accounts.enable(session, actor=self.principal, account_id=row["account_id"])
        self._load()
        return rx.toast.success(self._tr("common.saved"))

    @requires(MANAGE)
    def print_building(self, fmt: str):
        """The chosen building's invitation sheet (PDF to print, or XLSX)."""
        building = optional_id(self.filters.get("building"))
        if building is None:
            return rx.toast.error(self._tr("portal.choose_building_first"))
        kind = "owner_invitations_xlsx" if fmt == "xlsx" else "owner_invitations_pdf"
        return self._start_download(kind, {"building_id": building, "language": self.lang,
                                           "origin": self.router.url.origin})


class InviteForm(DialogForm, OwnerAccountsState):
    """One owner's activation link, shown once after issuing (and texted on request). ``subject``: the room, the
    name, then the link."""

    _CHECKBOXES: ClassVar[frozenset[str]] = frozenset({"send"})

    @requires(MANAGE)
    def open_invite(self, row_id: int):
        row = self._row(row_id)
        if row is not None:
            self._open({"send": False}, record_id=row["owner_id"],
                       subject={"room_code": row["room_code"], "name": row["name"], "link": ""})

    @requires(MANAGE)
    def save(self, form: dict[str, Any]):
        return self._submit(form, lambda session: invitations.invite(
            session, actor=self.principal, person_kind="owner", person_id=self._record_id,
            send=form.get("send") in (True, "on", "true")).path)

    def _saved(self, result: Any = None):
        """The dialog stays open on the link: it is shown this once (only its hash is kept)."""
        self.subject = {**self.subject, "link": self.router.url.origin + str(result)}
        self._load()
        return rx.toast.success(self._tr("portal.invitation_issued"))


class DisableForm(DialogForm, OwnerAccountsState):
    @requires(MANAGE)
    def open_disable(self, row_id: int):
        row = self._row(row_id)
        if row is not None and row["account_id"]:
            self._open({"reason": ""}, record_id=row["account_id"],
                       subject={"room_code": row["room_code"], "name": row["name"]})

    @requires(MANAGE)
    def save(self, form: dict[str, Any]):
        return self._submit(form, lambda session: accounts.disable(
            session, actor=self.principal, account_id=self._record_id, reason=str(form.get("reason", ""))))
