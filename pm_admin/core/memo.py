"""A small in-process memory of computed values: bounded in size (least recently used go first) and in age."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import datetime, timedelta
from typing import Generic, TypeVar

from pm_admin.core.clock import utcnow

Value = TypeVar("Value")


class Memo(Generic[Value]):
    def __init__(self, *, max_age: timedelta, max_entries: int) -> None:
        self.max_age, self.max_entries = max_age, max_entries
        self._entries: OrderedDict[Hashable, tuple[datetime, Value]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, now: datetime | None = None) -> Value | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
        if entry is None or (now or utcnow()) - entry[0] > self.max_age:
            return None
        return entry[1]

    def age(self, key: Hashable, now: datetime | None = None) -> timedelta:
        """How long ago ``key`` was stored (forever when it is not)."""
        with self._lock:
            entry = self._entries.get(key)
        return (now or utcnow()) - entry[0] if entry is not None else timedelta.max

    def put(self, key: Hashable, value: Value, now: datetime | None = None) -> Value:
        with self._lock:
            self._entries[key] = (now or utcnow(), value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return value

    def get_or_make(self, key: Hashable, make: Callable[[], Value], now: datetime | None = None) -> Value:
        cached = self.get(key, now)
        return cached if cached is not None else self.put(key, make(), now)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
