"""The periods of a schedule, in Shanghai calendar days: a day, a week (Monday–Sunday), a month, a quarter, a half
year. A task is due on its period's last day."""

from __future__ import annotations

from datetime import date, timedelta

from pm_admin.inspections.models import Recurrence


def _first_of_month(day: date, months_per_period: int) -> date:
    month = (day.month - 1) // months_per_period * months_per_period + 1
    return date(day.year, month, 1)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


MONTHS = {Recurrence.MONTHLY: 1, Recurrence.QUARTERLY: 3, Recurrence.HALF_YEARLY: 6}


def period_of(recurrence: Recurrence | str, day: date) -> tuple[date, date]:
    """The period holding ``day``: (its first day, its last day — the due day)."""
    recurrence = Recurrence(recurrence)
    if recurrence == Recurrence.DAILY:
        return day, day
    if recurrence == Recurrence.WEEKLY:
        monday = day - timedelta(days=day.weekday())
        return monday, monday + timedelta(days=6)
    months = MONTHS[recurrence]
    start = _first_of_month(day, months)
    return start, _add_months(start, months) - timedelta(days=1)
