"""Two people editing the same place through the production server: the second save is refused with the
colleague's change named in words, keeps the typed input, and a second try saves. The record id and version
come from the server's copy of the dialog, never from the submitted form."""

from __future__ import annotations

import re

import pytest
from sqlmodel import Session, select

from pm_admin.places.models import Community, Room
from pm_admin.places.states.places import RoomForm, RoomsState
from tests.server.test_crafted_events import state_delta, toasts
from tests.support.login import cookie_for
from tests.support.loop import run
from tests.support.ws_client import CraftedClient, event_name

pytestmark = pytest.mark.server
ROOMS = "/places/rooms"


def unescaped(text: str) -> str:
    return re.sub(r"\\+u([0-9a-f]{4})", lambda m: chr(int(m.group(1), 16)), text)


def test_a_room_edited_by_two_people_names_the_change_and_keeps_both(live_server, db):
    with Session(db) as session:
        c02 = session.exec(select(Community.id).where(Community.code == "C02")).one()
    manager = cookie_for(live_server.base_url, "demo.manager")
    admin = cookie_for(live_server.base_url, "demo.admin")

    async def scenario():
        async with CraftedClient(live_server.base_url, cookie=manager) as first, \
                CraftedClient(live_server.base_url, cookie=admin) as second:
            pages = []
            for client in (first, second):
                await client.hydrate(ROOMS)
                await client.send(event_name(RoomsState, "load"), path=ROOMS)
                pages.append(await client.send(event_name(RoomsState, "set_filter"), {"key": "community",
                                                                                       "value": str(c02)}))
            rows = state_delta(pages[0], RoomsState)["rows_rx_state_"]
            room, other = rows[0], rows[1]
            typed = {k: str(room[k]) for k in ("number", "floor", "area", "layout", "occupancy")}
            for client in (first, second):
                await client.send(event_name(RoomForm, "open_edit"), {"room_id": room["id"]})
            won = await first.send(event_name(RoomForm, "save"), {"form": {**typed, "area": "123.45"}})
            # The second person changes the layout and smuggles another room's id and a made-up version.
            mine = {**typed, "layout": "4室2厅2卫", "id": other["id"], "version": 999}
            lost = await second.send(event_name(RoomForm, "save"), {"form": mine})
            with Session(db) as session:
                after_conflict = session.get(Room, room["id"])
                between = (str(after_conflict.area), after_conflict.layout)
            # What the refreshed dialog now holds: the colleague's area, this user's layout.
            dialog = state_delta(lost, RoomForm)["values_rx_state_"]
            retried = await second.send(event_name(RoomForm, "save"), {"form": {
                **{k: str(dialog[k]) for k in typed}, "id": other["id"], "version": 999}})
            return room, other, won, lost, between, dialog, retried

    room, other, won, lost, between, dialog, retried = run(scenario())
    assert toasts(won) and not toasts(lost)
    conflict = unescaped(state_delta(lost, RoomForm)["conflict_rx_state_"])
    assert "已被他人修改" in conflict and f"面积 (㎡): {room['area']} → 123.45" in conflict
    assert between == ("123.45", room["layout"])  # the refused save changed nothing
    assert dialog["area"] == "123.45" and dialog["layout"] == "4室2厅2卫"
    assert "id" not in dialog and "version" not in dialog  # the record the dialog edits stays on the server
    assert toasts(retried)
    with Session(db) as session:
        saved, untouched = session.get(Room, room["id"]), session.get(Room, other["id"])
        assert (str(saved.area), saved.layout) == ("123.45", "4室2厅2卫")
        assert (str(untouched.area), untouched.layout, untouched.version) == (
            other["area"], other["layout"], other["version"])


def test_an_admin_creates_an_account_and_a_refused_one_keeps_the_input(live_server, db):
    from pm_admin.auth.models import User, UserRole
    from pm_admin.users.states.users import UserForm, UsersState

    with Session(db) as session:
        c01 = session.exec(select(Community.id).where(Community.code == "C01")).one()
    admin = cookie_for(live_server.base_url, "demo.admin")
    form = {"username": "new.steward", "display_name": "新管家", "password": "Steward-2026"}

    async def scenario():
        async with CraftedClient(live_server.base_url, cookie=admin) as client:
            await client.hydrate("/admin/users")
            await client.send(event_name(UsersState, "load"), path="/admin/users")
            await client.send(event_name(UserForm, "open_create"))
            await client.send(event_name(UserForm, "toggle_role"), {"role": "steward", "checked": True})
            short = await client.send(event_name(UserForm, "save"), {"form": {**form, "password": "short"}})
            await client.send(event_name(UserForm, "toggle_community"), {"community_id": str(c01), "checked": True})
            saved = await client.send(event_name(UserForm, "save"), {"form": form})
            return short, saved

    short, saved = run(scenario())
    refused = state_delta(short, UserForm)
    assert refused["errors_rx_state_"].keys() >= {"password", "community_ids"}
    assert refused["values_rx_state_"]["username"] == "new.steward"  # the typed input stays
    assert "password" not in refused["values_rx_state_"]  # a password is never kept in the state
    assert toasts(saved)
    with Session(db) as session:
        account = session.exec(select(User).where(User.username == "new.steward")).one()
        assert session.exec(select(UserRole.role_code).where(UserRole.user_id == account.id)).all() == ["steward"]
        assert account.must_change_password
