"""A figure as an auditor reads it: the value with the numerator and denominator it came from.

Rates are fractions (0.0123, not 1.23 %); a rate whose denominator is 0 has no value. Counts carry the
count as value and numerator, and no denominator.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, time, timedelta

from pm_admin.core.clock import DISPLAY_ZONE


@dataclasses.dataclass(frozen=True)
class Figure:
    value: float | None
    numerator: float | None
    denominator: float | None

    def as_json(self) -> dict:
        return dataclasses.asdict(self)

    @property
    def percent(self) -> float | None:
        return None if self.value is None else 100.0 * self.value


def rate(numerator: float, denominator: float) -> Figure:
    return Figure(numerator / denominator if denominator else None, numerator, denominator)


def count(number: int) -> Figure:
    return Figure(number, number, None)


def local_bounds(start: date, end: date, now: datetime) -> tuple[datetime, datetime]:
    """[start 00:00, end+1 00:00) in Shanghai time, the end capped at ``now`` (a period that includes today)."""
    first = datetime.combine(start, time.min, DISPLAY_ZONE)
    after = datetime.combine(end + timedelta(days=1), time.min, DISPLAY_ZONE)
    return first, min(after, now)
