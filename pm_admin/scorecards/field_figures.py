"""Scorecard figures of field work: inspections done on time and the rectifications they opened closed on time
(definitions in the README's inspections section, per person here: ``inspections.queries.figures``)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from pm_admin.core.clock import DISPLAY_ZONE
from pm_admin.dashboards.figures import Figure, rate
from pm_admin.dashboards.periods import Period
from pm_admin.inspections.queries.figures import (
    completion_by_assignee,
    rectifications_by_department,
    rectifications_by_inspector,
)

FIELD_FIGURES = ("inspection_completion", "rectifications_on_time")


def _figure(ratio) -> Figure:
    return rate(ratio.numerator, ratio.denominator) if ratio else rate(0, 0)


def field_figures(session: Session, scope: frozenset[int] | None, period: Period,
                  now: datetime) -> dict[int, dict[str, Figure]]:
    """Per user: inspection tasks assigned to them done by their due day, and rectifications found by their
    inspections closed by the notice's deadline."""
    today = now.astimezone(DISPLAY_ZONE).date()
    tasks = completion_by_assignee(session, scope, period, today=today)
    fixes = rectifications_by_inspector(session, scope, period, today=today)
    return {user: {"inspection_completion": _figure(tasks.get(user)),
                   "rectifications_on_time": _figure(fixes.get(user))} for user in set(tasks) | set(fixes)}


def department_rectifications(session: Session, scope: frozenset[int] | None, period: Period,
                              now: datetime) -> dict[int, dict[str, Figure]]:
    """Per department: the rectifications it is responsible for closed by the notice's deadline."""
    today = now.astimezone(DISPLAY_ZONE).date()
    return {department: {"rectifications_on_time": _figure(ratio)}
            for department, ratio in rectifications_by_department(session, scope, period, today=today).items()}
