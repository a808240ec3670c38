"""Crafted owner-page events: record ids and versions come from the server, never from the submitted form.

A browser (or a script) can put any key into a form submission. Dialogs on the owner page must act on
the record they were opened for, and a failed save must not let a submitted version slip past the
concurrency check.
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from sqlmodel import Session, col, select

from pm_admin.owners.models import HouseholdMember, Occupant, Owner, Ownership
from pm_admin.owners.states.detail import MemberForm, OccupantForm, OwnerDetailState, OwnerEditForm, RevealForm
from pm_admin.places.models import Community, Room
from tests.server.test_crafted_events import state_delta
from tests.support.login import cookie_for
from tests.support.loop import run
from tests.support.ws_client import CraftedClient, event_name, frontend_events

pytestmark = pytest.mark.server


def c01_owners(db, how_many: int) -> list[tuple[int, int]]:
    """(owner id, room id) of C01 owners holding one current room alone, each with a household member."""
    with Session(db) as session:
        c01 = session.exec(select(Community.id).where(Community.code == "C01")).one()
        with_members = sa.select(HouseholdMember.owner_id)
        rows = session.exec(select(Ownership.owner_id, Ownership.room_id).where(
            Ownership.community_id == c01, col(Ownership.ended_on).is_(None), Ownership.share == 100,
            col(Ownership.owner_id).in_(with_members)).order_by(Ownership.id.desc()).limit(how_many)).all()
    assert len(rows) == how_many
    return [tuple(row) for row in rows]


async def _open_owner(client: CraftedClient, owner_id: int) -> list[dict]:
    await client.hydrate(f"/owners/{owner_id}")
    return await client.send(event_name(OwnerDetailState, "load"), path=f"/owners/{owner_id}",
                             query={"owner_id": str(owner_id)})


def test_member_dialog_acts_on_the_member_it_was_opened_for(live_server, db):
    (owner_id, _), (victim_owner, _) = c01_owners(db, 2)
    with Session(db) as session:
        victim = session.exec(select(HouseholdMember).where(HouseholdMember.owner_id == victim_owner)).first()
        victim_before = (victim.name, victim.version)
    cs = cookie_for(live_server.base_url, "demo.cs")
    smuggled = {"member_id": victim.id, "version": victim.version, "editing": True}

    async def scenario():
        async with CraftedClient(live_server.base_url, cookie=cs) as client:
            loaded = await _open_owner(client, owner_id)
            await client.send(event_name(MemberForm, "open_member"), {"member_id": 0})  # "add a member"
            refused = await client.send(event_name(MemberForm, "save"), {"form": {
                "relation": "child", "name": "", "phone": "", "id_number": "", **smuggled}})
            saved = await client.send(event_name(MemberForm, "save"), {"form": {
                "relation": "child", "name": "注入测试成员", "phone": "", "id_number": "", **smuggled}})
            return loaded, refused, saved

    loaded, refused, saved = run(scenario())
    assert state_delta(loaded, OwnerDetailState).get("owner_found_rx_state_") is True  # the page did load
    values = state_delta(refused, MemberForm)["values_rx_state_"]
    assert "member_id" not in values and "version" not in values and "editing" not in values
    assert state_delta(refused, MemberForm).get("editing_rx_state_") in (None, False)
    assert state_delta(refused, MemberForm)["errors_rx_state_"].get("name")
    assert state_delta(saved, MemberForm).get("opened_rx_state_") is False
    with Session(db) as session:
        victim_after = session.get(HouseholdMember, victim.id)
        assert (victim_after.name, victim_after.version) == victim_before
        added = session.exec(select(HouseholdMember.owner_id).where(HouseholdMember.name == "注入测试成员")).all()
        assert added == [owner_id]


def test_occupant_dialog_adds_to_the_room_it_was_opened_for(live_server, db):
    (owner_id, room_id), (_, other_room) = c01_owners(db, 2)
    cs = cookie_for(live_server.base_url, "demo.cs")

    async def scenario():
        async with CraftedClient(live_server.base_url, cookie=cs) as client:
            await _open_owner(client, owner_id)
            await client.send(event_name(OccupantForm, "open_occupant"), {"room_id": room_id})
            form = {"kind": "tenant", "phone": "", "id_number": "", "started_on": "2025-01-01", "room_id": other_room}
            await client.send(event_name(OccupantForm, "save"), {"form": {**form, "name": ""}})
            return await client.send(event_name(OccupantForm, "save"),
                                     {"form": {**form, "name": "注入测试租客"}})

    saved = run(scenario())
    assert state_delta(saved, OccupantForm).get("opened_rx_state_") is False
    with Session(db) as session:
        rooms = session.exec(select(Occupant.room_id).where(Occupant.name == "注入测试租客")).all()
        assert rooms == [room_id] and session.get(Room, other_room) is not None


def test_a_submitted_version_never_gets_past_the_concurrency_check(live_server, db):
    [(owner_id, _)] = c01_owners(db, 1)
    with Session(db) as session:
        opened = session.get(Owner, owner_id)
        version, name = opened.version, opened.name
    cs = cookie_for(live_server.base_url, "demo.cs")
    form = {"name": name, "gender": "unknown", "id_number": "", "phone": "", "phone2": "", "tags": "", "notes": "",
            "version": version + 1}

    async def scenario():
        async with CraftedClient(live_server.base_url, cookie=cs) as client:
            await _open_owner(client, owner_id)
            await client.send(event_name(OwnerEditForm, "open_edit"))
            # A refused save that carries the version a colleague's save is about to produce …
            refused = await client.send(event_name(OwnerEditForm, "save"),
                                        {"form": {**form, "phone": "123", "address": "客服改的地址"}})
            with Session(db) as session:  # … the colleague saves (the version moves on) …
                session.execute(sa.update(Owner).where(Owner.id == owner_id)
                                .values(address="同事改的地址", version=Owner.version + 1))
                session.commit()
            # … and this save, which never saw the colleague's change, is refused rather than overwriting it.
            return refused, await client.send(event_name(OwnerEditForm, "save"),
                                              {"form": {**form, "address": "客服改的地址"}})

    refused, second = run(scenario())
    assert state_delta(refused, OwnerEditForm)["errors_rx_state_"].get("phone")
    with Session(db) as session:
        assert session.get(Owner, owner_id).address == "同事改的地址"
    assert state_delta(second, OwnerEditForm).get("conflict_rx_state_")
    assert "version" not in state_delta(refused, OwnerEditForm).get("values_rx_state_", {})
    assert state_delta(refused, OwnerEditForm)["values_rx_state_"]["phone"] == ""  # typed PII stays in the page


def test_a_revealed_id_number_reaches_the_page_but_never_the_state(live_server, db):
    [(owner_id, _)] = c01_owners(db, 1)
    manager = cookie_for(live_server.base_url, "demo.manager")

    async def scenario():
        async with CraftedClient(live_server.base_url, cookie=manager) as client:
            await _open_owner(client, owner_id)
            await client.send(event_name(RevealForm, "open_reveal"))
            shown = await client.send(event_name(RevealForm, "reveal"), {"form": {"reason": "核实身份办理过户"}})
            hidden = await client.send(event_name(OwnerDetailState, "hide_revealed"))
            return shown, hidden

    shown, hidden = run(scenario())
    assert state_delta(shown, OwnerDetailState).get("revealed_rx_state_") is True
    written = {e["payload"]["ref"]: e["payload"]["value"] for e in frontend_events(shown) if e["name"] == "_set_value"}
    id_number = written["ref_revealed_id_number"]  # written straight into the page …
    assert re.fullmatch(r"\d{17}[\dX]", id_number) and re.fullmatch(r"1\d{10}.*", written["ref_revealed_phones"])
    assert written["ref_revealed_birth_date"] == f"{id_number[6:10]}-{id_number[10:12]}-{id_number[12:14]}"
    assert id_number not in str([update.get("delta") for update in shown])  # … never a state var (nor in Redis)
    assert state_delta(hidden, OwnerDetailState).get("revealed_rx_state_") is False
    assert [e["payload"]["value"] for e in frontend_events(hidden) if e["name"] == "_set_value"] == ["", "", ""]
