"""Crafted events through the real event pipeline of the production server.

Each hostile event must be refused: nothing changes in the database, no data comes back.
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from pm_admin.auth.models import LoginSession, User
from pm_admin.core.audit import AuditEvent
from pm_admin.home.states.home import HomeState
from pm_admin.places.models import Community, Room, Unit
from pm_admin.places.states.places import RoomForm, RoomsState
from pm_admin.shell.state import ShellState
from pm_admin.users.states.users import UserForm, UsersState
from tests.support.login import cookie_for, sign_in
from tests.support.loop import run
from tests.support.ws_client import CraftedClient, deltas, event_name, frontend_events

pytestmark = pytest.mark.server


def community_id(db, code: str) -> int:
    with Session(db) as session:
        return session.exec(select(Community.id).where(Community.code == code)).one()


def audit_count(db, action_prefix: str) -> int:
    with Session(db) as session:
        return session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action.like(f"{action_prefix}%")))


def state_delta(updates: list[dict], state_cls) -> dict:
    return deltas(updates).get(state_cls.get_full_name(), {})


def toasts(updates: list[dict]) -> list[str]:
    """Toasts' code, its \\uXXXX escapes (however deeply nested) turned back into characters."""
    return [re.sub(r"\\+u([0-9a-f]{4})", lambda m: chr(int(m.group(1), 16)), str(e["payload"]))
            for e in frontend_events(updates) if e["name"] == "_call_function" and "toast" in str(e)]


def redirects(updates: list[dict]) -> list[str]:
    return [e["payload"]["path"] for e in frontend_events(updates) if e["name"] == "_redirect"]


def test_anonymous_gets_no_data_and_is_sent_to_login(live_server, db):
    before = audit_count(db, "guard.refused")

    async def scenario():
        async with CraftedClient(live_server.base_url) as client:
            hydrate = await client.hydrate("/places/rooms")
            load = await client.send(event_name(RoomsState, "load"), path="/places/rooms")
            home = await client.send(event_name(HomeState, "load"))
            return hydrate, load, home

    hydrate, load, home = run(scenario())
    assert state_delta(hydrate, RoomsState).get("rows_rx_state_", []) == []
    assert state_delta(hydrate, ShellState).get("signed_in_rx_state_") in (None, False)
    for updates, state in ((load, RoomsState), (home, HomeState)):
        assert state_delta(updates, state) == {}
        assert redirects(updates) and redirects(updates)[0].startswith("/login?next=")
    assert audit_count(db, "guard.refused") >= before + 2


def test_cs_calling_admin_handlers_is_refused_and_audited(live_server, db):
    cookie = cookie_for(live_server.base_url, "demo.cs")
    before = audit_count(db, "guard.refused:save")
    with Session(db) as session:
        users_before = session.scalar(sa.select(sa.func.count(User.id)))

    async def scenario():
        async with CraftedClient(live_server.base_url, cookie=cookie) as client:
            await client.hydrate("/")
            load = await client.send(event_name(UsersState, "load"), path="/admin/users")
            create = await client.send(event_name(UserForm, "save"), {"form": {
                "username": "intruder", "display_name": "x", "password": "Intruder-1", "all_communities": "on"}})
            return load, create

    load, create = run(scenario())
    for updates, state in ((load, UsersState), (create, UserForm)):
        assert state_delta(updates, state) == {}
        assert toasts(updates), updates
    with Session(db) as session:
        assert session.scalar(sa.select(sa.func.count(User.id))) == users_before
        assert session.exec(select(User).where(User.username == "intruder")).first() is None
    assert audit_count(db, "guard.refused:save") == before + 1


