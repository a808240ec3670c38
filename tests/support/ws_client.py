"""A raw Reflex websocket client: sends crafted events the way a hostile browser could.

Reflex 0.10 marks no update as the last of an event (``StateUpdate.final`` is deprecated and never sent), so the
client waits for an answer that proves the event done, never for silence:

* ``send`` waits until the server has processed the event. Right after it the client sends a harmless follow-up,
  Reflex's own ``set_is_hydrated(True)`` of its on-load substate; the server runs the events of one token one after
  another, so the follow-up's answer proves every update of the event came before it. The guard lets anyone send
  it, nothing in the app reads the flag, and Reflex sends an assigned var even when its value stays the same: the
  answer always comes, also after a refusal that sends nothing back. (Not covered: a background task the event
  starts, or an event the server chains behind the follow-up; no test relies on either.)
* ``hydrate`` waits for the page to be hydrated: Reflex sets ``is_hydrated`` once the page's on-load handlers ran.

Each wait has a timeout that fails with what was expected and what came.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import Any

import socketio

STATE_PREFIX = "reflex___state____state"
NAMESPACE = "/_event"
HYDRATE = f"{STATE_PREFIX}.hydrate_and_load"
# Reflex's own event, on its smallest substate: always answered, changes nothing the app reads (see above).
PROCESSED_MARKER = f"{STATE_PREFIX}.reflex___state____on_load_internal_state.set_is_hydrated"
HYDRATED = "is_hydrated_rx_state_"
# Generous for a loaded 2-core machine; a healthy answer takes milliseconds.
ANSWER_TIMEOUT = 30.0

Updates = list[dict[str, Any]]


class NoAnswer(AssertionError):
    """The server did not send what the test waited for in time."""


def state_name(state_cls) -> str:
    return state_cls.get_full_name()


def event_name(state_cls, handler: str) -> str:
    return f"{state_cls.get_full_name()}.{handler}"


def marks_hydrated(update: dict[str, Any]) -> bool:
    return ((update.get("delta") or {}).get(STATE_PREFIX) or {}).get(HYDRATED) is True


class CraftedClient:
    """Connects with an optional cookie header and records every update the server sends."""

    def __init__(self, base_url: str, *, cookie: str | None = None, token: str | None = None) -> None:
        self.base_url = base_url
        self.cookie = cookie
        self.token = token or str(uuid.uuid4())
        self.updates: Updates = []
        self._sio = socketio.AsyncClient(reconnection=False)
        self._arrived = asyncio.Event()

        @self._sio.on("event", namespace=NAMESPACE)
        async def _on_event(data):
            self.updates.append(data)
            self._arrived.set()

    async def __aenter__(self) -> "CraftedClient":
        headers = {"Cookie": self.cookie} if self.cookie else {}
        await self._sio.connect(
            f"{self.base_url}?token={self.token}",
            socketio_path="/_event",
            transports=["websocket"],
            headers=headers,
            namespaces=[NAMESPACE],
            wait_timeout=10,
        )
        return self

    async def __aexit__(self, *exc) -> None:
        await self._sio.disconnect()

    async def _emit(self, name: str, payload: dict | None, path: str, query: dict | None) -> None:
        """``query`` carries what the browser's router would: URL parameters and dynamic route segments."""
        await self._sio.emit("event", {
            "name": name,
            "payload": payload or {},
            "router_data": {"pathname": path.split("?")[0], "query": query or {}, "asPath": path},
        }, namespace=NAMESPACE)

    async def _first_index(self, start: int, found: Callable[[dict[str, Any]], bool], what: str,
                           timeout: float) -> int:
        """The index of the first update from ``start`` on for which ``found`` holds, waiting for it to arrive."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while (index := next((n for n in range(start, len(self.updates)) if found(self.updates[n])), None)) is None:
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise NoAnswer(f"{what}: nothing within {timeout:.0f} s; {len(self.updates) - start} updates came: "
                               f"{str(self.updates[start:])[:2000]}")
            self._arrived.clear()  # no await since the check: an update cannot slip in between
            try:
                await asyncio.wait_for(self._arrived.wait(), remaining)
            except TimeoutError:
                pass
        return index

    async def send(self, name: str, payload: dict | None = None, *, path: str = "/", query: dict | None = None,
                   timeout: float = ANSWER_TIMEOUT) -> Updates:
        """Emit one event and return its updates, once the server has processed it (see the module docstring)."""
        if name in (HYDRATE, PROCESSED_MARKER):
            raise ValueError(f"{name} sets is_hydrated itself: use hydrate()")
        start = len(self.updates)
        await self._emit(name, payload, path, query)
        await self._emit(PROCESSED_MARKER, {"value": True}, path, query)
        end = await self._first_index(start, marks_hydrated, f"{name} at {path}: the answer to the event after it",
                                      timeout)
        return self.updates[start:end]

    async def hydrate(self, path: str = "/", *, timeout: float = ANSWER_TIMEOUT) -> Updates:
        """Hydrate the page at ``path`` and return its updates, once its on-load handlers ran."""
        start = len(self.updates)
        await self._emit(HYDRATE, {}, path, None)
        end = await self._first_index(start, marks_hydrated, f"hydrate of {path}: is_hydrated", timeout)
        return self.updates[start:end + 1]


def deltas(updates: Updates) -> dict[str, dict]:
    """Merge the state deltas of several updates: {state name: {var: value}}."""
    merged: dict[str, dict] = {}
    for update in updates:
        for state, values in (update.get("delta") or {}).items():
            merged.setdefault(state, {}).update(values)
    return merged


def frontend_events(updates: Updates) -> list[dict]:
    return [event for update in updates for event in update.get("events") or []]
