"""Owner endpoints of surveys: the questionnaires waiting for one of my rooms, answering one (the rules of the
one-time links: once per household, counted as online), and the published results of my communities."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from pm_admin.api import cursors
from pm_admin.api.errors import ApiRefusal
from pm_admin.api.params import ERRORS, Id, Language, Owner
from pm_admin.core.db import unit_of_work
from pm_admin.portal import surveys

router = APIRouter(prefix="/surveys", tags=["owner"], responses=ERRORS)


class SurveyTask(BaseModel):
    plan_id: int
    room_id: int
    title: str
    room: str
    ends_on: str


class Questionnaire(BaseModel):
    plan_id: int
    room_id: int
    title: str
    purpose: str
    room: str
    ends_on: str
    answered: bool
    questions: list[dict[str, Any]]


class Answers(BaseModel):
    # question id → a score 1–5, a choice, choices, or text, as the question asks
    answers: dict[str, int | str | list[str]] = Field(max_length=100)


class PublishedResult(BaseModel):
    plan_id: int
    title: str
    period: str
    community: str
    index: float | None
    actions: int


@router.get("", response_model=list[SurveyTask], summary="Questionnaires waiting for one of my rooms")
def tasks(caller: Owner) -> list[dict]:
    with unit_of_work() as session:
        return surveys.tasks(session, caller.owner)


@router.get("/results", response_model=list[PublishedResult], summary="Published results of my communities")
def published(caller: Owner, accept_language: Language = None) -> list[dict]:
    with unit_of_work() as session:
        return surveys.published(session, caller.owner, cursors.language_of(accept_language))


@router.get("/{plan_id}/rooms/{room_id}", response_model=Questionnaire)
def questionnaire(plan_id: Id, room_id: Id, caller: Owner) -> dict:
    with unit_of_work() as session:
        found = surveys.questionnaire(session, caller.owner, plan_id, room_id)
    if found is None:
        raise ApiRefusal(404, "error.not_found")
    return found


@router.post("/{plan_id}/rooms/{room_id}/answers", status_code=204, response_class=Response,
             summary="Answer for one of my rooms (once per household)")
def answer(plan_id: Id, room_id: Id, body: Answers, caller: Owner) -> Response:
    answers = {}
    for key, value in body.answers.items():
        if not key.isdigit() or len(key) > 10:
            raise ApiRefusal(422, "error.validation_failed")
        answers[int(key)] = value
    with unit_of_work() as session:
        surveys.answer(session, caller.owner, plan_id, room_id, answers)
    return Response(status_code=204)
