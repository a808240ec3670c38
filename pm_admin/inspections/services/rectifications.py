"""Rectifications 整改 (seed 003 5.29.3): opened by a failed checklist item with the notice's place, hazard,
responsible party and deadline; a household named responsible is told through the outbox; a manager may name
another party or deadline; a recheck 复查 closes it with a photo or sets a new deadline (the history stays); one that
runs past its deadline is escalated to the community's managers once per deadline (the daily job)."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from pm_admin.core.clock import DISPLAY_ZONE, local_today, utcnow
from pm_admin.core.errors import DomainError, FieldErrors
from pm_admin.core.ids import is_id
from pm_admin.core.parsers import clean_reason, clean_text, parse_choice, parse_date
from pm_admin.core.permissions import Perm, Principal
from pm_admin.core.scoping import expect_version
from pm_admin.inspections.models import (
    InspectionAnswer,
    InspectionTask,
    InspectionTemplate,
    Rectification,
    RectificationCheck,
    RectificationStatus,
    Responsible,
)
from pm_admin.inspections.services.common import audit, load_rectification, room_by_code, store_photo
from pm_admin.notify.models import Channel, Recipient
from pm_admin.notify.outbox import Address, enqueue
from pm_admin.places.models import Room
from pm_admin.portal.people import accounts_of_rooms
from pm_admin.tickets.models import Department, Notification
from pm_admin.tickets.services.common import managers_of

HAZARD_LENGTH = 800


def notice_code(rectification: Rectification) -> str:
    """The notice's number: ZG-<day opened>-<id>."""
    return f"ZG-{rectification.opened_at.astimezone(DISPLAY_ZONE):%Y%m%d}-{rectification.id}"


def tell_household(session: Session, rectification: Rectification) -> int:
    """The notice reaches the responsible household's portal inboxes (once per deadline: a new deadline is news).
    How many accounts were told; none when nobody of the household has an account (staff hand the paper over)."""
    if rectification.responsible != Responsible.HOUSEHOLD or rectification.responsible_room_id is None:
        return 0
    room_id = rectification.responsible_room_id
    accounts = accounts_of_rooms(session, [room_id]).get(room_id, [])
    params = {"code": notice_code(rectification), "location": rectification.location,
              "hazard": rectification.hazard[:200], "deadline": rectification.deadline.isoformat()}
    for account in accounts:
        enqueue(session, key=f"rectification:{rectification.id}:{rectification.deadline.isoformat()}:{account.id}",
                to=Address(Recipient.OWNER_ACCOUNT, account.id, Channel.INBOX, None, account.language),
                template="notify.rectification_notice", params=params, community_id=rectification.community_id,
                cause=f"rectification:{rectification.id}")
    return len(accounts)


def open_rectification(session: Session, *, actor: Principal, task: InspectionTask, answer: InspectionAnswer,
                       room: Room | None, today: date, now: datetime) -> Rectification:
    """A failed item's rectification: the household of the room it names is responsible, else the checklist's
    department (a manager may name another party); the deadline is the checklist's days after the check."""
    template = session.get(InspectionTemplate, task.template_id)
    deadline = today + timedelta(days=template.rectify_days)
    location = f"{task.place} · {room.code}" if room is not None else task.place
    rectification = Rectification(
        community_id=task.community_id, task_id=task.id, answer_id=answer.id, category=task.category,
        location=location[:200], room_id=room.id if room else None,
        hazard=f"{answer.text}：{answer.note}"[:HAZARD_LENGTH],
        responsible=Responsible.HOUSEHOLD if room is not None else Responsible.DEPARTMENT,
        responsible_room_id=room.id if room else None,
        department_id=None if room is not None else template.department_id, deadline=deadline,
        first_deadline=deadline, inspector=actor.username, inspector_name=actor.display_name[:64], opened_at=now)
    session.add(rectification)
    session.flush()
    audit(session, actor, "rectification.open", "rectification", rectification.id, rectification.community_id,
          task=task.id, location=rectification.location, deadline=deadline.isoformat(),
          responsible=str(rectification.responsible))
    tell_household(session, rectification)
    return rectification


def _open_one(session: Session, actor: Principal, rectification_id: Any, permission: str) -> Rectification:
    rectification = load_rectification(session, actor, rectification_id, permission)
    if rectification.status != RectificationStatus.OPEN:
        raise DomainError("inspections.rectification_closed")
    return rectification


# ---------------------------------------------------------------- a manager names the party and the deadline


@dataclasses.dataclass
class PartyInput:
    responsible: str = Responsible.DEPARTMENT.value
    room_code: str = ""  # household
    department_id: Any = ""  # department
    contractor: str = ""  # contractor
    deadline: Any = ""
    requirement: str = ""


def _snapshot(rectification: Rectification) -> dict[str, Any]:
    return {"responsible": str(rectification.responsible), "room": rectification.responsible_room_id,
            "department": rectification.department_id, "contractor": rectification.contractor,
            "deadline": rectification.deadline.isoformat(), "requirement": rectification.requirement}


def _party(session: Session, errors: FieldErrors, rectification: Rectification, data: PartyInput) -> dict[str, Any]:
    responsible = parse_choice(errors, "responsible", data.responsible, Responsible,
                               key="inspections.responsible_invalid", default=None)
    fields: dict[str, Any] = {"responsible": responsible, "responsible_room_id": None, "department_id": None,
                              "contractor": ""}
    if responsible == Responsible.HOUSEHOLD:
        if not str(data.room_code or "").strip():
            errors.add("room_code", "error.required")
        room = room_by_code(session, errors, "room_code", rectification.community_id, data.room_code)
        fields["responsible_room_id"] = room.id if room else None
    elif responsible == Responsible.DEPARTMENT:
        department = session.get(Department, int(data.department_id)) if is_id(data.department_id) else None
        if department is None:
            errors.add("department_id", "inspections.department_unknown")
        fields["department_id"] = department.id if department else None
    elif responsible == Responsible.CONTRACTOR:
        fields["contractor"] = clean_text(errors, "contractor", data.contractor, max_length=80, required=True)
    return fields


