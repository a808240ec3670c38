"""Ticket events through the production server: crafted moves across communities are refused, a stale
card is refused and the board refreshes, others' moves arrive by polling, evidence needs scope."""

from __future__ import annotations

import hashlib

import httpx
import pytest
from sqlmodel import Session, col, select

from pm_admin.auth.models import User
from pm_admin.owners.models import Ownership
from pm_admin.owners.states.owners import OwnersState
from pm_admin.places.models import Building, Community, Room, Unit
from pm_admin.portal.models import OwnerAccount
from pm_admin.tickets.models import Ticket, TicketCategory, TicketEvent, TicketEvidence
from pm_admin.tickets.services import actions, registration
from pm_admin.tickets.services.actions import ActionInput
from pm_admin.tickets.services.contact import ContactInput
from pm_admin.tickets.services.registration import TicketInput
from pm_admin.tickets.states.board import TicketBoardState
from pm_admin.tickets.states.detail import DetailMoveForm, TicketDetailState
from pm_admin.tickets.states.listing import TicketListState
from pm_admin.tickets.states.orders import MyOrdersState
from tests.server.test_crafted_events import state_delta, toasts
from tests.support import factories
from tests.support.login import cookie_for, sign_in
from tests.support.loop import run
from tests.support.ws_client import CraftedClient, event_name

pytestmark = pytest.mark.server
BOARD = "/tickets/board"


def open_ticket(db, community_code: str, status: str, skip: int = 0) -> Ticket:
    with Session(db) as session:
        return session.exec(select(Ticket).join(Community, Community.id == Ticket.community_id).where(
            Community.code == community_code, Ticket.status == status, Ticket.tier == "normal")
            .order_by(Ticket.id).offset(skip)).first()


def fresh_assigned_ticket(db, title: str) -> Ticket:
    """A new normal ticket of C01 assigned to the demo technician: the demo board's own tickets move with the
    calendar and with other tests, so a test that needs two assigned cards makes them."""
    with Session(db) as session:
        manager = session.exec(select(User).where(User.username == "demo.manager")).one()
        technician = session.exec(select(User).where(User.username == "demo.technician")).one()
        # A room whose owners have no portal account: their progress messages would need the server's keys too.
        with_accounts = select(Ownership.room_id).join(OwnerAccount, OwnerAccount.person_id == Ownership.owner_id)
        room = session.exec(select(Room).join(Unit).join(Building).join(Community)
                            .where(Community.code == "C01", col(Room.id).not_in(with_accounts))
                            .order_by(Room.id)).first()
        category = session.exec(select(TicketCategory).where(TicketCategory.code == "cleaning")).one()
        actor = factories.sign_in(session, manager)
        # The contact is named: the room owner's phone is encrypted with the server's keys, not this process's.
        ticket = registration.create_ticket(session, actor=actor, data=TicketInput(
            kind="request", category_id=category.id, tier="normal", channel="hotline", title=title, room_id=room.id,
            contact=ContactInput(name="测试联系人", relation="other")))
        if ticket.status != "assigned":  # the category's department may already have routed it
            ticket = actions.drop(session, actor=actor, ticket_id=ticket.id, expected_version=ticket.version,
                                   to_status="assigned", data=ActionInput(assignee_id=technician.id))
        session.commit()
        session.refresh(ticket)
        session.expunge(ticket)
        return ticket


def stored(db, ticket_id: int) -> tuple[str, int, int]:
    with Session(db) as session:
        ticket = session.get(Ticket, ticket_id)
        events = len(session.exec(select(TicketEvent.id).where(TicketEvent.ticket_id == ticket_id)).all())
        return str(ticket.status), ticket.version, events


def drop(ticket_id: int, to_status: str) -> dict:
    return {"payload": {"dropId": to_status, "source": {"dragId": str(ticket_id)}}}


def board_cards(updates: list[dict], status: str) -> list[dict] | None:
    return state_delta(updates, TicketBoardState).get(f"col_{status}_rx_state_")


