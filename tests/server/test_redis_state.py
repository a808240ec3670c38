"""The same app with Redis as Reflex's state manager (several workers behind one address)."""

from __future__ import annotations

import shutil

import pytest
import redis

from pm_admin.places.states.places import RoomForm, RoomsState
from pm_admin.shell.state import ShellState
from tests.server.test_crafted_events import redirects, state_delta
from tests.support.login import cookie_for
from tests.support.loop import run
from tests.support.ws_client import CraftedClient, event_name

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def redis_server():
    from tests.support.redis_server import ThrowawayRedis

    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    server = ThrowawayRedis().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def redis_app(redis_server, tmp_path_factory, demo_data):
    from tests.support.server import ProdServer

    server = ProdServer(tmp_path_factory.mktemp("redis_app"), demo_data, redis_url=redis_server.url,
                        backend_only=True).start()
    yield server
    server.stop()


def test_state_lives_in_redis_and_survives_a_reconnect(redis_app, redis_server):
    cookie = cookie_for(redis_app.base_url, "demo.manager")

    async def scenario():
        async with CraftedClient(redis_app.base_url, cookie=cookie) as first:
            await first.hydrate("/places/rooms")
            await first.send(event_name(RoomsState, "load"), path="/places/rooms")
            paged = await first.send(event_name(RoomsState, "go_to_page"), {"page": 3})
            room = state_delta(paged, RoomsState)["rows_rx_state_"][0]
            # The page number lives in the address (a reload reads it there); a dialog's content lives in the state.
            await first.send(event_name(RoomForm, "open_edit"), {"room_id": room["id"]})
            token = first.token
        async with CraftedClient(redis_app.base_url, cookie=cookie, token=token) as again:
            return room, await again.hydrate("/places/rooms"), token

    room, rehydrated, token = run(scenario())
    assert state_delta(rehydrated, RoomForm)["values_rx_state_"]["number"] == room["number"]
    assert any(token in key.decode() for key in redis.Redis.from_url(redis_server.url).keys("*"))


def test_guard_and_reset_work_with_redis(redis_app):
    cookie = cookie_for(redis_app.base_url, "demo.manager")

    async def scenario():
        async with CraftedClient(redis_app.base_url, cookie=cookie) as owner:
            await owner.hydrate("/places/rooms")
            await owner.send(event_name(RoomsState, "load"), path="/places/rooms")
            token = owner.token
        async with CraftedClient(redis_app.base_url, token=token) as thief:
            stolen = await thief.hydrate("/places/rooms")
            refused = await thief.send(event_name(RoomsState, "load"), path="/places/rooms")
        return stolen, refused

    stolen, refused = run(scenario())
    assert state_delta(stolen, RoomsState).get("rows_rx_state_", []) == []
    assert state_delta(stolen, ShellState).get("signed_in_rx_state_") in (None, False)
    assert state_delta(refused, RoomsState) == {} and redirects(refused)
