"""Owner and staff sessions over the event websocket, crafted as a script would send them: an owner's session never
opens a staff handler, a staff session never opens a portal handler, and an owner reading another owner's ticket by
its id gets nothing of it."""

from __future__ import annotations

import httpx
import pytest
from sqlmodel import Session, select

from pm_admin.portal.states.home import PortalHomeState
from pm_admin.portal.states.tickets import PortalTicketState
from pm_admin.tickets.models import Ticket
from pm_admin.tickets.states.board import TicketBoardState
from tests.server.api_support import owner_token, owners_without_account
from tests.server.test_crafted_events import redirects, state_delta
from tests.support.login import cookie_for
from tests.support.loop import run
from tests.support.ws_client import CraftedClient, event_name

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def owner_cookies(live_server, db):
    first, second = owners_without_account(db, "C02")
    return [(owner_id, f"pm_portal={owner_token(live_server, db, owner_id)}") for owner_id in (first, second)]


def test_an_owner_session_opens_no_staff_handler(live_server, owner_cookies):
    (_, cookie), _ = owner_cookies

    async def scenario():
        async with CraftedClient(live_server.base_url, cookie=cookie) as client:
            await client.hydrate("/tickets/board")
            return await client.send(event_name(TicketBoardState, "load"), path="/tickets/board")

    load = run(scenario())
    assert state_delta(load, TicketBoardState) == {}
    assert redirects(load) and redirects(load)[0].startswith("/login?next=")


def test_a_staff_session_opens_no_portal_handler(live_server):
    cookie = cookie_for(live_server.base_url, "demo.manager")

    async def scenario():
        async with CraftedClient(live_server.base_url, cookie=cookie) as client:
            await client.hydrate("/portal")
            return await client.send(event_name(PortalHomeState, "load"), path="/portal")

    load = run(scenario())
    assert state_delta(load, PortalHomeState) == {}
    assert redirects(load) and redirects(load)[0].startswith("/portal/login?next=")


def test_an_owner_reading_another_owners_ticket_gets_nothing_of_it(live_server, db, owner_cookies):
    (_, first), (_, second) = owner_cookies
    token = second.removeprefix("pm_portal=")
    api = httpx.Client(base_url=live_server.base_url + "/api/v1", headers={"Authorization": f"Bearer {token}"})
    room = api.get("/me").json()["rooms"][0]["id"]
    with Session(db) as session:
        category = session.exec(select(Ticket.category_id).where(Ticket.kind == "repair")).first()
    theirs = api.post("/tickets", json={"kind": "repair", "room_id": room, "category_id": category,
                                        "description": "邻居家的秘密报修"}).json()

    async def scenario():
        async with CraftedClient(live_server.base_url, cookie=first) as client:
            path = f"/portal/tickets/{theirs['id']}"
            hydrate = await client.hydrate(path)
            load = await client.send(event_name(PortalTicketState, "load"), path=path,
                                     query={"ticket_id": str(theirs["id"])})
            return hydrate, load

    hydrate, load = run(scenario())
    for updates in (hydrate, load):
        assert "邻居家的秘密报修" not in str(updates)
    assert state_delta(load, PortalTicketState).get("missing_rx_state_") is True
