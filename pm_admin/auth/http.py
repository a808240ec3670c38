"""Who is calling an HTTP route: the same session cookie the websocket uses."""

from __future__ import annotations

from urllib.parse import urlsplit

from sqlmodel import Session
from starlette.requests import Request

from pm_admin.auth.services import resolve_session
from pm_admin.core.guard import SESSION_COOKIE, client_address
from pm_admin.core.permissions import ClientInfo, Principal
from pm_admin.settings import get_settings


def client_of(request: Request) -> ClientInfo:
    peer = request.client.host if request.client else ""
    # Proxies may each send their own header line; together they are one list.
    forwarded_for = ",".join(request.headers.getlist("x-forwarded-for"))
    ip = client_address(peer, forwarded_for, get_settings().trusted_proxy_hops)
    return ClientInfo(ip=ip, user_agent=request.headers.get("user-agent", "")[:256])


def principal_of(session: Session, request: Request) -> Principal | None:
    """The signed-in caller, or None. An account that must change its password first reads no files and
    downloads nothing, as its events reach only the password page."""
    principal = resolve_session(session, token=request.cookies.get(SESSION_COOKIE), client=client_of(request))
    return None if principal is None or principal.must_change_password else principal


def same_origin(request: Request) -> bool:
    """Refuse cross-site requests (SameSite=Strict already drops the cookie; belt and braces)."""
    origin = request.headers.get("origin")
    return origin is None or urlsplit(origin).netloc == request.headers.get("host")
