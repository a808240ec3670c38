"""What the API reads and answers (the OpenAPI document is generated from these)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Text = Field(max_length=4000)


class TokenRequest(BaseModel):
    phone: str = Field(min_length=1, max_length=32)
    password: str | None = Field(default=None, max_length=256)
    code: str | None = Field(default=None, max_length=12)


class ActivationCodeRequest(BaseModel):
    invitation: str = Field(min_length=1, max_length=64)  # the token of the invitation link


class ActivationRequest(BaseModel):
    invitation: str = Field(min_length=1, max_length=64)
    code: str = Field(min_length=1, max_length=12)
    password: str = Field(min_length=1, max_length=256)


class CodeRequest(BaseModel):
    phone: str = Field(min_length=1, max_length=32)


class TokenAnswer(BaseModel):
    token: str
    expires_in: int  # seconds, at most (a week unused ends it sooner)


class Room(BaseModel):
    id: int
    label: str


class Me(BaseModel):
    name: str
    rooms: list[Room]


class Choice(BaseModel):
    value: str
    label: str


class TicketSummary(BaseModel):
    id: int
    code: str
    title: str
    kind: str
    kind_text: str
    status: str
    status_text: str
    created_at: str
    room: str


class TimelineLine(BaseModel):
    at: str
    kind: str
    text: str


class TicketDetail(TicketSummary):
    description: str
    promise: str
    resolution: str
    resolved_at: str
    can_rate: bool
    rate_scores: bool
    timeline: list[TimelineLine]


class TicketPage(BaseModel):
    items: list[TicketSummary]
    next_cursor: str | None


class NewTicket(BaseModel):
    kind: Literal["repair", "complaint", "suggestion", "inquiry"]
    room_id: int = Field(ge=1, le=2**31 - 1)
    category_id: int = Field(ge=1, le=2**31 - 1)
    description: str = Field(min_length=1, max_length=4000)
    urgent: bool = False
    preferred_time: str = Field(default="", max_length=64)


class Score(BaseModel):
    attitude: int = Field(ge=1, le=5)
    efficiency: int = Field(ge=1, le=5)
    skill: int = Field(ge=1, le=5)
    result: int = Field(ge=1, le=5)
    overall: int = Field(ge=1, le=5)


class RatingRequest(BaseModel):
    satisfied: bool
    comment: str = Field(default="", max_length=500)
    scores: Score | None = None  # required for repairs


class Feedback(BaseModel):
    community_id: int = Field(ge=1, le=2**31 - 1)
    category_id: int = Field(ge=1, le=2**31 - 1)
    description: str = Field(min_length=1, max_length=4000)


class FeedbackAnswer(BaseModel):
    code: str


class Notice(BaseModel):
    id: int
    title: str
    body: str
    at: str
    read: bool
    link: str


class NoticePage(BaseModel):
    items: list[Notice]
    next_cursor: str | None


class Contact(BaseModel):
    name: str = Field(default="", max_length=64)
    phone: str = Field(default="", max_length=32)
    relation: Literal["", "owner", "family", "tenant", "other"] = ""
    preferred_time: str = Field(default="", max_length=64)


class CallCentreTicket(BaseModel):
    kind: Literal["repair", "complaint", "request", "suggestion", "inquiry"]
    tier: Literal["urgent", "important", "normal"] = "normal"
    category_id: int = Field(ge=1, le=2**31 - 1)
    room_code: str = Field(default="", max_length=64)  # or community_id for a public area
    community_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    title: str = Field(min_length=1, max_length=100)
    description: str = Field(default="", max_length=4000)
    contact: Contact = Contact()


class StaffTicket(BaseModel):
    id: int
    code: str
    title: str
    kind: str
    tier: str
    status: str
    channel: str
    community_id: int
    room: str
    category: str
    created_at: str
    sla_state: str


class StaffTicketPage(BaseModel):
    items: list[StaffTicket]
    next_cursor: str | None


class KpiReport(BaseModel):
    period: dict[str, str]
    community: str
    kpis: dict[str, dict]
