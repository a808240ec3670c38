"""What the activity endpoints read and answer (kept apart from schemas.py, which the other owner endpoints use)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from pm_admin.activities.models import MAX_PEOPLE
from pm_admin.api.schemas import Room
from pm_admin.core.ids import MAX_ID


class OpenActivity(BaseModel):
    id: int
    title: str
    theme: str
    community: str
    starts_at: str
    place: str
    description: str
    capacity: int  # people
    remaining: int  # people who still fit before the waiting list starts
    rooms: list[Room]  # my rooms of its community that have not signed up yet


class MySignup(BaseModel):
    id: int
    activity_id: int
    title: str
    room_id: int
    room: str
    people: int
    status: Literal["confirmed", "waiting"]
    position: int | None  # place in the waiting list while waiting (1: promoted first)
    starts_at: str
    place: str
    checked_in: bool
    can_cancel: bool


class EvaluationTask(BaseModel):
    activity_id: int
    room_id: int
    title: str
    room: str


class MyActivities(BaseModel):
    open: list[OpenActivity]  # open for sign-up, in my communities, soonest first
    signups: list[MySignup]  # my households' sign-ups (cancelled ones left out), latest activity first
    evaluations: list[EvaluationTask]  # held activities a household of mine checked in to and has not rated


class SignupRequest(BaseModel):
    room_id: int = Field(ge=1, le=MAX_ID)
    people: int = Field(default=1, ge=1, le=MAX_PEOPLE)


class SignupAnswer(BaseModel):
    id: int
    activity_id: int
    room_id: int
    room: str
    people: int
    status: Literal["confirmed", "waiting"]
    position: int | None  # place in the waiting list when waiting


class EvaluationRequest(BaseModel):
    room_id: int = Field(ge=1, le=MAX_ID)
    score: int = Field(ge=1, le=5)
    comment: str = Field(default="", max_length=500)


class Evaluation(BaseModel):
    activity_id: int
    room_id: int
    score: int
    comment: str
    at: str
