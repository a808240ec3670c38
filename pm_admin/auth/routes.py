"""HTTP endpoints that set and clear the HttpOnly session cookie.

The Reflex login handler checks the password and hands the browser a one-time ticket; the
browser posts it here and gets the session cookie, which JavaScript can never read.
"""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from pm_admin.auth.http import client_of, same_origin
from pm_admin.auth.services import exchange_ticket, resolve_session, revoke_session
from pm_admin.auth.throttle import issue_device_token
from pm_admin.core.db import unit_of_work
from pm_admin.core.guard import SESSION_COOKIE, device_cookie_name
from pm_admin.settings import get_settings

DEVICE_COOKIE_DAYS = 180


def _set_cookie(response: Response, name: str, value: str, max_age: int) -> None:
    response.set_cookie(name, value, max_age=max_age, path="/", httponly=True, samesite="strict",
                        secure=get_settings().is_production)


def _exchange(ticket: str):
    with unit_of_work() as session:
        return exchange_ticket(session, ticket=ticket)


async def start_session(request: Request) -> Response:
    if not same_origin(request):
        return JSONResponse({"ok": False}, status_code=403)
    try:
        body = await request.json()
        ticket = str(body.get("ticket", ""))
    except (ValueError, AttributeError):
        return JSONResponse({"ok": False}, status_code=400)
    issued = await asyncio.to_thread(_exchange, ticket)
    if issued is None:
        return JSONResponse({"ok": False}, status_code=401)
    settings = get_settings()
    response = JSONResponse({"ok": True})
    _set_cookie(response, SESSION_COOKIE, issued.token, settings.session_absolute_hours * 3600)
    _set_cookie(response, device_cookie_name(issued.username), issue_device_token(settings.secret_key, issued.username),
                DEVICE_COOKIE_DAYS * 86400)
    response.headers["Cache-Control"] = "no-store"
    return response


def end_session(request: Request) -> Response:  # plain: Starlette runs it in a worker thread
    if not same_origin(request):
        return JSONResponse({"ok": False}, status_code=403)
    client = client_of(request)
    with unit_of_work() as session:
        principal = resolve_session(session, token=request.cookies.get(SESSION_COOKIE), client=client)
        if principal is not None:
            revoke_session(session, principal=principal, reason="logout")
    response = JSONResponse({"ok": True})
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict",
                           secure=get_settings().is_production)
    response.headers["Cache-Control"] = "no-store"
    return response


routes = [
    Route("/auth/session", start_session, methods=["POST"]),
    Route("/auth/logout", end_session, methods=["POST"]),
]
