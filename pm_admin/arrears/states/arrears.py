"""Arrears page state: open cases (overdue first), follow-ups, balances, coverage, import."""

from __future__ import annotations

from typing import Any, ClassVar

import reflex as rx

from pm_admin.arrears import queries, services
from pm_admin.arrears.files import ARREARS_PURPOSE
from pm_admin.core.base_state import ProtectedState
from pm_admin.core.clock import local_today
from pm_admin.core.db import off_loop, read_only, unit_of_work
from pm_admin.core.dialog_form import DialogForm, close_dialogs
from pm_admin.core.errors import DomainError, ValidationFailed
from pm_admin.core.files import discard_upload, read_upload
from pm_admin.core.guard import requires
from pm_admin.core.paged_state import PagedMixin
from pm_admin.core.permissions import Perm, Role
from pm_admin.core.url_filters import UrlFilters
from pm_admin.places.queries import room_id_by_code
from pm_admin.ui.uploads import upload_refusal, upload_script

IMPORT_INPUT = "arrears-import-file"


class ArrearsState(UrlFilters, PagedMixin, ProtectedState):
    _PAGE_PERMISSION: ClassVar[str] = Perm.ARREARS_VIEW
    _PATH: ClassVar[str] = "/arrears"
    _FILTERS: ClassVar[tuple[str, ...]] = ("overdue", "mine")
    _FLAGS: ClassVar[frozenset[str]] = frozenset({"overdue", "mine"})
    coverage: dict[str, Any] = {}
    can_manage: bool = False
    can_follow_up: bool = False
    import_errors: list[dict[str, Any]] = []
    import_message: str = ""

    def _filter_defaults(self) -> dict[str, str]:
        """cs and stewards start with the cases assigned to them."""
        return {"mine": "" if Role.MANAGER in self.principal.roles else "1"}

    def _load(self) -> None:
        principal, f = self.principal, self.filters
        with read_only() as session:
            self._show(queries.cases(session, principal, self._page_request(), queries.CaseFilter(
                overdue_only=f.get("overdue") == "1", mine=f.get("mine") == "1")))
            figure = queries.coverage_on(session, principal, local_today())
        self.coverage = {"open": figure.open_cases, "covered": figure.covered, "due": figure.due,
                         "overdue": figure.overdue,
                         "percent": "–" if figure.percent is None else f"{figure.percent:.0f}%"}

    def _case_row(self, case_id: int) -> dict[str, Any] | None:
        return next((r for r in self.rows if r["case_id"] == case_id), None)

    def _sync_cases(self) -> None:
        with unit_of_work() as session:
            services.sync_cases(session, actor=self.principal)

    @requires(Perm.ARREARS_VIEW)
    async def load(self):
        principal = self.principal
        self.can_manage = principal.has(Perm.ARREARS_MANAGE)
        self.can_follow_up = principal.has(Perm.ARREARS_FOLLOW_UP)
        self.import_errors, self.import_message = [], ""
        await close_dialogs(self)
        if self.can_manage:
            # Balances that crossed one month since the daily job ran: the manager's communities only, and
            # only rooms that crossed (indexed); cases otherwise open and close where balances change.
            await off_loop(self._sync_cases)
        self._start_filters()
        await off_loop(self._load)

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


class FollowUpForm(DialogForm, ArrearsState):
    """催缴跟进 of a case on the page: channel, reason, result, a promised date, a related ticket."""

    _SAVED: ClassVar[str] = "arrears.follow_up_saved"

    @requires(Perm.ARREARS_FOLLOW_UP)
    def open_follow_up(self, case_id: int):
        row = self._case_row(case_id)
        if row is not None:
            self._open({"channel": "phone", "reason_category": "forgot", "result": "", "promise_date": "",
                        "ticket_code": ""}, record_id=case_id,
                       subject={k: row[k] for k in ("room_code", "owner_names", "amount")})

    @requires(Perm.ARREARS_FOLLOW_UP)
    def save(self, form: dict[str, Any]):
        data = services.FollowUpInput(**{k: str(form.get(k, "")) for k in (
            "channel", "result", "reason_category", "promise_date", "ticket_code")})
        return self._submit(form, lambda session: services.log_follow_up(
            session, actor=self.principal, case_id=self._record_id, data=data))


class HistoryDialog(DialogForm, ArrearsState):
    """The follow-ups of a case, to read."""

    history: list[dict[str, Any]] = []

    @requires(Perm.ARREARS_VIEW)
    def open_history(self, case_id: int):
        row = self._case_row(case_id)
        if row is not None:
            with read_only() as session:
                self.history = [f.model_dump() for f in queries.follow_ups(session, self.principal, case_id)]
            self._open({}, record_id=case_id, subject={"room_code": row["room_code"]})


class BalanceForm(DialogForm, ArrearsState):
    """A room's arrears balance, entered or corrected; the version read with the dialog guards a colleague's
    change (it belongs to the room the dialog opened with: typing another room starts from "no balance seen")."""

    _expected: int = 0  # the version the last save expected (0: no balance seen)

    @requires(Perm.ARREARS_MANAGE)
    def open_balance(self):
        self._open({"room_code": "", "amount": "", "since": local_today().isoformat()})

    @requires(Perm.ARREARS_MANAGE)
    def open_edit_balance(self, case_id: int):
        row = self._case_row(case_id)
        if row is not None:
            self._open({"room_code": row["room_code"], "amount": row["amount"], "since": row["since"]},
                       record_id=case_id, version=row["balance_version"])

    @requires(Perm.ARREARS_MANAGE)
    def save(self, form: dict[str, Any]):
        room_code = str(form.get("room_code", "")).strip()
        same_room = room_code.upper() == str(self._loaded.get("room_code", "")).upper()
        expected = self._expected = self._version if same_room else 0

        def write(session):
            room_id = room_id_by_code(session, self.principal, room_code)
            if room_id is None:
                raise ValidationFailed({"room_code": ("owners.room_unknown", {})})
            services.set_arrears(session, actor=self.principal, room_id=room_id, amount=form.get("amount", ""),
                                 since=form.get("since", ""), expected_version=expected or None)

        return self._submit(form, write)

    def _conflicted(self, current: dict[str, Any]) -> None:
        """The colleague's figures replace the form, with the version to save over them."""
        key = "arrears.balance_changed" if self._expected else "arrears.balance_new_changed"
        amount, since = current.get("amount", ""), current.get("since", "")
        self.values = {**self.values, "amount": amount, "since": since}
        self._loaded = dict(self.values)
        self._version = int(current.get("version") or 0)
        self.errors = {"amount": self._tr(key, amount=amount, since=since)}
        self.form_key += 1
