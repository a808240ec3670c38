"""What the suggestion box endpoints read and answer (kept apart from schemas.py, like the activities' own)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from pm_admin.core.ids import MAX_ID
from pm_admin.suggestions.services.intake import CONTENT_LENGTH


class SuggestionRequest(BaseModel):
    room_id: int = Field(ge=1, le=MAX_ID)  # one of my rooms
    category_id: int = Field(ge=1, le=MAX_ID)  # from GET /categories
    # Empty or blank content is refused by the service with the field named (422 `error.required` on `content`).
    content: str = Field(max_length=CONTENT_LENGTH)


class MySuggestion(BaseModel):
    id: int
    received_at: str
    room_id: int | None
    room: str  # the room's label while it is still mine, else ""
    category_id: int
    category: str
    content: str
    status: Literal["new", "triaged", "replied", "closed"]
    outcome: Literal["", "accepted", "ticket", "declined", "duplicate"]  # "" until triaged
    reply: str  # "" until replied
    replied_at: str  # "" until replied
    reply_due_on: str  # ISO date the reply is due by


class SuggestionPage(BaseModel):
    items: list[MySuggestion]  # newest first
    next_cursor: str | None
