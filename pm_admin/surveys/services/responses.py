"""Responses: one per household and plan, entered by staff (phone, visit, paper) or by the owner through a
one-time link. Each response adds its ratings to the score rollup in the same transaction."""

from __future__ import annotations

import dataclasses
import hashlib
import secrets
from datetime import datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from pm_admin.core.audit import record
from pm_admin.core.clock import DISPLAY_ZONE, utcnow
from pm_admin.core.errors import DomainError, FieldErrors, NotFound
from pm_admin.core.ids import is_id
from pm_admin.core.permissions import OwnerPrincipal, Perm, PortalPerm, Principal
from pm_admin.owners.models import Ownership
from pm_admin.places.models import Building, Room
from pm_admin.surveys.models import (
    Method,
    PlanStatus,
    QuestionKind,
    SurveyAnswer,
    SurveyLink,
    SurveyPlan,
    SurveyQuestion,
    SurveyResponse,
    SurveyScore,
    SurveyTarget,
)
from pm_admin.surveys.services.plans import scoped_plan

MAX_TEXT = 1000


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def targeted_households(session: Session, plan_id: int, community_id: int | None = None) -> sa.Select:
    """Rooms with a current owner inside the plan's targets (whole communities or listed buildings)."""
    targets = select(SurveyTarget.community_id, SurveyTarget.building_id).where(SurveyTarget.plan_id == plan_id)
    if community_id is not None:
        targets = targets.where(SurveyTarget.community_id == community_id)
    clauses = [sa.and_(Room.community_id == c, Room.building_id == b) if b else Room.community_id == c
               for c, b in session.exec(targets).all()]
    owned = sa.exists().where(Ownership.room_id == Room.id, col(Ownership.ended_on).is_(None))
    return sa.select(Room.id).where(sa.or_(*clauses) if clauses else sa.false(), owned)


def is_targeted(session: Session, plan_id: int, room_id: int) -> bool:
    """The room is a household the plan asks."""
    return session.scalar(sa.select(sa.func.count()).select_from(
        targeted_households(session, plan_id).where(Room.id == room_id).subquery())) > 0


def answers_end(plan: SurveyPlan) -> datetime:
    """Answers are taken until the end of the plan's last day (Shanghai): when its links expire."""
    return datetime.combine(plan.ends_on + timedelta(days=1), time(), DISPLAY_ZONE)


def has_answered(session: Session, plan_id: int, room_id: int) -> bool:
    return session.exec(select(SurveyResponse.id).where(SurveyResponse.plan_id == plan_id,
                                                        SurveyResponse.room_id == room_id)).first() is not None


# ------------------------------------------------------------------ links

@dataclasses.dataclass(frozen=True)
class IssuedLink:
    room_code: str
    token: str


def issue_links(session: Session, *, actor: Principal, plan_id: int, community_id: int) -> list[IssuedLink]:
    """A fresh one-time link for every targeted household of the community that has not answered yet.

    Only the token's hash is stored, so the list is handed out now (printed or sent); issuing again replaces
    the unused links of the community.
    """
    actor.require(Perm.SURVEYS_MANAGE)
    plan = scoped_plan(session, actor, plan_id)
    actor.require_community(community_id)
    if plan.status != PlanStatus.OPEN:
        raise DomainError("surveys.not_open")
    answered = select(SurveyResponse.room_id).where(SurveyResponse.plan_id == plan_id)
    rooms = session.execute(sa.select(Room.id, Room.code).where(
        Room.id.in_(targeted_households(session, plan_id, community_id)), Room.id.not_in(answered))
        .order_by(Room.sort_key)).all()
    session.execute(sa.delete(SurveyLink).where(SurveyLink.plan_id == plan_id, col(SurveyLink.used_at).is_(None),
                                                SurveyLink.room_id.in_([r for r, _ in rooms])))
    expires = answers_end(plan)
    issued = [IssuedLink(code, secrets.token_urlsafe(16)) for _, code in rooms]
    if rooms:
        session.execute(sa.insert(SurveyLink), [
            {"plan_id": plan_id, "room_id": room_id, "token_hash": token_hash(link.token), "issued_at": utcnow(),
             "expires_at": expires, "used_at": None} for (room_id, _), link in zip(rooms, issued, strict=True)])
    record(session, action="surveys.issue_links", actor=actor, entity_type="survey_plan", entity_id=plan_id,
           community_id=community_id, details={"links": len(issued)})
    return issued


