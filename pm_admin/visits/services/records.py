"""Recording a visit: the household, who was met, what was talked about, the satisfaction and the issues raised.

Everything happens in the caller's transaction: the visit, its issues, the tickets (channel 走访) and suggestions
(channel 走访) they become through the tickets' and suggestion box's own services, the tasks the visit counts
towards, and the owner told of a promised reply date. A refused issue refuses the whole visit."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from pm_admin.core.audit import record
from pm_admin.core.clock import local_today, utcnow
from pm_admin.core.errors import FieldErrors
from pm_admin.core.events import publish
from pm_admin.core.ids import is_id
from pm_admin.core.parsers import clean_text, parse_choice, parse_date
from pm_admin.core.permissions import Perm, Principal
from pm_admin.places.models import Room
from pm_admin.suggestions.services import intake
from pm_admin.tickets.models import Channel, TicketCategory, Tier
from pm_admin.tickets.services.contact import room_owner
from pm_admin.tickets.services.registration import TicketInput, create_ticket
from pm_admin.visits.events import REPLY_PROMISED, IssueNews
from pm_admin.visits.models import (
    TICKET_KINDS,
    IssueAction,
    Met,
    Method,
    PlanKind,
    TaskStatus,
    Visit,
    VisitIssue,
    VisitTask,
)
from pm_admin.visits.services.plans import counts_towards

MAX_ISSUES = 5
BACKDATE_DAYS = 31  # a week's paper notes entered later still count in their own week
PROMISE_DAYS = 90  # the furthest reply date a visitor may promise


@dataclasses.dataclass
class IssueInput:
    text: str = ""
    action: str = IssueAction.ANSWERED.value
    category_id: Any = ""
    ticket_kind: str = "request"
    promised_on: Any = ""

    @property
    def blank(self) -> bool:
        return not str(self.text or "").strip() and not str(self.promised_on or "").strip()


@dataclasses.dataclass
class VisitInput:
    room_code: str = ""
    visited_on: Any = ""
    method: str = Method.DOOR.value
    met: str = Met.OWNER.value
    met_name: str = ""
    topics: str = ""
    satisfaction: Any = ""
    issues: list[IssueInput] = dataclasses.field(default_factory=list)


def issue_field(name: str, index: int) -> str:
    """The form's name of an issue's field: ``issue_text_0``."""
    return f"issue_{name}_{index}"


def _room(session: Session, errors: FieldErrors, actor: Principal, code: str) -> Room | None:
    """A room of the actor's communities by its code; another community's reads as unknown."""
    code = str(code or "").strip().upper()
    if not code:
        errors.add("room_code", "error.required")
        return None
    room = session.exec(select(Room).where(Room.code == code)).first()
    if room is None or not actor.can_access_community(room.community_id):
        errors.add("room_code", "visits.room_unknown")
        return None
    return room


def _satisfaction(errors: FieldErrors, raw: Any, met: Met | None) -> int | None:
    text = str(raw or "").strip()
    if not text or met == Met.NOBODY:
        return None
    if text not in ("1", "2", "3", "4", "5"):
        errors.add("satisfaction", "visits.satisfaction_invalid")
        return None
    return int(text)


def _category(session: Session, errors: FieldErrors, field: str, raw: Any) -> int | None:
    category = session.get(TicketCategory, int(raw)) if is_id(raw) else None
    if category is None or not category.is_active:
        errors.add(field, "visits.choose_category")
        return None
    return category.id


@dataclasses.dataclass(frozen=True)
class _Issue:
    text: str
    action: IssueAction
    category_id: int | None
    ticket_kind: str
    promised_on: date | None


def _issues(session: Session, errors: FieldErrors, issues: list[IssueInput], today: date) -> list[_Issue]:
    checked = []
    for index, issue in enumerate(issues[:MAX_ISSUES]):
        if issue.blank:
            continue
        text = clean_text(errors, issue_field("text", index), issue.text, max_length=500, required=True)
        action = parse_choice(errors, issue_field("action", index), issue.action, IssueAction,
                              key="visits.action_invalid", default=IssueAction.ANSWERED)
        category = None
        if action in (IssueAction.TICKET, IssueAction.SUGGESTION):
            category = _category(session, errors, issue_field("category", index), issue.category_id)
        kind = str(issue.ticket_kind or "request")
        if action == IssueAction.TICKET and kind not in TICKET_KINDS:
            errors.add(issue_field("kind", index), "visits.ticket_kind_invalid")
        promised = None
        if action != IssueAction.ANSWERED:  # answered on the spot: nothing to promise
            promised = parse_date(errors, issue_field("promised", index), issue.promised_on,
                                  required=action == IssueAction.PENDING, not_before=today,
                                  not_after=today + timedelta(days=PROMISE_DAYS))
        checked.append(_Issue(text, action, category, kind, promised))
    return checked


def _first_line(text: str, length: int = 30) -> str:
    line = text.strip().splitlines()[0]
    return line[:length] + ("…" if len(line) > length else "")


def _open_ticket(session: Session, actor: Principal, visit: Visit, issue: _Issue, room: Room) -> int:
    ticket = create_ticket(session, actor=actor, data=TicketInput(
        kind=issue.ticket_kind, category_id=issue.category_id, tier=Tier.NORMAL.value, channel=Channel.VISIT.value,
        title=_first_line(issue.text), description=f"{issue.text}\n\n(走访 #{visit.id} · {visit.visited_on.isoformat()})",
        room_id=room.id))
    return ticket.id


def _enter_suggestion(session: Session, actor: Principal, visit: Visit, issue: _Issue, room: Room,
                      owner_name: str) -> int:
    suggestion = intake.enter_suggestion(session, actor=actor, data=intake.SuggestionInput(
        community_id=room.community_id, channel="visit", category_id=issue.category_id, content=issue.text,
        room_code=room.code, submitter_name=(visit.met_name or owner_name)[:40], source=f"visit:{visit.id}"))
    return suggestion.id


def count_visit(session: Session, visit: Visit) -> list[int]:
    """The tasks this visit counts towards (its visitor's weekly round, its building's quarterly visit, its
    household's door-to-door visit, of the periods containing its day): one more visit each, done at the target.
    Plain UPDATEs, so two visits recorded at once both count."""
    if visit.met == Met.NOBODY:
        return []
    subjects = {PlanKind.WEEKLY: VisitTask.subject == f"u{visit.visitor_id}",
                PlanKind.QUARTERLY: VisitTask.building_id == visit.building_id,
                PlanKind.DOOR_TO_DOOR: VisitTask.room_id == visit.room_id}
    fits = sa.or_(*(sa.and_(VisitTask.kind == kind, subject) for kind, subject in subjects.items()
                    if counts_towards(kind, visit.method, visit.met)))
    task_ids = list(session.scalars(sa.select(VisitTask.id).where(
        VisitTask.community_id == visit.community_id, VisitTask.starts_on <= visit.visited_on,
        VisitTask.ends_on >= visit.visited_on, fits)).all())
    if task_ids:
        session.execute(sa.update(VisitTask).where(col(VisitTask.id).in_(task_ids))
                        .values(visits=VisitTask.visits + 1).execution_options(synchronize_session=False))
        session.execute(sa.update(VisitTask).where(
            col(VisitTask.id).in_(task_ids), VisitTask.status == TaskStatus.PENDING,
            VisitTask.visits >= VisitTask.target)
            .values(status=TaskStatus.DONE, completed_at=utcnow()).execution_options(synchronize_session=False))
    return task_ids


def record_visit(session: Session, *, actor: Principal, data: VisitInput, today: date | None = None) -> Visit:
    actor.require(Perm.VISITS_RECORD)
    today = today or local_today()
    errors = FieldErrors()
    room = _room(session, errors, actor, data.room_code)
    visited_on = parse_date(errors, "visited_on", data.visited_on, not_after=today,
                            not_before=today - timedelta(days=BACKDATE_DAYS), too_early="visits.too_long_ago")
    method = parse_choice(errors, "method", data.method, Method, key="visits.method_invalid", default=Method.DOOR)
    met = parse_choice(errors, "met", data.met, Met, key="visits.met_invalid", default=None)
    met_name = clean_text(errors, "met_name", data.met_name, max_length=40)
    topics = clean_text(errors, "topics", data.topics, max_length=1000, required=met not in (None, Met.NOBODY))
    satisfaction = _satisfaction(errors, data.satisfaction, met)
    issues = _issues(session, errors, data.issues, today)
    if met == Met.NOBODY and issues:
        errors.add("met", "visits.nobody_raised_nothing")
    errors.raise_if_any()
    owner = room_owner(session, room.id)
    visit = Visit(community_id=room.community_id, building_id=room.building_id, room_id=room.id,
                  owner_id=owner.id if owner else None, visitor_id=actor.user_id, visited_on=visited_on,
                  method=method, met=met, met_name=met_name, topics=topics, satisfaction=satisfaction)
    session.add(visit)
    session.flush()
    made: dict[str, list[int]] = {"tickets": [], "suggestions": []}
    for issue in issues:
        row = VisitIssue(visit_id=visit.id, community_id=visit.community_id, room_id=room.id, text=issue.text,
                         action=issue.action, promised_on=issue.promised_on)
        if issue.action == IssueAction.TICKET:
            row.ticket_id = _open_ticket(session, actor, visit, issue, room)
            made["tickets"].append(row.ticket_id)
        elif issue.action == IssueAction.SUGGESTION:
            row.suggestion_id = _enter_suggestion(session, actor, visit, issue, room, owner.name if owner else "")
            made["suggestions"].append(row.suggestion_id)
        session.add(row)
        session.flush()
        if row.promised_on is not None:
            publish(session, IssueNews(row.id, REPLY_PROMISED))
    tasks = count_visit(session, visit)
    record(session, action="visit.record", actor=actor, entity_type="visit", entity_id=visit.id,
           community_id=visit.community_id,
           details={"room": room.code, "day": visited_on.isoformat(), "method": str(method), "met": str(met),
                    "issues": len(issues), **made, "tasks": tasks})
    return visit
