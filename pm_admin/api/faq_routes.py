"""Owner endpoint of the FAQ assistant 常见问题: ask a question for a community of mine (a WeCom bot asks on the
owner's behalf with the owner's token). The service answers, logs the question, and decides the band."""

from __future__ import annotations

from fastapi import APIRouter

from pm_admin.api.errors import ApiRefusal
from pm_admin.api.faq_schemas import FaqAnswer, FaqAskRequest, FaqReply, FaqTicketOffer
from pm_admin.api.params import ERRORS, Owner
from pm_admin.core.db import unit_of_work
from pm_admin.faq import services
from pm_admin.faq.models import AskChannel

router = APIRouter(prefix="/faq", tags=["owner"], responses=ERRORS)


def _answer(p: services.Proposal) -> FaqAnswer:
    return FaqAnswer(entry_id=p.entry_id, question=p.question, answer=p.answer, category=p.category)


@router.post("/ask", response_model=FaqReply,
             summary="Ask the FAQ: the answer, three proposals, or a ticket offer prefilled with the question")
def ask(body: FaqAskRequest, caller: Owner) -> FaqReply:
    """Refusals: 404 `error.not_found` (not a community of mine, or no room to take the community from); 422 `error.validation_failed` with `fields`: `text` `error.required` (empty or blank) or
    `error.too_long`."""
    owner = caller.owner
    community_id = body.community_id
    if community_id is None:
        if not owner.rooms:
            raise ApiRefusal(404, "error.not_found")
        community_id = owner.rooms[0].community_id
    with unit_of_work() as session:
        reply = services.ask(session, asker=owner, community_id=community_id, text=body.text, channel=AskChannel.API)
    ticket = reply.ticket
    return FaqReply(query_id=reply.query_id, band=str(reply.band), answer=_answer(reply.answer) if reply.answer else None,
                    proposals=[_answer(p) for p in reply.proposals],
                    ticket=FaqTicketOffer(community_id=ticket.community_id, title=ticket.title,
                                          description=ticket.description) if ticket else None)
