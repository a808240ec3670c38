"""HTTP endpoints that set and clear the owner's HttpOnly ``pm_portal`` cookie (as ``auth.routes`` does for staff)."""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from pm_admin.auth.http import client_of, same_origin
from pm_admin.core.db import unit_of_work
from pm_admin.core.guard import PORTAL_COOKIE
from pm_admin.portal.services import sessions
from pm_admin.settings import get_settings


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


def _exchange(ticket: str) -> str | None:
    with unit_of_work() as session:
        return sessions.exchange_ticket(session, ticket)


async def start_session(request: Request) -> Response:
    if not same_origin(request):
        return JSONResponse({"ok": False}, status_code=403)
    try:
        ticket = str((await request.json()).get("ticket", ""))
    except (ValueError, AttributeError):
        return JSONResponse({"ok": False}, status_code=400)
    token = await asyncio.to_thread(_exchange, ticket)
    if token is None:
        return JSONResponse({"ok": False}, status_code=401)
    response = JSONResponse({"ok": True})
    response.set_cookie(PORTAL_COOKIE, token, max_age=int(sessions.ABSOLUTE.total_seconds()), path="/",
                        httponly=True, samesite="strict", secure=get_settings().is_production)
    return _no_store(response)


def end_session(request: Request) -> Response:  # plain: Starlette runs it in a worker thread
    if not same_origin(request):
        return JSONResponse({"ok": False}, status_code=403)
    with unit_of_work() as session:
        owner = sessions.resolve(session, request.cookies.get(PORTAL_COOKIE), client_of(request))
        if owner is not None:
            sessions.end(session, owner.session_id)
    response = JSONResponse({"ok": True})
    response.delete_cookie(PORTAL_COOKIE, path="/", httponly=True, samesite="strict",
                           secure=get_settings().is_production)
    return _no_store(response)


routes = [
    Route("/portal/session", start_session, methods=["POST"]),
    Route("/portal/logout", end_session, methods=["POST"]),
]
