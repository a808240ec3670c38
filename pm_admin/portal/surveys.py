"""Surveys in the portal: the survey tasks of the owner's rooms while a plan takes answers, answering one (the
response service of the one-time links: one response per room, counted as online), and the published results and
improvement actions of the owner's communities."""

from __future__ import annotations

from sqlmodel import Session, col, select

from pm_admin.core.clock import local_today
from pm_admin.core.ids import is_id
from pm_admin.core.permissions import OwnerPrincipal, PortalPerm
from pm_admin.places.models import Community, Room
from pm_admin.surveys import queries as survey_queries
from pm_admin.surveys.models import PlanStatus, SurveyPlan, SurveyResponse
from pm_admin.surveys.services import responses
from pm_admin.surveys.services.responses import is_targeted


def _room_names(session: Session, room_ids: set[int]) -> dict[int, str]:
    rows = session.exec(select(Room.id, Room.code, Community.name).join(Community, Community.id == Room.community_id)
                        .where(col(Room.id).in_(sorted(room_ids)))).all() if room_ids else []
    return {room_id: f"{community} {code}" for room_id, code, community in rows}


def tasks(session: Session, owner: OwnerPrincipal) -> list[dict]:
    """The surveys waiting for an answer from one of the owner's rooms (one task per plan and room)."""
    owner.require(PortalPerm.SURVEYS)
    found = survey_queries.household_tasks(session, owner.room_ids, local_today())
    names = _room_names(session, {room_id for _, room_id in found})
    return [{"plan_id": plan.id, "room_id": room_id, "title": plan.title, "room": names.get(room_id, ""),
             "ends_on": str(plan.ends_on), "path": f"/portal/surveys/{plan.id}/{room_id}"}
            for plan, room_id in found]


def pending_count(session: Session, owner: OwnerPrincipal) -> int:
    if not owner.has(PortalPerm.SURVEYS):
        return 0
    return len(survey_queries.household_tasks(session, owner.room_ids, local_today()))


def questionnaire(session: Session, owner: OwnerPrincipal, plan_id: object, room_id: object) -> dict | None:
    """The plan's questions for one of the owner's rooms while it takes answers; None when there is no such task
    (another owner's room, a plan that does not ask it, a crafted id). ``answered`` when the room has answered."""
    owner.require(PortalPerm.SURVEYS)
    if not is_id(plan_id) or not is_id(room_id) or int(room_id) not in owner.room_ids:
        return None
    plan = session.get(SurveyPlan, int(plan_id))
    if plan is None or plan.status != PlanStatus.OPEN or plan.ends_on < local_today() \
            or not is_targeted(session, plan.id, int(room_id)):
        return None
    answered = session.exec(select(SurveyResponse.method).where(SurveyResponse.plan_id == plan.id,
                                                                SurveyResponse.room_id == int(room_id))).first()
    return {"plan_id": plan.id, "room_id": int(room_id), "title": plan.title, "purpose": plan.purpose,
            "room": _room_names(session, {int(room_id)}).get(int(room_id), ""), "ends_on": str(plan.ends_on),
            "answered": answered is not None,
            "questions": [] if answered is not None else survey_queries.questions(session, plan.id)}


def answer(session: Session, owner: OwnerPrincipal, plan_id: object, room_id: object,
           answers: dict[int, object]) -> None:
    responses.answer_for_room(session, owner=owner, plan_id=plan_id, room_id=room_id, answers=answers)


def published(session: Session, owner: OwnerPrincipal, language: str) -> list[dict]:
    """Published results of plans that asked the owner's communities, newest first (one line per community)."""
    owner.require(PortalPerm.SURVEYS)
    lines = []
    for plan, community_ids in survey_queries.published_for(session, owner.community_ids):
        for community_id in community_ids:
            result = survey_queries.community_results(session, plan, community_id, language)
            lines.append({"plan_id": plan.id, "title": plan.title, "period": result["period"],
                          "community": result["community"], "index": result["index"],
                          "actions": len(result["actions"]), "path": f"/portal/results/{plan.id}"})
    return lines


def results(session: Session, owner: OwnerPrincipal, plan_id: object, language: str) -> list[dict] | None:
    """A published plan's results and improvement actions for each of the owner's communities it asked; None for a
    plan that is not published or asked none of them."""
    owner.require(PortalPerm.SURVEYS)
    if not is_id(plan_id):
        return None
    for plan, community_ids in survey_queries.published_for(session, owner.community_ids):
        if plan.id == int(plan_id):
            return [survey_queries.community_results(session, plan, community_id, language)
                    for community_id in community_ids]
    return None
