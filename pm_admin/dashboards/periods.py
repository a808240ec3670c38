"""Reporting periods of the dashboard, in Shanghai calendar days."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

from pm_admin.core.clock import local_today

PERIOD_KEYS = ("this_month", "last_month", "this_quarter", "this_year", "last_12_months")
DAILY_UP_TO_DAYS = 62  # shorter periods chart per day, longer ones per month


def add_months(day: date, months: int) -> date:
    """The first of the month ``months`` after ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_end(month: date) -> date:
    return add_months(month, 1) - timedelta(days=1)


def year_earlier(day: date) -> date:
    return day.replace(year=day.year - 1) if (day.month, day.day) != (2, 29) else date(day.year - 1, 2, 28)


@dataclasses.dataclass(frozen=True)
class Period:
    key: str
    start: date  # first day counted
    end: date  # last day counted (today for a running period)
    as_of: date  # the day the period was taken: nothing is registered after it

    @property
    def months(self) -> list[date]:
        first, months = self.start.replace(day=1), []
        while first <= self.end:
            months.append(first)
            first = add_months(first, 1)
        return months

    @property
    def daily(self) -> bool:
        return (self.end - self.start).days < DAILY_UP_TO_DAYS

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range((self.end - self.start).days + 1)]

    def year_before(self) -> Period:
        """The same calendar dates one year earlier (the year-on-year comparison)."""
        return Period(self.key, year_earlier(self.start), year_earlier(self.end), self.as_of)

    def covers_month(self, month: date) -> bool:
        """True when the month's rollup row counts exactly the period's days of that month: the whole month
        lies inside, or the period runs to today (the row holds nothing after today)."""
        return self.start <= month and (self.end >= month_end(month) or self.end >= self.as_of)


def period_for(key: str, today: date | None = None) -> Period:
    today = today or local_today()
    month = today.replace(day=1)
    if key == "last_month":
        return Period(key, add_months(month, -1), month - timedelta(days=1), today)
    if key == "this_quarter":
        return Period(key, date(today.year, (today.month - 1) // 3 * 3 + 1, 1), today, today)
    if key == "this_year":
        return Period(key, date(today.year, 1, 1), today, today)
    if key == "last_12_months":
        return Period(key, add_months(month, -11), today, today)
    return Period("this_month", month, today, today)
