"""Owner import page state: upload → dry run with row errors → all-or-nothing import, with progress."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import reflex as rx

from pm_admin.core.base_state import ProtectedState
from pm_admin.core.db import read_only, unit_of_work
from pm_admin.core.errors import DomainError
from pm_admin.core.guard import requires
from pm_admin.core.i18n import translate
from pm_admin.core.permissions import Perm
from pm_admin.core.tables import ImportRejected
from pm_admin.owners.files import IMPORT_PURPOSE
from pm_admin.owners.spreadsheet.columns import Progress, column_label, rejection_text
from pm_admin.owners.spreadsheet.plan import ImportPlan
from pm_admin.owners.spreadsheet.uploaded import check_upload, import_upload
from pm_admin.ui.uploads import upload_script

MAX_SHOWN_ERRORS = 500


class _Progress:
    """Progress reported from the worker thread, read by the event loop."""

    def __init__(self) -> None:
        self.done, self.total = 0, 0
        self.lock = threading.Lock()

    def __call__(self, done: int, total: int) -> None:
        with self.lock:
            self.done, self.total = done, total

    def part(self, index: int, parts: int) -> Progress:
        """A callback for step ``index`` of ``parts`` equal steps, so one bar runs across all of them."""

        def report(done: int, total: int) -> None:
            self(index * total + done, parts * total)

        return report

    def percent(self) -> int:
        with self.lock:
            return int(100 * self.done / self.total) if self.total else 0


class OwnerImportState(ProtectedState):
    phase: str = "idle"  # idle | uploading | checking | checked | importing | done | rejected
    filename: str = ""
    progress: int = 0
    message: str = ""
    total_rows: int = 0
    error_count: int = 0
    errors: list[dict[str, Any]] = []
    creates: int = 0
    updates: int = 0
    _upload_id: str = ""

    def _show_plan(self, plan: ImportPlan) -> None:
        self.total_rows, self.error_count = plan.total, len(plan.errors)
        self.errors = [{"row": e.row, "column": column_label(e.column, self.lang),
                        "message": translate(e.key, self.lang, **e.params)} for e in plan.errors[:MAX_SHOWN_ERRORS]]
        self.creates, self.updates = plan.creates, plan.updates

    @requires(Perm.OWNERS_IMPORT)
    def load(self):
        self.reset()

    @requires(Perm.OWNERS_IMPORT)
    def start_upload(self):
        self.phase, self.message, self.errors, self.progress = "uploading", "", [], 0
        return rx.call_script(upload_script("owner-import-file", IMPORT_PURPOSE), callback=OwnerImportState.attach)

    @requires(Perm.OWNERS_IMPORT)
    def attach(self, result: dict[str, Any]):
        """The upload route's answer; the upload must be this user's (checked when it is read)."""
        if not isinstance(result, dict) or not result.get("ok"):
            key = str(result.get("error", "files.upload_failed")) if isinstance(result, dict) else "files.upload_failed"
            params = {k: v for k, v in (result or {}).items() if k not in ("ok", "error")} if isinstance(result, dict) else {}
            self.phase, self.message = "rejected", translate(key, self.lang, **params)
            return None
        self._upload_id, self.filename = str(result.get("upload_id", ""))[:32], str(result.get("filename", ""))[:200]
        return OwnerImportState.check

    async def _run(self, work, phase: str) -> tuple[bool, Any]:
        """Run blocking ``work(progress)`` in a thread while pushing progress to the page; (False, None) when the
        sheet is refused as a whole (the reason is then shown)."""
        progress = _Progress()
        async with self:
            self.phase, self.progress = phase, 0
        task = asyncio.create_task(asyncio.to_thread(work, progress))
        while not task.done():
            await asyncio.sleep(0.3)
            async with self:
                self.progress = progress.percent()
        try:
            return True, task.result()
        except (ImportRejected, DomainError) as rejected:
            async with self:
                self.phase, self.message = "rejected", rejection_text(rejected, self.lang)
            return False, None

    @rx.event(background=True)
    @requires(Perm.OWNERS_IMPORT)
    async def check(self):
        principal, upload_id = self.principal, self._upload_id

        def work(progress):
            with read_only() as session:
                return check_upload(session, principal, upload_id, progress)

        ran, plan = await self._run(work, "checking")
        if not ran:
            return
        async with self:
            self._show_plan(plan)
            self.phase, self.progress = "checked", 100

    @rx.event(background=True)
    @requires(Perm.OWNERS_IMPORT)
    async def commit(self):
        principal, upload_id = self.principal, self._upload_id

        def work(progress):
            with unit_of_work() as session:
                return import_upload(session, principal, upload_id, check_progress=progress.part(0, 2),
                                     write_progress=progress.part(1, 2))

        ran, outcome = await self._run(work, "importing")
        if not ran:
            return
        plan, result = outcome
        async with self:
            self._show_plan(plan)
            if result is None:
                self.phase = "checked"
                return
            self.phase, self.progress = "done", 100
            self.message = translate("import.done", self.lang, created=result.created, updated=result.updated,
                                     linked=result.rooms_linked)

    @requires(Perm.OWNERS_IMPORT)
    def restart(self):
        self.reset()

    @requires(Perm.OWNERS_IMPORT)
    def download_template(self, fmt: str):
        return self._start_download("owners_template", {"fmt": fmt, "language": self.lang})