def update_party(session: Session, *, actor: Principal, rectification_id: Any, expected_version: int,
                 data: PartyInput, today: date | None = None) -> Rectification:
    actor.require(Perm.INSPECTIONS_MANAGE)
    rectification = _open_one(session, actor, rectification_id, Perm.INSPECTIONS_MANAGE)
    expect_version(rectification, expected_version, lambda: {
        "responsible": str(rectification.responsible), "deadline": rectification.deadline.isoformat(),
        "contractor": rectification.contractor, "requirement": rectification.requirement})
    today = today or local_today()
    errors = FieldErrors()
    fields = _party(session, errors, rectification, data)
    fields["deadline"] = parse_date(errors, "deadline", data.deadline, not_before=today)
    fields["requirement"] = clean_text(errors, "requirement", data.requirement, max_length=500)
    errors.raise_if_any()
    before = _snapshot(rectification)
    for name, value in fields.items():
        setattr(rectification, name, value)
    session.add(rectification)
    session.flush()
    audit(session, actor, "rectification.update", "rectification", rectification.id, rectification.community_id,
          before=before, after=_snapshot(rectification))
    tell_household(session, rectification)
    return rectification


# ---------------------------------------------------------------- recheck 复查


@dataclasses.dataclass
class RecheckInput:
    result: str = ""  # "passed" or "failed", as chosen in the form (nothing is preselected)
    note: str = ""
    new_deadline: Any = ""  # when it did not pass


def recheck(session: Session, *, actor: Principal, rectification_id: Any, expected_version: int, data: RecheckInput,
            photo_upload_id: str = "", now: datetime | None = None) -> RectificationCheck:
    """Passed: closed, with a photo of the hazard put right. Not passed: what is still wrong and a new deadline;
    the household, if responsible, is told the new one."""
    actor.require(Perm.INSPECTIONS_WORK)
    rectification = _open_one(session, actor, rectification_id, Perm.INSPECTIONS_WORK)
    expect_version(rectification, expected_version, lambda: {"deadline": rectification.deadline.isoformat()})
    now = now or utcnow()
    today = now.astimezone(DISPLAY_ZONE).date()
    errors = FieldErrors()
    if data.result not in ("passed", "failed"):
        errors.add("result", "inspections.answer_required")
        errors.raise_if_any()
    passed = data.result == "passed"
    note = clean_text(errors, "note", data.note, max_length=500)
    new_deadline = None
    if passed:
        if not photo_upload_id:
            errors.add("photo", "inspections.close_needs_photo")
    else:
        note = clean_reason(errors, "note", data.note, max_length=500, key="inspections.recheck_needs_note")
        new_deadline = parse_date(errors, "new_deadline", data.new_deadline, not_before=today + timedelta(days=1),
                                  too_early="inspections.deadline_after_today")
    errors.raise_if_any()
    sha256, content_type = store_photo(session, actor, errors, "photo", photo_upload_id) if photo_upload_id \
        else ("", "")
    errors.raise_if_any()
    check = RectificationCheck(rectification_id=rectification.id, checked_at=now, checked_by=actor.username,
                               checker_name=actor.display_name[:64], passed=passed, note=note,
                               photo_sha256=sha256, photo_type=content_type, deadline_before=rectification.deadline,
                               new_deadline=new_deadline)
    session.add(check)
    if passed:
        rectification.status, rectification.closed_at, rectification.closed_by = \
            RectificationStatus.CLOSED, now, actor.username
    else:
        rectification.deadline = new_deadline
    session.add(rectification)
    session.flush()
    audit(session, actor, "rectification.recheck", "rectification", rectification.id, rectification.community_id,
          passed=passed, new_deadline=new_deadline.isoformat() if new_deadline else None)
    if not passed:
        tell_household(session, rectification)
    return check


# ---------------------------------------------------------------- escalation (daily job)


def escalate_overdue(session: Session, *, actor: Principal, today: date) -> int:
    """Open rectifications past their deadline: the community's managers are told once per deadline (a notice in
    their bell); a new deadline that lapses is told again. How many were escalated."""
    late = session.exec(select(Rectification).where(
        Rectification.status == RectificationStatus.OPEN, Rectification.deadline < today,
        (col(Rectification.escalated_for).is_(None)) | (Rectification.escalated_for != Rectification.deadline))
        .order_by(Rectification.id)).all()
    managers: dict[int, list[int]] = {}  # per community: asked once, however many of its rectifications lapsed
    for rectification in late:
        detail = f"{rectification.location}：{rectification.hazard}"[:160] + f"（{rectification.deadline.isoformat()}）"
        if rectification.community_id not in managers:
            managers[rectification.community_id] = managers_of(session, rectification.community_id)
        for user_id in managers[rectification.community_id]:
            session.add(Notification(user_id=user_id, message_key="inspections.rectification_overdue",
                                     detail=detail[:200]))
        rectification.escalated_for = rectification.deadline
        session.add(rectification)
        audit(session, actor, "rectification.escalate", "rectification", rectification.id,
              rectification.community_id, deadline=rectification.deadline.isoformat())
    session.flush()
    return len(late)
