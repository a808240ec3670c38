"""One inspection task: the checklist form on the technician's phone (its draft kept in the browser, ``draft``), or
the answers once done. The form's answers come from the draft, so a submission made while the connection was down
arrives with everything typed."""

from __future__ import annotations

from typing import Any

import reflex as rx

from pm_admin.core.base_state import ProtectedState
from pm_admin.core.db import off_loop, read_only, unit_of_work
from pm_admin.core.errors import ConcurrencyConflict, DomainError, ValidationFailed
from pm_admin.core.guard import requires
from pm_admin.core.ids import route_id
from pm_admin.core.permissions import Perm
from pm_admin.inspections.draft import clear_call, collect_call, restore_call
from pm_admin.inspections.queries.tasks import task_detail
from pm_admin.inspections.services.tasks import ItemAnswer, submit_task
from pm_admin.ui.uploads import upload_refusal

TEXT_LIMIT = 600  # what the services keep is shorter; longer text is cut before it is checked


class InspectionTaskState(ProtectedState):
    task: dict[str, Any] = {}
    missing: bool = False
    errors: dict[str, str] = {}  # result_<n> / note_<n> / room_<n> / photo_<n> → message
    back_href: str = "/inspections"  # a technician came from their own list

    def _task_id(self) -> int:
        return int(self.task.get("id") or 0)

    def _reload(self, task_id: int) -> None:
        try:
            with read_only() as session:
                self.task, self.missing = task_detail(session, self.principal, task_id), False
        except DomainError:
            self.task, self.missing = {}, True

    @requires(Perm.INSPECTIONS_VIEW)
    async def load(self):
        self.errors = {}
        works_only = self.principal.has(Perm.INSPECTIONS_WORK) and not self.principal.has(Perm.INSPECTIONS_MANAGE)
        self.back_href = "/my-inspections" if works_only else "/inspections"
        await off_loop(self._reload, route_id(str(self.rx_router_page.params.get("task_id", ""))))
        if self.task.get("may_work"):
            return rx.call_script(restore_call(self._task_id()))
        return None

    @requires(Perm.INSPECTIONS_WORK)
    def submit(self):
        """The draft (every answer, note and photo as entered) is gathered and its photos uploaded in the browser,
        then handed to ``receive``."""
        if not self.task.get("may_work"):
            return None
        return rx.call_script(collect_call(self._task_id()), callback=InspectionTaskState.receive)

    @requires(Perm.INSPECTIONS_WORK)
    def receive(self, answer: dict[str, Any]):
        task_id = self._task_id()
        if not self.task.get("may_work") or not isinstance(answer, dict):
            return None
        refusal = upload_refusal(answer)
        if refusal is not None:
            key, params = refusal
            self.errors = {f"photo_{params.pop('item', '')}": self._tr(key, **params)}
            return rx.toast.error(self._tr("inspections.check_marked"))
        values = answer.get("values") if isinstance(answer.get("values"), dict) else {}
        photos = answer.get("photos") if isinstance(answer.get("photos"), dict) else {}
        items = [ItemAnswer(result=str(values.get(f"result_{n}", ""))[:8],
                            note=str(values.get(f"note_{n}", ""))[:TEXT_LIMIT],
                            room_code=str(values.get(f"room_{n}", ""))[:40],
                            photo_upload_id=str(photos.get(str(n), ""))[:40])
                 for n in range(len(self.task.get("items", [])))]
        try:
            with unit_of_work() as session:
                done = submit_task(session, actor=self.principal, task_id=task_id,
                                   expected_version=int(self.task.get("version") or 0), answers=items)
                failed = done.failed_items
        except ValidationFailed as error:
            self.errors = self._field_messages(error)
            return rx.toast.error(self._tr("inspections.check_marked"))
        except ConcurrencyConflict:
            self._reload(task_id)
            return rx.toast.warning(self._tr("error.conflict"))
        except DomainError as error:  # done meanwhile by a colleague: this draft has nowhere to go
            self._reload(task_id)
            return [rx.call_script(clear_call(task_id)), rx.toast.warning(self._tr(error.key, **error.params))]
        self.errors = {}
        self._reload(task_id)
        message = self._tr("inspections.submitted_with_rectifications", count=failed) if failed \
            else self._tr("inspections.submitted")
        return [rx.call_script(clear_call(task_id)), rx.toast.success(message)]

    @requires(Perm.INSPECTIONS_VIEW)
    def photo(self, answer_id: int):
        """An answer's photo through a one-time download ticket (the server checks the task's community)."""
        if not any(item.get("answer_id") == answer_id and item.get("has_photo") for item in self.task.get("items", [])):
            return None
        return self._start_download("inspection_photo", {"of": "answer", "id": int(answer_id)})
