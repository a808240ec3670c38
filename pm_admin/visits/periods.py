"""The periods of visit tasks (a week Monday–Sunday, a quarter, a year or half-year) and of the completion report,
in Shanghai calendar days."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

from pm_admin.visits.models import PlanKind

REPORT_PERIODS = ("this_week", "last_week", "this_month", "this_quarter", "this_year")


@dataclasses.dataclass(frozen=True)
class Span:
    code: str  # 2026-W48, 2026Q4, 2026, 2026H2, or a report period's key
    start: date
    end: date  # both inclusive


def week_of(day: date) -> Span:
    monday = day - timedelta(days=day.weekday())
    iso = day.isocalendar()
    return Span(f"{iso.year}-W{iso.week:02d}", monday, monday + timedelta(days=6))


def _first_of(year: int, month: int) -> date:
    return date(year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def quarter_of(day: date) -> Span:
    first_month = 3 * ((day.month - 1) // 3) + 1
    return Span(f"{day.year}Q{(day.month - 1) // 3 + 1}", date(day.year, first_month, 1),
                _first_of(day.year, first_month + 3) - timedelta(days=1))


def year_round_of(day: date, times_per_year: int) -> Span:
    """The door-to-door round: the calendar year, or its half when the plan visits every household twice."""
    if times_per_year == 2:
        first = day.month <= 6
        return Span(f"{day.year}H{1 if first else 2}", date(day.year, 1 if first else 7, 1),
                    date(day.year, 6, 30) if first else date(day.year, 12, 31))
    return Span(str(day.year), date(day.year, 1, 1), date(day.year, 12, 31))


def task_period(kind: PlanKind, day: date, times_per_year: int = 1) -> Span:
    if kind == PlanKind.WEEKLY:
        return week_of(day)
    if kind == PlanKind.QUARTERLY:
        return quarter_of(day)
    return year_round_of(day, times_per_year)


def report_period(key: str, today: date) -> Span:
    """A report's days; a running period ends today."""
    if key == "last_week":
        week = week_of(today - timedelta(days=7))
        return Span(key, week.start, week.end)
    if key == "this_month":
        return Span(key, today.replace(day=1), today)
    if key == "this_quarter":
        return Span(key, quarter_of(today).start, today)
    if key == "this_year":
        return Span(key, date(today.year, 1, 1), today)
    return Span("this_week", week_of(today).start, today)
