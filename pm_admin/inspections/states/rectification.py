"""One rectification: the hazard, who must put it right by when, the rechecks; a manager names the party and the
deadline, whoever inspects rechecks it (passed: closed with a photo; not: a new deadline)."""

from __future__ import annotations

from typing import Any, ClassVar

import reflex as rx

from pm_admin.core.base_state import ProtectedState
from pm_admin.core.db import off_loop, read_only
from pm_admin.core.dialog_form import DialogForm, close_dialogs
from pm_admin.core.errors import DomainError
from pm_admin.core.guard import requires
from pm_admin.core.ids import route_id
from pm_admin.core.permissions import Perm
from pm_admin.inspections.queries.rectifications import rectification_detail
from pm_admin.inspections.services import rectifications
from pm_admin.inspections.services.common import PHOTO_PURPOSE
from pm_admin.tickets.queries import department_options
from pm_admin.ui.uploads import upload_refusal, upload_script

RECHECK_PHOTO = "recheck-photo"


class RectificationState(ProtectedState):
    rectification: dict[str, Any] = {}
    missing: bool = False
    can_manage: bool = False
    can_work: bool = False

    def _id(self) -> int:
        return int(self.rectification.get("id") or 0)

    def _reload(self, rectification_id: int) -> None:
        try:
            with read_only() as session:
                self.rectification = rectification_detail(session, self.principal, rectification_id, self.lang)
                self.missing = False
        except DomainError:
            self.rectification, self.missing = {}, True

    def _load(self) -> None:
        self._reload(self._id())

    @requires(Perm.INSPECTIONS_VIEW)
    async def load(self):
        self.can_manage = self.principal.has(Perm.INSPECTIONS_MANAGE)
        self.can_work = self.principal.has(Perm.INSPECTIONS_WORK)
        await close_dialogs(self)
        await off_loop(self._reload, route_id(str(self.rx_router_page.params.get("rectification_id", ""))))

    @requires(Perm.INSPECTIONS_VIEW)
    def answer_photo(self):
        if not self.rectification.get("answer_has_photo"):
            return None
        return self._start_download("inspection_photo", {"of": "answer", "id": int(self.rectification["answer_id"])})

    @requires(Perm.INSPECTIONS_VIEW)
    def check_photo(self, check_id: int):
        if not any(c["id"] == check_id and c["has_photo"] for c in self.rectification.get("checks", [])):
            return None
        return self._start_download("inspection_photo", {"of": "check", "id": int(check_id)})


class _RectificationDialog(DialogForm, mixin=True):
    def _open_for(self, values: dict[str, Any]) -> None:
        self._open(values, record_id=self._id(), version=int(self.rectification.get("version") or 0),
                   subject={"code": self.rectification.get("code", "")})

    def _after_save(self) -> None:
        self._reload(self._record_id)


class PartyForm(_RectificationDialog, RectificationState):
    """Who must put it right (a household by its room, a contractor, a department), by when, and how."""

    department_choices: list[dict[str, str]] = []

    @requires(Perm.INSPECTIONS_MANAGE)
    def open_party(self):
        with read_only() as session:
            self.department_choices = department_options(session, self.lang)
        r = self.rectification
        self._open_for({"responsible": r.get("responsible", "department"), "room_code": r.get("room_code", ""),
                        "department_id": r.get("department_id", ""), "contractor": r.get("contractor", ""),
                        "deadline": r.get("deadline", ""), "requirement": r.get("requirement", "")})

    @requires(Perm.INSPECTIONS_MANAGE)
    def save(self, form: dict[str, Any]):
        rid, version = self._record_id, self._version
        data = rectifications.PartyInput(**{key: str(form.get(key, ""))[:600] for key in (
            "responsible", "room_code", "department_id", "contractor", "deadline", "requirement")})
        try:
            return self._submit(form, lambda session: rectifications.update_party(
                session, actor=self.principal, rectification_id=rid, expected_version=version, data=data))
        except DomainError as error:
            self._fail("responsible", error.key, **error.params)


class RecheckForm(_RectificationDialog, RectificationState):
    """复查: passed (a photo of the work done closes it) or not (what is still wrong and a new deadline)."""

    _SAVED: ClassVar[str] = "inspections.rechecked"
    _pending: dict[str, str] = {}  # the form while its photo uploads

    @requires(Perm.INSPECTIONS_WORK)
    def open_recheck(self):
        self._open_for({"result": "", "note": "", "new_deadline": ""})

    @requires(Perm.INSPECTIONS_WORK)
    def save(self, form: dict[str, Any]):
        """The photo (when one is chosen) first, to the private upload route, then ``store`` with its id."""
        self._require_open()
        self._pending = {key: str(form.get(key, ""))[:600] for key in ("result", "note", "new_deadline")}
        return rx.call_script(upload_script(RECHECK_PHOTO, PHOTO_PURPOSE), callback=RecheckForm.store)

    @requires(Perm.INSPECTIONS_WORK)
    def store(self, answer: dict[str, Any]):
        form, self._pending = self._pending, {}
        if not form:
            return None  # a crafted store without a save
        refusal = upload_refusal(answer)
        if refusal is not None and refusal[0] != "files.none":  # no photo chosen: the service says if one is needed
            self._keep_input(form)
            self._fail("photo", refusal[0], **refusal[1])
            return None
        upload_id = "" if refusal is not None else str(answer.get("upload_id", ""))
        rid, version = self._record_id, self._version
        data = rectifications.RecheckInput(result=form["result"], note=form["note"],
                                           new_deadline=form["new_deadline"])
        try:
            return self._submit(form, lambda session: rectifications.recheck(
                session, actor=self.principal, rectification_id=rid, expected_version=version, data=data,
                photo_upload_id=upload_id))
        except DomainError as error:
            self._fail("result", error.key, **error.params)
