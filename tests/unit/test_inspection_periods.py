"""The periods a schedule gives tasks for: the day, the Monday–Sunday week, the month, the quarter, the half year,
each due on its last day."""

from datetime import date

import pytest

from pm_admin.inspections.recurrence import period_of


@pytest.mark.parametrize(("recurrence", "day", "period"), [
    ("daily", date(2026, 11, 25), (date(2026, 11, 25), date(2026, 11, 25))),
    ("weekly", date(2026, 11, 25), (date(2026, 11, 23), date(2026, 11, 29))),  # a Wednesday
    ("weekly", date(2026, 11, 23), (date(2026, 11, 23), date(2026, 11, 29))),  # its Monday
    ("weekly", date(2026, 12, 31), (date(2026, 12, 28), date(2027, 1, 3))),  # across the year's end
    ("monthly", date(2028, 2, 10), (date(2028, 2, 1), date(2028, 2, 29))),  # a leap February
    ("quarterly", date(2026, 11, 25), (date(2026, 10, 1), date(2026, 12, 31))),
    ("quarterly", date(2026, 4, 1), (date(2026, 4, 1), date(2026, 6, 30))),
    ("half_yearly", date(2026, 6, 30), (date(2026, 1, 1), date(2026, 6, 30))),
    ("half_yearly", date(2026, 7, 1), (date(2026, 7, 1), date(2026, 12, 31))),
])
def test_a_day_falls_in_one_period_due_on_its_last_day(recurrence, day, period):
    assert period_of(recurrence, day) == period


def test_an_unknown_recurrence_is_refused():
    with pytest.raises(ValueError):
        period_of("fortnightly", date(2026, 11, 25))