def test_user_of_one_community_cannot_reach_another(live_server, db):
    c01, c03 = community_id(db, "C01"), community_id(db, "C03")
    with Session(db) as session:
        c03_unit = session.exec(select(Unit.id).join(Room, Room.unit_id == Unit.id)
                                .where(Room.community_id == c03)).first()
        rooms_before = session.scalar(sa.select(sa.func.count(Room.id)))
    manager_cookie = cookie_for(live_server.base_url, "demo.manager")  # C01 + C02
    cs_cookie = cookie_for(live_server.base_url, "demo.cs")  # C01 only

    async def scenario():
        async with CraftedClient(live_server.base_url, cookie=cs_cookie) as cs:
            await cs.hydrate("/places/rooms")
            await cs.send(event_name(RoomsState, "load"), path="/places/rooms")
            filtered = await cs.send(event_name(RoomsState, "set_filter"), {"key": "community", "value": str(c03)})
            pick = await cs.send(event_name(ShellState, "pick_community"), {"value": str(c03)})
        async with CraftedClient(live_server.base_url, cookie=manager_cookie) as manager:
            await manager.hydrate("/places/rooms")
            await manager.send(event_name(RoomsState, "load"), path="/places/rooms")
            await manager.send(event_name(RoomForm, "open_create"))
            create = await manager.send(event_name(RoomForm, "save"), {"form": {
                "unit_id": str(c03_unit), "number": "4404", "floor": "4", "area": "88", "layout": "x",
                "occupancy": "vacant"}})
        return filtered, pick, create

    filtered, pick, create = run(scenario())
    rows = state_delta(filtered, RoomsState).get("rows_rx_state_")
    assert rows == [] and state_delta(filtered, RoomsState).get("total_rx_state_") == 0
    assert toasts(pick) and state_delta(pick, ShellState) == {}
    assert toasts(create)
    with Session(db) as session:
        assert session.scalar(sa.select(sa.func.count(Room.id))) == rooms_before
        sessions = session.exec(select(LoginSession.current_community_id).where(
            LoginSession.current_community_id == c03)).all()
        assert sessions == []
    assert c01 != c03


def test_setvar_on_guarded_vars_is_refused(live_server, db):
    cookie = cookie_for(live_server.base_url, "demo.cs")
    before = audit_count(db, "guard.refused:setvar")

    async def scenario():
        async with CraftedClient(live_server.base_url, cookie=cookie) as client:
            await client.hydrate("/")
            signed = await client.send(event_name(ShellState, "setvar"), {"var_name": "nav_keys",
                                                                           "value": ["users", "audit"]})
            rows = await client.send(event_name(UsersState, "setvar"), {"var_name": "dialog_open", "value": True})
            after = await client.send(event_name(ShellState, "load"))
            return signed, rows, after

    signed, rows, after = run(scenario())
    assert state_delta(signed, ShellState) == {} and toasts(signed)
    assert state_delta(rows, UsersState) == {} and toasts(rows)
    assert "users" not in state_delta(after, ShellState)["nav_keys_rx_state_"]
    assert audit_count(db, "guard.refused:setvar") == before + 2


def test_a_reused_state_token_does_not_carry_the_previous_user(live_server):
    cookie = cookie_for(live_server.base_url, "demo.manager")

    async def scenario():
        async with CraftedClient(live_server.base_url, cookie=cookie) as owner:
            await owner.hydrate("/places/rooms")
            loaded = await owner.send(event_name(RoomsState, "load"), path="/places/rooms")
            token = owner.token
        async with CraftedClient(live_server.base_url, token=token) as thief:
            stolen = await thief.hydrate("/places/rooms")
        return loaded, stolen

    loaded, stolen = run(scenario())
    assert len(state_delta(loaded, RoomsState)["rows_rx_state_"]) == 20
    assert state_delta(stolen, RoomsState).get("rows_rx_state_", []) == []
    assert state_delta(stolen, ShellState).get("signed_in_rx_state_") in (None, False)


def test_logged_out_cookie_is_worthless(live_server):
    import httpx

    cookie = run(sign_in(live_server.base_url, "demo.cs"))  # its own session: the test ends it
    assert httpx.post(f"{live_server.base_url}/auth/logout", headers={"Cookie": cookie}).status_code == 200

    async def scenario():
        async with CraftedClient(live_server.base_url, cookie=cookie) as client:
            await client.hydrate("/")
            return await client.send(event_name(HomeState, "load"))

    updates = run(scenario())
    assert state_delta(updates, HomeState) == {}
    assert redirects(updates)


def test_cross_site_session_exchange_is_refused(live_server):
    import httpx

    response = httpx.post(f"{live_server.base_url}/auth/session", json={"ticket": "x"},
                          headers={"Origin": "https://evil.example"})
    assert response.status_code == 403
    assert httpx.post(f"{live_server.base_url}/auth/session", json={"ticket": "not-a-ticket"}).status_code == 401


