"""When to try a failed message again: exponential backoff with jitter, capped; given up after the last attempt."""

from __future__ import annotations

import random
from datetime import datetime, timedelta


def retry_delay(attempts: int, base: float, cap: float, rng: random.Random) -> float:
    """Seconds before the next try after ``attempts`` failed tries (1, 2, …): the exponential step
    ``base · 2^(attempts-1)`` capped at ``cap``, of which a random half is waited ("equal jitter": never sooner
    than half the step, so failures of one moment spread out instead of coming back together)."""
    step = min(cap, base * 2 ** max(attempts - 1, 0))
    return step / 2 + rng.uniform(0, step / 2)


def next_attempt(now: datetime, attempts: int, base: float, cap: float, rng: random.Random,
                 retry_after: float | None = None) -> datetime:
    """The time of the next try; a provider's own "not before" (``retry_after``) is kept when longer."""
    delay = retry_delay(attempts, base, cap, rng)
    if retry_after is not None:
        delay = max(delay, retry_after)
    return now + timedelta(seconds=delay)
