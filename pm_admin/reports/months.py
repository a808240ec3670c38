"""The months a report covers: Shanghai calendar months, named ``2026-11``. A month is *closed* once its last day
has passed; its report is then stored and final. The running month's report is provisional (暂定)."""

from __future__ import annotations

import re
from datetime import date

from pm_admin.core.errors import DomainError
from pm_admin.dashboards.axes import month_label
from pm_admin.dashboards.periods import Period, add_months, month_end

MONTHS_OFFERED = 24  # the page's month picker: the running month and the 23 before it
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
CLOSED_KEY = "month"  # Period.key of a closed month (a running one is the dashboard's "this_month")


def parse_month(text: object) -> date:
    """``2026-11`` → 1 November 2026; anything else is refused with one message."""
    found = _MONTH.match(str(text or "").strip())
    if not found or not 1 <= int(found[2]) <= 12 or int(found[1]) < 2000:
        raise DomainError("reports.month_invalid")
    return date(int(found[1]), int(found[2]), 1)


def month_text(month: date) -> str:
    return month.strftime("%Y-%m")


def is_closed(month: date, today: date) -> bool:
    return month_end(month) < today


def previous_month(today: date) -> date:
    return add_months(today.replace(day=1), -1)


def month_period(month: date, today: date) -> Period:
    """The report's period: the whole month when closed, the 1st to today while it runs; a later month is refused."""
    if month > today:
        raise DomainError("reports.month_future")
    if is_closed(month, today):
        return Period(CLOSED_KEY, month, month_end(month), month_end(month))
    return Period("this_month", month, today, today)


def month_choices(today: date, language: str) -> list[dict[str, str]]:
    """The running month first, then the closed ones, newest first."""
    first = today.replace(day=1)
    months = [add_months(first, -n) for n in range(MONTHS_OFFERED)]
    return [{"value": month_text(m), "label": month_label(m, language)} for m in months]