def link_for(session: Session, token: str, now: datetime | None = None) -> SurveyLink:
    """The usable link behind a token, or a DomainError saying why not (unknown, used, expired, closed)."""
    link = session.exec(select(SurveyLink).where(SurveyLink.token_hash == token_hash(token))).first() if token else None
    if link is None:
        raise DomainError("surveys.link_unknown")
    if link.used_at is not None or has_answered(session, link.plan_id, link.room_id):
        raise DomainError("surveys.link_used")  # spent, or the household answered otherwise (portal, staff)
    plan = session.get(SurveyPlan, link.plan_id)
    if (now or utcnow()) >= link.expires_at or plan.status != PlanStatus.OPEN:
        raise DomainError("surveys.link_expired")
    return link


# ------------------------------------------------------------------ answering

def _validated(questions: list[SurveyQuestion], answers: dict[int, object]) -> list[dict]:
    """Answer rows for the questions, or ValidationFailed with one message per question field ``q<id>``."""
    errors, rows = FieldErrors(), []
    for question in questions:
        value, field = answers.get(question.id), f"q{question.id}"
        row = {"question_id": question.id, "rating": None, "choices": "", "text": ""}
        if question.kind == QuestionKind.RATING:
            rating = int(value) if str(value or "").strip().isdigit() else None
            if rating is None:
                if question.required:
                    errors.add(field, "surveys.answer_required")
                continue
            if not 1 <= rating <= 5:
                errors.add(field, "surveys.rating_invalid")
            row["rating"] = rating
        elif question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            chosen = [value] if isinstance(value, str) else list(value or [])
            chosen = [str(c) for c in chosen if str(c).strip()]
            if not chosen:
                if question.required:
                    errors.add(field, "surveys.answer_required")
                continue
            if not set(chosen) <= set(question.options.splitlines()) or (
                    question.kind == QuestionKind.SINGLE and len(chosen) > 1):
                errors.add(field, "surveys.choice_invalid")
            row["choices"] = "\n".join(chosen)
        else:
            text = str(value or "").strip()
            if not text:
                if question.required:
                    errors.add(field, "surveys.answer_required")
                continue
            if len(text) > MAX_TEXT:
                errors.add(field, "error.too_long", max=MAX_TEXT)
            row["text"] = text
        rows.append(row)
    errors.raise_if_any()
    return rows


def _add_to_scores(session: Session, response: SurveyResponse, rows: list[dict],
                   questions: dict[int, SurveyQuestion]) -> None:
    totals: dict[str, list[int]] = {}
    for row in rows:
        indicator = questions[row["question_id"]].indicator
        if row["rating"] is not None and indicator is not None:
            total = totals.setdefault(str(indicator), [0, 0])
            total[0], total[1] = total[0] + row["rating"], total[1] + 1
    dialect_insert = sqlite_insert if session.get_bind().dialect.name == "sqlite" else postgres_insert
    for indicator, (rating_sum, count) in totals.items():
        statement = dialect_insert(SurveyScore).values(
            plan_id=response.plan_id, community_id=response.community_id, building_id=response.building_id,
            steward_id=response.steward_id or 0, indicator=indicator, rating_sum=rating_sum, rating_count=count)
        session.execute(statement.on_conflict_do_update(
            index_elements=["plan_id", "building_id", "steward_id", "indicator"],
            set_={"rating_sum": SurveyScore.rating_sum + rating_sum,
                  "rating_count": SurveyScore.rating_count + count}))


def _questions(session: Session, plan_id: int) -> list[SurveyQuestion]:
    return list(session.exec(select(SurveyQuestion).where(SurveyQuestion.plan_id == plan_id)
                             .order_by(SurveyQuestion.position)).all())


def _save(session: Session, plan: SurveyPlan, room: Room, method: Method, answers: dict[int, object],
          entered_by: str) -> SurveyResponse:
    questions = _questions(session, plan.id)
    rows = _validated(questions, answers)
    if has_answered(session, plan.id, room.id):
        raise DomainError("surveys.already_answered")
    steward = session.scalar(sa.select(Building.steward_user_id).where(Building.id == room.building_id))
    response = SurveyResponse(plan_id=plan.id, room_id=room.id, community_id=room.community_id,
                              building_id=room.building_id, steward_id=steward, method=method, entered_by=entered_by)
    session.add(response)
    try:
        session.flush()  # the unique (plan, room) constraint refuses a concurrent second answer here
    except IntegrityError as error:  # the other answer committed first (a link and the portal at once)
        raise DomainError("surveys.already_answered") from error
    session.execute(sa.insert(SurveyAnswer), [{**row, "response_id": response.id} for row in rows])
    _add_to_scores(session, response, rows, {q.id: q for q in questions})
    return response


