"""What the FAQ endpoint reads and answers (for the portal's clients and a WeCom bot)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from pm_admin.core.ids import MAX_ID
from pm_admin.faq.services import ASKED_LENGTH


class FaqAskRequest(BaseModel):
    # One of my communities; left out, the community of my first room (an owner of rooms in several names it).
    community_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    # Empty or blank text is refused by the service with the field named (422 `error.required` on `text`).
    text: str = Field(max_length=ASKED_LENGTH)


class FaqAnswer(BaseModel):
    entry_id: int
    question: str
    answer: str  # Markdown
    category: str


class FaqTicketOffer(BaseModel):
    """A ticket the owner may open (POST /tickets), prefilled with the question."""

    community_id: int
    title: str
    description: str


class FaqReply(BaseModel):
    query_id: int  # the logged question
    band: Literal["high", "middle", "low", "ticket"]  # high: answered; middle: three proposed; low/ticket: a ticket
    answer: FaqAnswer | None  # high only
    proposals: list[FaqAnswer]  # middle: the top three; ticket: entries that may still help
    ticket: FaqTicketOffer | None  # low, or words of a repair or a complaint
