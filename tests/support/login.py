"""Signing in to the live server over its websocket, as the browser does, and one shared session per user."""

from __future__ import annotations

import time

# Imported here, not in a thread: a state class must be defined where Reflex's registration context is set.
from pm_admin.auth.states.sign_in import LoginState
from pm_admin.demo.seed import DEMO_PASSWORD
from tests.support.loop import run
from tests.support.server import session_cookie, ticket_from_updates
from tests.support.ws_client import CraftedClient, event_name

# A shared session is reused for at most this long, well inside the server's 30-minute idle timeout, so a slow run
# never hands a test a cookie the server has expired meanwhile.
REUSE_SECONDS = 10 * 60

_cookies: dict[tuple[str, str, str], tuple[str, float]] = {}


async def sign_in(base_url: str, username: str, password: str = DEMO_PASSWORD) -> str:
    """A new session: log in the way the browser does (login event → ticket → /auth/session); returns the Cookie
    header. For a test that ends its session (logout) or otherwise needs one of its own."""
    async with CraftedClient(base_url) as client:
        await client.hydrate("/login")
        updates = await client.send(event_name(LoginState, "login"),
                                    {"form": {"username": username, "password": password}}, path="/login")
    ticket = ticket_from_updates(updates)
    assert ticket, f"login of {username} gave no ticket: {updates}"
    return session_cookie(base_url, ticket)


def cookie_for(base_url: str, username: str, password: str = DEMO_PASSWORD) -> str:
    """The Cookie header of this user's session shared by the test session's tests (signed in on first use).

    Tests that log out, change or reset a password, or disable the account end the session: they use
    ``sign_in`` for one of their own."""
    key = (base_url, username, password)
    cookie, signed_in_at = _cookies.get(key, ("", 0.0))
    if not cookie or time.monotonic() - signed_in_at > REUSE_SECONDS:
        cookie, signed_in_at = run(sign_in(base_url, username, password)), time.monotonic()
        _cookies[key] = cookie, signed_in_at
    return cookie