def answer_by_link(session: Session, *, token: str, answers: dict[int, object],
                   now: datetime | None = None) -> SurveyResponse:
    """The owner's own answer; the link is spent in the same transaction."""
    link = link_for(session, token, now)
    _validated(_questions(session, link.plan_id), answers)  # a mistake leaves the link usable
    spent = session.execute(sa.update(SurveyLink).where(SurveyLink.id == link.id, col(SurveyLink.used_at).is_(None))
                            .values(used_at=now or utcnow()))
    if spent.rowcount != 1:  # a second tab submitted first
        raise DomainError("surveys.link_used")
    room = session.get(Room, link.room_id)
    return _save(session, session.get(SurveyPlan, link.plan_id), room, Method.ONLINE, answers, "")


def answer_for_room(session: Session, *, owner: OwnerPrincipal, plan_id: object, room_id: object,
                    answers: dict[int, object], now: datetime | None = None) -> SurveyResponse:
    """The owner's own answer from the portal for one of their rooms: the rules of a link (an open plan until its
    last day, a household it asks, one response per room, counted as online). The room's unused link is spent in
    the same transaction, so the link then says it was used; a link used first leaves a response that refuses
    this one."""
    owner.require(PortalPerm.SURVEYS)
    if not is_id(plan_id) or not is_id(room_id):
        raise NotFound("survey_plan")
    owner.room(int(room_id))  # refuses a room that is not theirs
    plan = session.get(SurveyPlan, int(plan_id))
    room = session.get(Room, int(room_id))
    if plan is None or plan.status == PlanStatus.DRAFT or room is None or not is_targeted(session, plan.id, room.id):
        raise NotFound("survey_plan")
    now = now or utcnow()
    if plan.status != PlanStatus.OPEN or now >= answers_end(plan):
        raise DomainError("surveys.link_expired")
    if has_answered(session, plan.id, room.id):
        raise DomainError("surveys.already_answered")
    _validated(_questions(session, plan.id), answers)  # a mistake spends nothing
    session.execute(sa.update(SurveyLink).where(SurveyLink.plan_id == plan.id, SurveyLink.room_id == room.id,
                                                col(SurveyLink.used_at).is_(None)).values(used_at=now))
    response = _save(session, plan, room, Method.ONLINE, answers, "")
    record(session, action="surveys.portal_response", actor_name=f"owner_account:{owner.account_id}",
           client=owner.client, entity_type="room", entity_id=room.id, community_id=room.community_id,
           details={"plan": plan.id})
    return response


def enter_response(session: Session, *, actor: Principal, plan_id: int, room_code: str, method: str,
                   answers: dict[int, object]) -> SurveyResponse:
    """A response taken by staff by phone, visit or paper for one household of the plan."""
    actor.require(Perm.SURVEYS_ENTER)
    plan = scoped_plan(session, actor, plan_id)
    errors = FieldErrors()
    if plan.status != PlanStatus.OPEN:
        raise DomainError("surveys.not_open")
    if method not in (Method.PHONE, Method.VISIT, Method.PAPER):
        errors.add("method", "error.required")
    room = session.exec(select(Room).where(Room.code == room_code.strip().upper())).first()
    if room is None or not actor.can_access_community(room.community_id):
        errors.add("room_code", "surveys.room_unknown")
    elif not is_targeted(session, plan_id, room.id):
        errors.add("room_code", "surveys.room_not_targeted")
    errors.raise_if_any()
    response = _save(session, plan, room, Method(method), answers, actor.username)
    record(session, action="surveys.enter_response", actor=actor, entity_type="room", entity_id=room.id,
           community_id=room.community_id, details={"plan": plan_id, "method": method})
    return response


def rebuild_scores(session: Session, plan_id: int) -> None:
    """Recompute a plan's rollup from its answers (after bulk-loaded responses, e.g. demo data)."""
    session.execute(sa.delete(SurveyScore).where(SurveyScore.plan_id == plan_id))
    steward = sa.func.coalesce(SurveyResponse.steward_id, 0)
    totals = sa.select(SurveyResponse.plan_id, SurveyResponse.community_id, SurveyResponse.building_id,
                       steward, SurveyQuestion.indicator, sa.func.sum(SurveyAnswer.rating),
                       sa.func.count(SurveyAnswer.rating)) \
        .join(SurveyAnswer, SurveyAnswer.response_id == SurveyResponse.id) \
        .join(SurveyQuestion, SurveyQuestion.id == SurveyAnswer.question_id) \
        .where(SurveyResponse.plan_id == plan_id, col(SurveyAnswer.rating).is_not(None),
               col(SurveyQuestion.indicator).is_not(None)) \
        .group_by(SurveyResponse.plan_id, SurveyResponse.community_id, SurveyResponse.building_id, steward,
                  SurveyQuestion.indicator)
    session.execute(sa.insert(SurveyScore).from_select(
        ["plan_id", "community_id", "building_id", "steward_id", "indicator", "rating_sum", "rating_count"], totals))