def test_owner_data_stays_inside_scope_and_permissions(live_server, db):
    from pm_admin.owners.models import Ownership
    from pm_admin.owners.states.detail import OwnerDetailState, RevealForm

    with Session(db) as session:
        c03_owner = session.exec(select(Ownership.owner_id).where(
            Ownership.community_id == community_id(db, "C03"))).first()
        c01_owner = session.exec(select(Ownership.owner_id).where(
            Ownership.community_id == community_id(db, "C01"))).first()
    manager = cookie_for(live_server.base_url, "demo.manager")  # C01 + C02
    cs = cookie_for(live_server.base_url, "demo.cs")
    before = audit_count(db, "guard.refused:reveal")

    async def scenario():
        async with CraftedClient(live_server.base_url, cookie=manager) as client:
            await client.hydrate(f"/owners/{c01_owner}")  # a profile on screen, which the foreign load must clear
            await client.send(event_name(OwnerDetailState, "load"), path=f"/owners/{c01_owner}",
                              query={"owner_id": str(c01_owner)})
            foreign = await client.send(event_name(OwnerDetailState, "load"), path=f"/owners/{c03_owner}",
                                        query={"owner_id": str(c03_owner)})
        async with CraftedClient(live_server.base_url, cookie=cs) as client:
            await client.hydrate(f"/owners/{c01_owner}")
            await client.send(event_name(OwnerDetailState, "load"), path=f"/owners/{c01_owner}")
            reveal = await client.send(event_name(RevealForm, "reveal"), {"form": {"reason": "随便看看"}})
        return foreign, reveal

    foreign, reveal = run(scenario())
    # The load ran (an empty delta would pass otherwise) and replaced the C01 profile with nothing.
    assert state_delta(foreign, OwnerDetailState).get("owner_found_rx_state_") is False
    assert state_delta(foreign, OwnerDetailState).get("profile_rx_state_") == {}
    assert state_delta(reveal, RevealForm) == {} and state_delta(reveal, OwnerDetailState) == {} and toasts(reveal)
    assert audit_count(db, "guard.refused:reveal") == before + 1


def test_private_file_routes_check_the_session(live_server):
    import httpx

    base = live_server.base_url
    small = {"file": ("owners.csv", b"\xef\xbb\xbfroom\n", "text/csv")}
    assert httpx.post(f"{base}/files/upload/owners_import", files=small).status_code == 401
    cs = cookie_for(base, "demo.cs")
    refused = httpx.post(f"{base}/files/upload/owners_import", files=small, headers={"Cookie": cs})
    assert refused.status_code == 403
    manager = cookie_for(base, "demo.manager")
    huge = {"file": ("big.csv", b"x" * (50 * 1024 * 1024), "text/csv")}
    too_big = httpx.post(f"{base}/files/upload/owners_import", files=huge, headers={"Cookie": manager}, timeout=60)
    assert too_big.status_code == 413 and too_big.json()["error"] == "files.too_large"
    stored = httpx.post(f"{base}/files/upload/owners_import", files=small, headers={"Cookie": manager}).json()
    assert stored["ok"] and len(stored["upload_id"]) == 32
    assert httpx.get(f"{base}/_upload/{stored['upload_id']}").status_code == 404  # not in Reflex's public folder
    assert httpx.get(f"{base}/files/download/not-a-ticket", headers={"Cookie": manager}).status_code == 404
    assert httpx.get(f"{base}/files/download/not-a-ticket").status_code == 401


def test_export_goes_through_a_one_time_ticket_and_is_audited(live_server, db):
    import io

    import httpx
    from openpyxl import load_workbook

    from pm_admin.owners.states.owners import OwnersState

    manager = cookie_for(live_server.base_url, "demo.manager")
    cs = cookie_for(live_server.base_url, "demo.cs")
    before = audit_count(db, "owner.export")

    async def scenario(cookie: str, handler: str, payload: dict):
        async with CraftedClient(live_server.base_url, cookie=cookie) as client:
            await client.hydrate("/owners")
            await client.send(event_name(OwnersState, "load"), path="/owners")
            return await client.send(event_name(OwnersState, handler), payload)

    updates = run(scenario(manager, "export", {"fmt": "xlsx"}))
    url = re.search(r"/files/download/[\w-]+", str(frontend_events(updates))).group(0)
    assert httpx.get(f"{live_server.base_url}{url}", headers={"Cookie": cs}).status_code == 403  # not cs's ticket
    response = httpx.get(f"{live_server.base_url}{url}", headers={"Cookie": manager})
    assert response.status_code == 200 and "attachment" in response.headers["content-disposition"]
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "房号" and len(rows) > 1000 and "*" in rows[1][3]  # masked ID numbers
    assert httpx.get(f"{live_server.base_url}{url}", headers={"Cookie": manager}).status_code == 404  # used
    assert audit_count(db, "owner.export") == before + 1
    refused = run(scenario(cs, "export_full", {"fmt": "csv"}))
    assert not re.search(r"/files/download/", str(frontend_events(refused))) and toasts(refused)
