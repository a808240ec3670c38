"""Owner endpoints: sign in for a token, my rooms, my tickets (report, follow, rate), anonymous feedback, notices.
The same portal services as the phone pages: an owner reaches exactly their own rooms."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from pm_admin.api import cursors, idempotency
from pm_admin.api.errors import ApiRefusal
from pm_admin.api.params import ERRORS, Cursor, Id, IdempotencyKey, Language, Limit, Owner
from pm_admin.api.schemas import (
    ActivationCodeRequest,
    ActivationRequest,
    Choice,
    CodeRequest,
    Feedback,
    FeedbackAnswer,
    Me,
    NewTicket,
    NoticePage,
    RatingRequest,
    TicketDetail,
    TicketPage,
    TokenAnswer,
    TokenRequest,
)
from pm_admin.auth.http import client_of
from pm_admin.core.db import unit_of_work
from pm_admin.portal import notices, queries
from pm_admin.portal.services import sessions, sign_in
from pm_admin.portal.services import tickets as portal_tickets
from pm_admin.portal.services.tickets import Rating, Report

router = APIRouter(tags=["owner"], responses=ERRORS)


@router.post("/auth/token", response_model=TokenAnswer, summary="Sign in with phone + password or phone + code")
def create_token(body: TokenRequest, request: Request) -> TokenAnswer:
    if bool(body.password) == bool(body.code):
        raise ApiRefusal(422, "api.password_or_code")
    with unit_of_work() as session:
        if body.password:
            outcome = sign_in.sign_in_with_password(session, phone=body.phone, password=body.password,
                                                    client=client_of(request))
        else:
            outcome = sign_in.sign_in_with_code(session, phone=body.phone, code=body.code or "",
                                                client=client_of(request))
    return _token_for(outcome)


@router.post("/auth/activation-code", status_code=202, response_class=Response, summary="Text the code that activates an invitation")
def activation_code(body: ActivationCodeRequest) -> Response:
    with unit_of_work() as session:
        if not sign_in.send_activation_code(session, body.invitation):
            raise ApiRefusal(429, "portal.code_wait", headers={"Retry-After": "60"})
    return Response(status_code=202)


@router.post("/auth/activate", response_model=TokenAnswer, summary="Activate an invitation: the texted code and a new "
                                                                   "password; answers a token")
def activate(body: ActivationRequest, request: Request) -> TokenAnswer:
    with unit_of_work() as session:
        outcome = sign_in.activate(session, token=body.invitation, code=body.code, password=body.password,
                                   client=client_of(request))
    return _token_for(outcome)


def _token_for(outcome: sign_in.Outcome) -> TokenAnswer:
    if not outcome.ok:  # committed: the failure counts towards the throttle
        status = 429 if outcome.wait_seconds else 401
        headers = {"Retry-After": str(outcome.wait_seconds)} if outcome.wait_seconds else None
        raise ApiRefusal(status, outcome.message_key, headers=headers, seconds=outcome.wait_seconds)
    with unit_of_work() as session:
        token = sessions.exchange_ticket(session, outcome.ticket)
    return TokenAnswer(token=token, expires_in=int(sessions.ABSOLUTE.total_seconds()))


@router.post("/auth/code", status_code=202, response_class=Response, summary="Text a sign-in code (the same answer whether or not the phone "
                                                    "has an account)")
def send_code(body: CodeRequest) -> Response:
    with unit_of_work() as session:
        sign_in.send_sign_in_code(session, phone=body.phone)
    return Response(status_code=202)


@router.delete("/auth/token", status_code=204, response_class=Response, summary="Sign out: the token stops working")
def delete_token(caller: Owner) -> Response:
    with unit_of_work() as session:
        sessions.end(session, caller.owner.session_id)
    return Response(status_code=204)


@router.get("/me", response_model=Me)
def me(caller: Owner) -> Me:
    with unit_of_work() as session:
        rooms = queries.room_labels(session, caller.owner)
    return Me(name=caller.owner.display_name, rooms=[{"id": int(r["value"]), "label": r["label"]} for r in rooms])


@router.get("/categories", response_model=list[Choice], summary="Categories a report may name")
def categories(caller: Owner, accept_language: Language = None) -> list[Choice]:
    with unit_of_work() as session:
        return [Choice(**c) for c in queries.report_categories(session, cursors.language_of(accept_language))]


@router.get("/tickets", response_model=TicketPage, summary="My tickets, newest first")
def list_tickets(caller: Owner, limit: Limit = 20, cursor: Cursor = None,
                 accept_language: Language = None) -> TicketPage:
    before = cursors.decode(cursor)
    with unit_of_work() as session:
        items = queries.my_tickets(session, caller.owner, cursors.language_of(accept_language), limit=limit,
                                   before_id=before)
    return TicketPage(items=items, next_cursor=cursors.next_cursor(items, limit))


@router.post("/tickets", status_code=201, response_model=TicketDetail, summary="Report for one of my rooms")
def create_ticket(body: NewTicket, caller: Owner, idempotency_key: IdempotencyKey = None,
                  accept_language: Language = None) -> JSONResponse:
    language = cursors.language_of(accept_language)

    def work(session):
        ticket = portal_tickets.report(session, owner=caller.owner, data=Report(
            kind=body.kind, category_id=body.category_id, description=body.description, room_id=body.room_id,
            tier="urgent" if body.urgent else "normal", preferred_time=body.preferred_time))
        return 201, _detail(queries.ticket_view(session, caller.owner, ticket.id, language))
    status, answer = idempotency.once(caller.key, idempotency_key, body.model_dump(), work)
    return JSONResponse(answer, status_code=status)


def _detail(view: dict | None) -> dict:
    if view is None:
        raise ApiRefusal(404, "error.not_found")
    return TicketDetail.model_validate(view).model_dump()


@router.get("/tickets/{ticket_id}", response_model=TicketDetail)
def ticket(ticket_id: Id, caller: Owner, accept_language: Language = None) -> dict:
    with unit_of_work() as session:
        return _detail(queries.ticket_view(session, caller.owner, ticket_id, cursors.language_of(accept_language)))


@router.post("/tickets/{ticket_id}/rating", response_model=TicketDetail,
             summary="Confirm a resolved ticket and rate it (not satisfied reopens it)")
def rate(ticket_id: Id, body: RatingRequest, caller: Owner, idempotency_key: IdempotencyKey = None,
         accept_language: Language = None) -> JSONResponse:
    scores = body.scores.model_dump() if body.scores else {}

    def work(session):
        portal_tickets.rate(session, owner=caller.owner, ticket_id=ticket_id,
                            rating=Rating(satisfied=body.satisfied, comment=body.comment, **scores))
        return 200, _detail(queries.ticket_view(session, caller.owner, ticket_id,
                                                cursors.language_of(accept_language)))
    status, answer = idempotency.once(caller.key, idempotency_key, {"ticket": ticket_id, **body.model_dump()}, work)
    return JSONResponse(answer, status_code=status)


@router.post("/feedback", status_code=201, response_model=FeedbackAnswer,
             summary="Anonymous feedback: keeps no identity; the code is its only link")
def feedback(body: Feedback, caller: Owner) -> JSONResponse:
    # No Idempotency-Key here: keeping the caller with the key would tie the feedback to them.
    with unit_of_work() as session:
        code = portal_tickets.give_anonymous_feedback(session, owner=caller.owner, community_id=body.community_id,
                                                      category_id=body.category_id, description=body.description)
    return JSONResponse({"code": code}, status_code=201)


@router.get("/notices", response_model=NoticePage, summary="My notices, newest first")
def list_notices(caller: Owner, limit: Limit = 20, cursor: Cursor = None) -> NoticePage:
    before = cursors.decode(cursor)
    with unit_of_work() as session:
        items = notices.inbox(session, caller.owner, limit=limit, before_id=before)
    return NoticePage(items=items, next_cursor=cursors.next_cursor(items, limit))


@router.post("/notices/{notice_id}/read", status_code=204, response_class=Response, summary="Read receipt")
def read_notice(notice_id: Id, caller: Owner) -> Response:
    with unit_of_work() as session:
        notices.mark_read(session, caller.owner, notice_id)
    return Response(status_code=204)
