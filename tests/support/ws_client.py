"""A raw Reflex websocket client: sends crafted events the way a hostile browser could."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import socketio

STATE_PREFIX = "reflex___state____state"
NAMESPACE = "/_event"


def state_name(state_cls) -> str:
    return state_cls.get_full_name()


def event_name(state_cls, handler: str) -> str:
    return f"{state_cls.get_full_name()}.{handler}"


class CraftedClient:
    """Connects with an optional cookie header and records every update the server sends."""

    def __init__(self, base_url: str, *, cookie: str | None = None, token: str | None = None) -> None:
        self.base_url = base_url
        self.cookie = cookie
        self.token = token or str(uuid.uuid4())
        self.updates: list[dict[str, Any]] = []
        self._sio = socketio.AsyncClient(reconnection=False)
        self._got_update = asyncio.Event()

        @self._sio.on("event", namespace=NAMESPACE)
        async def _on_event(data):
            self.updates.append(data)
            self._got_update.set()

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

    async def send(self, name: str, payload: dict | None = None, *, path: str = "/", query: dict | None = None,
                   settle: float = 1.0) -> list[dict]:
        """Emit one event and return its updates: those arriving until ``settle`` seconds pass without another.

        ``query`` carries what the browser's router would: URL parameters and dynamic route segments."""
        start = len(self.updates)
        await self._sio.emit("event", {
            "name": name,
            "payload": payload or {},
            "router_data": {"pathname": path.split("?")[0], "query": query or {}, "asPath": path},
        }, namespace=NAMESPACE)
        loop = asyncio.get_running_loop()
        began = last_change = loop.time()
        seen = start
        while loop.time() - last_change < settle and loop.time() - began < 20:
            await asyncio.sleep(0.1)
            if len(self.updates) != seen:  # a slow handler is still sending: keep listening
                seen, last_change = len(self.updates), loop.time()
        return self.updates[start:]

    async def hydrate(self, path: str = "/") -> list[dict]:
        # The page's on_load handlers answer after the hydrate itself; a loaded machine can take seconds.
        return await self.send(f"{STATE_PREFIX}.hydrate_and_load", {}, path=path, settle=2.5)


def deltas(updates: list[dict]) -> dict[str, dict]:
    """Merge the state deltas of several updates: {state name: {var: value}}."""
    merged: dict[str, dict] = {}
    for update in updates:
        for state, values in (update.get("delta") or {}).items():
            merged.setdefault(state, {}).update(values)
    return merged


def frontend_events(updates: list[dict]) -> list[dict]:
    return [event for update in updates for event in update.get("events") or []]
