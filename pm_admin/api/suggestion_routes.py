"""Owner endpoints of the suggestion box 意见箱: my suggestions with where each stands and the reply, and writing one
for a room of mine. The portal page's services decide (a room that is not mine reads as missing, like a ticket's)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlmodel import Session

from pm_admin.api import cursors, idempotency
from pm_admin.api.errors import ApiRefusal
from pm_admin.api.params import ERRORS, Cursor, IdempotencyKey, Language, Limit, Owner
from pm_admin.api.suggestion_schemas import MySuggestion, SuggestionPage, SuggestionRequest
from pm_admin.core.db import unit_of_work
from pm_admin.core.permissions import OwnerPrincipal
from pm_admin.portal import queries as portal_queries
from pm_admin.suggestions import queries
from pm_admin.suggestions.services import intake

router = APIRouter(prefix="/suggestions", tags=["owner"], responses=ERRORS)


def _with_rooms(session: Session, owner: OwnerPrincipal, rows: list[dict]) -> list[dict]:
    labels = {int(r["value"]): r["label"] for r in portal_queries.room_labels(session, owner)}
    return [MySuggestion.model_validate({**row, "room": labels.get(row["room_id"] or 0, "")}).model_dump()
            for row in rows]


@router.get("", response_model=SuggestionPage, summary="My suggestions, newest first, with their status and reply")
def my_suggestions(caller: Owner, limit: Limit = 20, cursor: Cursor = None,
                   accept_language: Language = None) -> SuggestionPage:
    before = cursors.decode(cursor)
    with unit_of_work() as session:
        rows = queries.owner_suggestions(session, caller.owner, cursors.language_of(accept_language), limit=limit,
                                         before_id=before)
        items = _with_rooms(session, caller.owner, rows)
    return SuggestionPage(items=items, next_cursor=cursors.next_cursor(items, limit))


@router.post("", status_code=201, response_model=MySuggestion,
             summary="Write a suggestion for one of my rooms (answered by the reply due date)")
def create_suggestion(body: SuggestionRequest, caller: Owner, idempotency_key: IdempotencyKey = None,
                      accept_language: Language = None) -> JSONResponse:
    """Refusals: 404 `error.not_found` (not my room); 422 `error.validation_failed` with `fields`:
    `category_id` `suggestions.choose_category` (no such active category), `content` `error.required` (empty or
    blank) or `error.too_long`."""
    language = cursors.language_of(accept_language)

    def work(session):
        suggestion = intake.submit_from_portal(session, owner=caller.owner, room_id=body.room_id,
                                               category_id=body.category_id, content=body.content)
        row = queries.owner_suggestion(session, caller.owner, suggestion.id, language)
        if row is None:  # written under this account a moment ago: cannot happen
            raise ApiRefusal(404, "error.not_found")
        return 201, _with_rooms(session, caller.owner, [row])[0]
    status, answer = idempotency.once(caller.key, idempotency_key, body.model_dump(), work)
    return JSONResponse(answer, status_code=status)