def test_crafted_events_on_another_communitys_ticket_are_refused(live_server, db):
    foreign = open_ticket(db, "C03", "in_progress")
    before = stored(db, foreign.id)
    cs = cookie_for(live_server.base_url, "demo.cs")  # C01 only
    technician = cookie_for(live_server.base_url, "demo.technician")

    async def scenario():
        async with CraftedClient(live_server.base_url, cookie=cs) as client:
            await client.hydrate(BOARD)
            await client.send(event_name(TicketBoardState, "load"), path=f"{BOARD}?tier=normal")
            dropped = await client.send(event_name(TicketBoardState, "drop"), drop(foreign.id, "cancelled"))
            path = f"/tickets/{foreign.id}"
            await client.hydrate(path)
            detail = await client.send(event_name(TicketDetailState, "load"), path=path,
                                       query={"ticket_id": str(foreign.id)})
            moved = await client.send(event_name(DetailMoveForm, "save"), {"form": {"reason": "越权撤销"}})
            noted = await client.send(event_name(TicketDetailState, "add_comment"), {"form": {"body": "越权备注"}})
        async with CraftedClient(live_server.base_url, cookie=technician) as client:
            await client.hydrate("/my-orders")
            await client.send(event_name(MyOrdersState, "load"), path="/my-orders")
            acted = await client.send(event_name(MyOrdersState, "act"), {"ticket_id": foreign.id, "action": "finish"})
            board = await client.send(event_name(TicketBoardState, "load"), path=BOARD)
        return dropped, detail, moved, noted, acted, board

    dropped, detail, moved, noted, acted, board = run(scenario())
    assert toasts(dropped) and all(board_cards(dropped, s) is None for s in ("in_progress", "resolved"))
    detail_delta = state_delta(detail, TicketDetailState)
    assert detail_delta.get("missing_rx_state_") is True and not detail_delta.get("ticket_rx_state_")
    assert toasts(noted)
    assert toasts(acted) and toasts(board) and state_delta(board, TicketBoardState) == {}
    assert stored(db, foreign.id) == before  # nothing moved, nothing noted
    assert toasts(moved)


def test_a_stale_card_is_refused_and_others_moves_arrive_by_polling(live_server, db):
    contested = fresh_assigned_ticket(db, "楼道灯不亮（争抢）")
    later = fresh_assigned_ticket(db, "楼道灯不亮（稍后）")
    cs = cookie_for(live_server.base_url, "demo.cs")
    manager = cookie_for(live_server.base_url, "demo.manager")
    board = f"{BOARD}?tier=normal&community={contested.community_id}"

    async def scenario():
        async with CraftedClient(live_server.base_url, cookie=cs) as first, \
                CraftedClient(live_server.base_url, cookie=manager) as second:
            for client in (first, second):
                await client.hydrate(BOARD)
                await client.send(event_name(TicketBoardState, "load"), path=board)
            won = await first.send(event_name(TicketBoardState, "drop"), drop(contested.id, "in_progress"))
            lost = await second.send(event_name(TicketBoardState, "drop"), drop(contested.id, "in_progress"))
            await first.send(event_name(TicketBoardState, "drop"), drop(later.id, "in_progress"))
            polled = await second.send(event_name(TicketBoardState, "poll"), {"_tick": "12:00:03"})
            quiet = await second.send(event_name(TicketBoardState, "poll"), {"_tick": "12:00:06"})
        return won, lost, polled, quiet

    won, lost, polled, quiet = run(scenario())
    assert contested.id in [c["id"] for c in board_cards(won, "in_progress")]
    assert any("刚被他人修改" in t for t in toasts(lost))
    refreshed = board_cards(lost, "in_progress")  # the loser's board now shows where the card really is
    assert contested.id in [c["id"] for c in refreshed]
    assert later.id in [c["id"] for c in board_cards(polled, "in_progress")]
    assert state_delta(quiet, TicketBoardState) == {}  # nothing changed: nothing re-sent
    assert stored(db, contested.id)[:2] == ("in_progress", contested.version + 1)


