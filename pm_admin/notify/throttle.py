"""Messages per minute: a sliding window per channel and per narrower key (one WeCom robot), in the dispatcher.

Time is passed in (``now``), never read here, so tests compute instead of sleeping. Each dispatcher process keeps
its own windows: with several dispatchers the limits add up — set the per-channel figures for one dispatcher
each, and WeCom's "too fast" answer (``pause``) holds a robot back whichever dispatcher hears it.
"""

from __future__ import annotations

import collections
from datetime import datetime, timedelta

WINDOW = timedelta(minutes=1)


class RateLimit:
    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._sent: collections.deque[datetime] = collections.deque()
        self._paused_until: datetime | None = None

    def next_free(self, now: datetime) -> datetime | None:
        """None when one more may go now; else when the earliest slot frees."""
        if self._paused_until is not None and now < self._paused_until:
            return self._paused_until
        if self.per_minute <= 0:
            return None
        while self._sent and self._sent[0] <= now - WINDOW:
            self._sent.popleft()
        if len(self._sent) < self.per_minute:
            return None
        return self._sent[0] + WINDOW

    def take(self, now: datetime) -> None:
        if self.per_minute > 0:
            self._sent.append(now)

    def pause(self, until: datetime) -> None:
        """The provider said "too fast": nothing more until ``until``."""
        if self._paused_until is None or until > self._paused_until:
            self._paused_until = until


class Throttles:
    """The channel's limit and, for a key like ``wecom:<robot>``, that key's own."""

    def __init__(self, per_channel: dict[str, int], per_key: dict[str, int]) -> None:
        self.per_channel = per_channel  # channel -> per minute (0: none)
        self.per_key = per_key  # key prefix ("wecom") -> per minute for each key under it
        self._limits: dict[str, RateLimit] = {}

    def _limit(self, name: str, per_minute: int) -> RateLimit:
        if name not in self._limits:
            self._limits[name] = RateLimit(per_minute)
        return self._limits[name]

    def _limits_for(self, channel: str, key: str | None) -> list[RateLimit]:
        limits = [self._limit(f"channel:{channel}", self.per_channel.get(channel, 0))]
        if key is not None:
            limits.append(self._limit(key, self.per_key.get(key.partition(":")[0], 0)))
        return limits

    def next_free(self, channel: str, key: str | None, now: datetime) -> datetime | None:
        waits = [free for limit in self._limits_for(channel, key) if (free := limit.next_free(now)) is not None]
        return max(waits) if waits else None

    def take(self, channel: str, key: str | None, now: datetime) -> None:
        for limit in self._limits_for(channel, key):
            limit.take(now)

    def pause(self, channel: str, key: str | None, until: datetime) -> None:
        """Hold the narrowest limit (the robot), else the channel."""
        self._limits_for(channel, key)[-1].pause(until)
