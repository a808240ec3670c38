"""Arrears page state: open cases (overdue first), follow-ups, balances, coverage, import."""

from __future__ import annotations

from typing import Any, ClassVar

import reflex as rx

from pm_admin.arrears import queries, services
from pm_admin.arrears.files import ARREARS_PURPOSE
from pm_admin.core.base_state import ProtectedState
from pm_admin.core.db import read_only, unit_of_work
from pm_admin.core.errors import ConcurrencyConflict, DomainError, ValidationFailed
from pm_admin.core.files import discard_upload, read_upload
from pm_admin.core.guard import requires
from pm_admin.core.paged_state import PagedMixin
from pm_admin.core.permissions import Perm, Role
from pm_admin.dashboards.periods import local_today
from pm_admin.places.queries import room_id_by_code
from pm_admin.ui.uploads import upload_refusal, upload_script

IMPORT_INPUT = "arrears-import-file"


class ArrearsState(PagedMixin, ProtectedState):
    _PAGE_PERMISSION: ClassVar[str] = Perm.ARREARS_VIEW
    overdue_only: bool = False
    mine: bool = False
    coverage: dict[str, Any] = {}
    can_manage: bool = False
    can_follow_up: bool = False
    # dialogs: "follow_up" | "balance" | "history"
    dialog: str = ""
    dialog_key: int = 0
    target: dict[str, Any] = {}
    history: list[dict[str, Any]] = []
    errors: dict[str, str] = {}
    import_errors: list[dict[str, Any]] = []
    import_message: str = ""

    def _load(self) -> None:
        principal = self.principal
        with read_only() as session:
            self._show(queries.cases(session, principal, self._page_request(),
                                     queries.CaseFilter(overdue_only=self.overdue_only, mine=self.mine)))
            figure = queries.coverage_on(session, principal, local_today())
        self.coverage = {"open": figure.open_cases, "covered": figure.covered, "due": figure.due,
                         "overdue": figure.overdue,
                         "percent": "–" if figure.percent is None else f"{figure.percent:.0f}%"}

    @requires(Perm.ARREARS_VIEW)
    def load(self):
        principal = self.principal
        self.can_manage = principal.has(Perm.ARREARS_MANAGE)
        self.can_follow_up = principal.has(Perm.ARREARS_FOLLOW_UP)
        self.mine = Role.MANAGER not in principal.roles  # cs and stewards start with the cases assigned to them
        self.dialog, self.import_errors, self.import_message = "", [], ""
        if self.can_manage:
            # Balances that crossed one month since the daily job ran: the manager's communities only, and
            # only rooms that crossed (indexed); cases otherwise open and close where balances change.
            with unit_of_work() as session:
                services.sync_cases(session, actor=principal)
        self._load()

    @requires(Perm.ARREARS_VIEW)
    def set_overdue_only(self, value: bool):
        self.overdue_only, self.page = bool(value), 1
        self._load()

    @requires(Perm.ARREARS_VIEW)
    def set_mine(self, value: bool):
        self.mine, self.page = bool(value), 1
        self._load()

    def _open(self, dialog: str, target: dict[str, Any]) -> None:
        self.dialog, self.target, self.errors = dialog, target, {}
        self.dialog_key += 1

    @requires()
    def close_dialog(self, _open: bool = False):
        self.dialog = ""

    @requires(Perm.ARREARS_FOLLOW_UP)
    def open_follow_up(self, case_id: int):
        row = self._row_by_case(case_id)
        if row is not None:
            self._open("follow_up", row)

    def _row_by_case(self, case_id: int) -> dict[str, Any] | None:
        return next((r for r in self.rows if r["case_id"] == case_id), None)

    @requires(Perm.ARREARS_VIEW)
    def open_history(self, case_id: int):
        row = self._row_by_case(case_id)
        if row is not None:
            with read_only() as session:
                self.history = [f.model_dump() for f in queries.follow_ups(session, self.principal, case_id)]
            self._open("history", row)

    @requires(Perm.ARREARS_FOLLOW_UP)
    def save_follow_up(self, form: dict[str, Any]):
        if "case_id" not in self.target:  # no case picked from the page: nothing to save
            return None
        data = services.FollowUpInput(**{k: str(form.get(k, "")) for k in (
            "channel", "result", "reason_category", "promise_date", "ticket_code")})
        try:
            with unit_of_work() as session:
                services.log_follow_up(session, actor=self.principal, case_id=int(self.target["case_id"]), data=data)
        except ValidationFailed as error:
            self.errors = self._field_messages(error)
            return None
        self.dialog = ""
        self._load()
        return rx.toast.success(self._tr("arrears.follow_up_saved"))

    @requires(Perm.ARREARS_MANAGE)
    def open_balance(self):
        self._open("balance", {"room_code": "", "amount": "", "since": local_today().isoformat(), "version": 0})

    @requires(Perm.ARREARS_MANAGE)
    def open_edit_balance(self, case_id: int):
        row = self._row_by_case(case_id)
        if row is not None:
            self._open("balance", {"room_code": row["room_code"], "amount": row["amount"], "since": row["since"],
                                   "version": row["balance_version"]})

    @requires(Perm.ARREARS_MANAGE)
    def save_balance(self, form: dict[str, Any]):
        room_code = str(form.get("room_code", "")).strip()
        # The version read with the dialog belongs to its room: typing another room starts from "no balance seen".
        same_room = room_code.upper() == str(self.target.get("room_code", "")).upper()
        expected = int(self.target.get("version") or 0) if same_room else 0
        try:
            with unit_of_work() as session:
                room_id = room_id_by_code(session, self.principal, room_code)
                if room_id is None:
                    raise ValidationFailed({"room_code": ("owners.room_unknown", {})})
                services.set_arrears(session, actor=self.principal, room_id=room_id, amount=form.get("amount", ""),
                                     since=form.get("since", ""), expected_version=expected or None)
        except ValidationFailed as error:
            self.target = {**self.target, **form}
            self.errors, self.dialog_key = self._field_messages(error), self.dialog_key + 1
            return None
        except ConcurrencyConflict as conflict:
            # The colleague's figures replace the form, with the version to save over them.
            current = conflict.current
            self.target = {"room_code": room_code, "amount": current.get("amount", ""),
                           "since": current.get("since", ""), "version": current.get("version", 0)}
            key = "arrears.balance_changed" if expected else "arrears.balance_new_changed"
            self.errors = {"amount": self._tr(key, amount=current.get("amount", ""), since=current.get("since", ""))}
            self.dialog_key += 1
            return None
        self.dialog = ""
        self._load()
        return rx.toast.success(self._tr("common.saved"))

    @requires(Perm.ARREARS_MANAGE)
    def start_import(self):
        self.import_errors, self.import_message = [], ""
        return rx.call_script(upload_script(IMPORT_INPUT, ARREARS_PURPOSE), callback=ArrearsState.run_import)

    @requires(Perm.ARREARS_MANAGE)
    def run_import(self, upload: dict[str, Any]):
        """Checked and written in one go: any bad row and nothing is written."""
        if (refusal := upload_refusal(upload)) is not None:
            self.import_message = self._tr(refusal[0], **refusal[1])
            return None
        try:
            with unit_of_work() as session:
                stored, data = read_upload(session, principal=self.principal, upload_id=str(upload["upload_id"]),
                                           purpose_name=ARREARS_PURPOSE)
                # Read once; the file is not kept whatever the outcome (a fixed file is uploaded again).
                discard_upload(session, stored.id)
            with unit_of_work() as session:
                result = services.import_arrears(session, actor=self.principal, filename=stored.filename, data=data,
                                                 commit=True)
        except DomainError as rejected:
            self.import_message = self._tr(rejected.key, **rejected.params)
            return None
        self.import_errors = [{"row": row, "column": self._tr(services.COLUMN_LABELS.get(column, column)),
                               "message": self._tr(key, **params)} for row, column, key, params in result.errors[:200]]
        self.import_message = self._tr("arrears.import_done", count=result.written) if not result.errors else \
            self._tr("arrears.import_errors", count=len(result.errors))
        self._load()