def test_evidence_is_served_only_within_scope(live_server, db):
    c03 = open_ticket(db, "C03", "in_progress", skip=1)
    photo = b"\xff\xd8\xff\xe0" + b"demo-photo" * 10
    digest = hashlib.sha256(photo).hexdigest()
    with Session(db) as session:
        evidence = TicketEvidence(ticket_id=c03.id, filename="现场.jpg", content_type="image/jpeg", size=len(photo),
                                  sha256=digest, uploaded_by="c03.service6")
        session.add(evidence)
        session.commit()
        evidence_id = evidence.id
    path = live_server.data_dir / "private" / "tickets" / digest[:2] / digest  # where the server stores it
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(photo)
    url = f"{live_server.base_url}/tickets/evidence/{evidence_id}"
    assert httpx.get(url).status_code == 401
    missing_url = f"{live_server.base_url}/tickets/evidence/{evidence_id + 10_000}"
    for outsider in ("demo.cs", "demo.executive"):  # C01 only; all communities but no ticket access
        cookie = {"Cookie": cookie_for(live_server.base_url, outsider)}
        refused, missing = httpx.get(url, headers=cookie), httpx.get(missing_url, headers=cookie)
        # Out of reach answers exactly like missing: evidence ids cannot be probed.
        assert (refused.status_code, refused.content) == (missing.status_code, missing.content) == (
            404, missing.content)
    insider = httpx.get(url, headers={"Cookie": cookie_for(live_server.base_url, "c03.service6")})
    assert insider.status_code == 200 and insider.content == photo
    assert insider.headers["cache-control"].startswith("no-store")
    assert httpx.get(f"{live_server.base_url}/_upload/{digest}").status_code in (404, 405)


def test_moving_a_card_needs_a_role_that_may_act_on_tickets(live_server, db):
    """A steward sees the board of their community but takes no workflow action: the guard refuses the drop
    (missing permission, audited) before any service runs."""
    from tests.server.test_archive_events import denials

    ticket = fresh_assigned_ticket(db, "楼道灯不亮（管家）")
    before, refused = stored(db, ticket.id), denials(db, "guard.refused:drop", "missing_permission")
    steward = run(sign_in(live_server.base_url, "demo.steward"))

    async def scenario():
        async with CraftedClient(live_server.base_url, cookie=steward) as client:
            await client.hydrate(BOARD)
            await client.send(event_name(TicketBoardState, "load"), path=f"{BOARD}?tier=normal")
            return await client.send(event_name(TicketBoardState, "drop"), drop(ticket.id, "cancelled"))

    dropped = run(scenario())
    assert toasts(dropped)
    assert denials(db, "guard.refused:drop", "missing_permission") == refused + 1
    assert stored(db, ticket.id) == before


def test_only_rows_on_screen_can_be_ticked(live_server, db):
    """The ticket list's and the owner grid's selection (``core.selection``): an id the page does not show is
    refused, one it shows is ticked."""
    foreign = open_ticket(db, "C03", "in_progress")
    cs = cookie_for(live_server.base_url, "demo.cs")  # C01 only

    async def scenario():
        async with CraftedClient(live_server.base_url, cookie=cs) as client:
            await client.hydrate("/tickets")
            load = await client.send(event_name(TicketListState, "load"), path="/tickets")
            shown = state_delta(load, TicketListState)["rows_rx_state_"][0]["id"]
            crafted = await client.send(event_name(TicketListState, "toggle_row"), {"row_id": foreign.id,
                                                                                    "checked": True})
            ticked = await client.send(event_name(TicketListState, "toggle_row"), {"row_id": shown, "checked": True})
            await client.hydrate("/owners")
            await client.send(event_name(OwnersState, "load"), path="/owners")
            owner = await client.send(event_name(OwnersState, "toggle_row"), {"row_id": 10 ** 9, "checked": True})
        return shown, crafted, ticked, owner

    shown, crafted, ticked, owner = run(scenario())
    assert toasts(crafted) and "selected_rx_state_" not in state_delta(crafted, TicketListState)
    assert state_delta(ticked, TicketListState)["selected_rx_state_"] == [shown]
    assert toasts(owner) and "selected_rx_state_" not in state_delta(owner, OwnersState)
