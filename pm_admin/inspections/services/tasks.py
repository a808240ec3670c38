"""Working through a checklist: every item passed or failed (a failure says what is wrong, optionally with a photo
and the room it concerns). Each failed item opens its rectification in the same transaction: the answers, the
rectifications and the task's completion are written together or not at all."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from typing import Any

from sqlmodel import Session

from pm_admin.core.clock import DISPLAY_ZONE, utcnow
from pm_admin.core.errors import DomainError, FieldErrors, PermissionDenied
from pm_admin.core.parsers import clean_text
from pm_admin.core.permissions import Perm, Principal
from pm_admin.core.scoping import expect_version
from pm_admin.inspections.models import InspectionAnswer, InspectionTask, TaskStatus
from pm_admin.inspections.services.common import audit, load_task, room_by_code, store_photo
from pm_admin.inspections.services.rectifications import open_rectification
from pm_admin.places.models import Room

NOTE_LENGTH = 500
PASS, FAIL = "pass", "fail"


@dataclasses.dataclass
class ItemAnswer:
    result: str = ""  # pass | fail
    note: str = ""
    room_code: str = ""  # a failure in a household (a blocked fire exit outside 1502): the room it concerns
    photo_upload_id: str = ""


def may_work_on(actor: Principal, task: InspectionTask) -> bool:
    """The assignee, anyone who inspects there when nobody is assigned, and managers."""
    return (task.assignee_id in (None, actor.user_id) and actor.has(Perm.INSPECTIONS_WORK)) or \
        actor.has(Perm.INSPECTIONS_MANAGE)


def _checked(session: Session, task: InspectionTask, answers: list[ItemAnswer]) -> list[tuple[bool, str, Room | None]]:
    if len(answers) != len(task.items):  # the page sends one answer per item: anything else was crafted
        raise DomainError("error.invalid_request")
    errors, checked = FieldErrors(), []
    for n, answer in enumerate(answers):
        if answer.result not in (PASS, FAIL):
            errors.add(f"result_{n}", "inspections.answer_required")
        failed = answer.result == FAIL
        note = clean_text(errors, f"note_{n}", answer.note, max_length=NOTE_LENGTH)
        if failed and not note:
            errors.add(f"note_{n}", "inspections.fail_needs_note")
        room = room_by_code(session, errors, f"room_{n}", task.community_id, answer.room_code) if failed else None
        checked.append((not failed, note, room))
    errors.raise_if_any()
    return checked


def submit_task(session: Session, *, actor: Principal, task_id: Any, expected_version: int,
                answers: list[ItemAnswer], now: datetime | None = None) -> InspectionTask:
    actor.require(Perm.INSPECTIONS_WORK)
    task = load_task(session, actor, task_id, Perm.INSPECTIONS_WORK)
    if task.status != TaskStatus.OPEN:
        raise DomainError("inspections.task_done", by=task.done_by_name or task.done_by)
    if not may_work_on(actor, task):
        raise PermissionDenied("inspections.not_your_task")
    expect_version(task, expected_version, lambda: {"status": str(task.status)})
    checked = _checked(session, task, answers)
    now = now or utcnow()
    today: date = now.astimezone(DISPLAY_ZONE).date()
    errors = FieldErrors()
    photos = [store_photo(session, actor, errors, f"photo_{n}", a.photo_upload_id) if a.photo_upload_id else ("", "")
              for n, a in enumerate(answers)]
    errors.raise_if_any()
    failed = 0
    for n, ((passed, note, room), (sha256, content_type)) in enumerate(zip(checked, photos, strict=True)):
        item = task.items[n]
        answer = InspectionAnswer(task_id=task.id, position=n, section=item.get("section", "")[:40],
                                  text=item["text"][:200], passed=passed, note=note, room_id=room.id if room else None,
                                  photo_sha256=sha256, photo_type=content_type)
        session.add(answer)
        session.flush()
        if not passed:
            failed += 1
            open_rectification(session, actor=actor, task=task, answer=answer, room=room, today=today, now=now)
    task.status, task.done_at, task.done_by = TaskStatus.DONE, now, actor.username
    task.done_by_name, task.failed_items = actor.display_name[:64], failed
    session.add(task)
    session.flush()
    audit(session, actor, "inspection.task_submit", "inspection_task", task.id, task.community_id,
          title=task.title, place=task.place, failed=failed, late=today > task.due_on)
    return task
