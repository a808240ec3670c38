"""Owners' contact change requests through the production server: staff of another community neither see nor decide
one (a crafted open or save is refused, nothing changes); a manager of the community approves it and the registry
changes as for any edit."""

from __future__ import annotations

import secrets

import pytest
import sqlalchemy as sa
from sqlmodel import Session, col, select

from pm_admin.owners.models import Owner, OwnerChange, Ownership
from pm_admin.places.models import Community
from pm_admin.portal.models import ContactRequest, OwnerAccount
from pm_admin.portal.states.contact_requests import ApproveForm, ContactRequestsState, RejectForm
from tests.server.test_crafted_events import state_delta, toasts
from tests.support.login import cookie_for
from tests.support.loop import run
from tests.support.ws_client import CraftedClient, event_name

pytestmark = pytest.mark.server
PATH = "/owner-requests"
NEW_ADDRESS = "锦绣华府 8 栋 2 单元 1201"


def a_request_in_c02(db) -> tuple[int, int, str]:
    """(request id, owner id, owner name): a waiting address change of a C02 owner (written as the portal would;
    no phone, so nothing needs the server's keys)."""
    with Session(db) as session:
        c02 = session.exec(select(Community.id).where(Community.code == "C02")).one()
        with_account = select(OwnerAccount.person_id).where(OwnerAccount.person_kind == "owner")
        owner_id, name = session.exec(select(Owner.id, Owner.name).join(Ownership, Ownership.owner_id == Owner.id)
                                      .where(Ownership.community_id == c02, col(Ownership.ended_on).is_(None),
                                             col(Owner.id).not_in(with_account))
                                      .order_by(Owner.id)).first()
        account = OwnerAccount(person_kind="owner", person_id=owner_id, community_id=c02, display_name=name,
                               phone_enc="-", phone_index=secrets.token_hex(16), status="active")
        session.add(account)
        session.flush()
        request = ContactRequest(account_id=account.id, owner_id=owner_id, community_id=c02, address=NEW_ADDRESS)
        session.add(request)
        session.commit()
        return request.id, owner_id, name


def status_of(db, request_id: int) -> str:
    with Session(db) as session:
        return str(session.get(ContactRequest, request_id).status)


def test_staff_of_another_community_cannot_see_or_decide_and_a_manager_of_it_approves(live_server, db):
    request_id, owner_id, name = a_request_in_c02(db)
    with Session(db) as session:
        address_before = session.get(Owner, owner_id).address

    async def outsider():
        async with CraftedClient(live_server.base_url, cookie=cookie_for(live_server.base_url, "demo.cs")) as client:
            await client.hydrate(PATH)  # C01 only
            loaded = await client.send(event_name(ContactRequestsState, "load"), path=PATH, query={"q": name})
            opened = await client.send(event_name(ApproveForm, "open_approve"), {"row_id": request_id}, path=PATH)
            saved = await client.send(event_name(ApproveForm, "save"), {"form": {}}, path=PATH)
            rejected = await client.send(event_name(RejectForm, "save"), {"form": {"reason": "不同意"}}, path=PATH)
            crafted = await client.send(event_name(ApproveForm, "open_approve"), {"row_id": "1 OR 1=1"}, path=PATH)
        return loaded, opened, saved, rejected, crafted

    loaded, opened, saved, rejected, crafted = run(outsider())
    assert all(row["id"] != request_id for row in state_delta(loaded, ContactRequestsState).get("rows_rx_state_", []))
    assert not state_delta(opened, ApproveForm).get("opened_rx_state_")  # not a row it was shown
    assert toasts(saved) and toasts(rejected) and toasts(crafted)  # no dialog open / an id that is no id
    assert status_of(db, request_id) == "pending"
    with Session(db) as session:
        assert session.get(Owner, owner_id).address == address_before

    async def manager():
        cookie = cookie_for(live_server.base_url, "demo.manager")  # C01 and C02
        async with CraftedClient(live_server.base_url, cookie=cookie) as client:
            await client.hydrate(PATH)
            loaded = await client.send(event_name(ContactRequestsState, "load"), path=PATH, query={"q": name})
            opened = await client.send(event_name(ApproveForm, "open_approve"), {"row_id": request_id}, path=PATH)
            saved = await client.send(event_name(ApproveForm, "save"), {"form": {}}, path=PATH)
        return loaded, opened, saved

    loaded, opened, saved = run(manager())
    [row] = [r for r in state_delta(loaded, ContactRequestsState)["rows_rx_state_"] if r["id"] == request_id]
    assert row["address"] == NEW_ADDRESS and row["current_address"] == address_before
    assert state_delta(opened, ApproveForm).get("opened_rx_state_") is True
    assert any("已通过" in toast for toast in toasts(saved))
    assert status_of(db, request_id) == "approved"
    with Session(db) as session:
        assert session.get(Owner, owner_id).address == NEW_ADDRESS
        assert session.scalar(sa.select(sa.func.count(OwnerChange.id)).where(
            OwnerChange.owner_id == owner_id, OwnerChange.field == "address",
            OwnerChange.actor_name == "demo.manager")) == 1
