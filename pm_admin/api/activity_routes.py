"""Owner endpoints of community activities: the open activities of my communities and my sign-ups, signing a
household of mine up (confirmed while the people fit, the waiting list beyond), cancelling (the waiting households
that now fit are promoted), and evaluating a held activity once after checking in. The portal's services decide."""

from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse

from pm_admin.activities import queries
from pm_admin.activities.models import SignupStatus
from pm_admin.activities.services import evaluations, signups
from pm_admin.api import idempotency
from pm_admin.api.activity_schemas import (
    Evaluation,
    EvaluationRequest,
    MyActivities,
    SignupAnswer,
    SignupRequest,
)
from pm_admin.api.params import ERRORS, Id, IdempotencyKey, Owner
from pm_admin.core.clock import local_text
from pm_admin.core.db import unit_of_work

router = APIRouter(prefix="/activities", tags=["owner"], responses=ERRORS)


@router.get("", response_model=MyActivities, summary="Open activities of my communities, my sign-ups, and the "
                                                      "evaluations waiting for me")
def my_activities(caller: Owner) -> dict:
    with unit_of_work() as session:
        view = queries.owner_activities(session, caller.owner)
    return {"open": [{**a, "rooms": [{"id": int(r["value"]), "label": r["label"]} for r in a["rooms"]]}
                     for a in view["open"]],
            "signups": view["signups"], "evaluations": view["tasks"]}


@router.post("/{activity_id}/signups", status_code=201, response_model=SignupAnswer,
             summary="Sign a household of mine up (waiting list beyond the capacity)")
def sign_up(activity_id: Id, body: SignupRequest, caller: Owner,
            idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """Confirmed while the people fit and nobody waits; otherwise waiting, with the place in the queue.
    Refusals: 404 `error.not_found` (not my room, or no such open activity in the room's community);
    422 `activities.already_signed_up`, `activities.wrong_status` (sign-up not open), `error.validation_failed`."""

    def work(session):
        row = signups.sign_up_owner(session, owner=caller.owner, activity_id=activity_id, room_id=body.room_id,
                                    people=body.people)
        position = queries.waiting_positions(session, {row.activity_id}).get(row.id) \
            if row.status == SignupStatus.WAITING else None
        return 201, SignupAnswer(id=row.id, activity_id=row.activity_id, room_id=row.room_id, room=row.room_code,
                                 people=row.people, status=str(row.status), position=position).model_dump()
    status, answer = idempotency.once(caller.key, idempotency_key, {"activity": activity_id, **body.model_dump()},
                                      work)
    return JSONResponse(answer, status_code=status)


@router.delete("/{activity_id}/signups/{signup_id}", status_code=204, response_class=Response,
               summary="Cancel a sign-up of mine (the waiting households that now fit are promoted)")
def cancel(activity_id: Id, signup_id: Id, caller: Owner) -> Response:
    """Refusals: 404 `error.not_found` (not a sign-up of mine for this activity); 422 `activities.already_cancelled`,
    `activities.already_checked_in`, `activities.wrong_status` (the activity was held)."""
    with unit_of_work() as session:
        signups.cancel_owner(session, owner=caller.owner, signup_id=signup_id, activity_id=activity_id)
    return Response(status_code=204)


@router.post("/{activity_id}/evaluation", status_code=201, response_model=Evaluation,
             summary="Evaluate a held activity for a household of mine that checked in (once)")
def evaluate(activity_id: Id, body: EvaluationRequest, caller: Owner,
             idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """Refusals: 404 `error.not_found` (not my room, or no such activity in the room's community);
    422 `activities.not_checked_in`, `activities.wrong_status` (not held yet), `activities.already_evaluated`,
    `error.validation_failed` (score 1–5, comment up to 500 characters)."""

    def work(session):
        row = evaluations.evaluate(session, owner=caller.owner, activity_id=activity_id, room_id=body.room_id,
                                   score=body.score, comment=body.comment)
        return 201, Evaluation(activity_id=row.activity_id, room_id=row.room_id, score=row.score, comment=row.comment,
                               at=local_text(row.created_at)).model_dump()
    status, answer = idempotency.once(caller.key, idempotency_key, {"activity": activity_id, **body.model_dump()},
                                      work)
    return JSONResponse(answer, status_code=status)
