"""The two inspection figures of the scorecards and the monthly report (definitions in the README, "Facility
inspections"). Both count Shanghai calendar days; a period is any object with ``start`` and ``end`` days (both
counted), e.g. ``dashboards.periods.Period``; ``today`` is the day the figure is taken."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import date
from typing import Protocol

import sqlalchemy as sa
from sqlmodel import Session, col, select

from pm_admin.core.clock import DISPLAY_ZONE, local_today
from pm_admin.inspections.models import InspectionTask, Rectification, RectificationStatus, TaskStatus


class Days(Protocol):
    start: date
    end: date


@dataclasses.dataclass(frozen=True)
class Ratio:
    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        """None when nothing was counted (shown "–")."""
        return self.numerator / self.denominator if self.denominator else None


def _in(column, community_ids: Iterable[int] | None):
    return sa.true() if community_ids is None else col(column).in_(sorted(set(community_ids)))


def inspection_completion(session: Session, community_ids: Iterable[int] | None, period: Days, *,
                          today: date | None = None) -> Ratio:
    """Tasks due in the period that were done by their due day ÷ tasks due in the period that are done or whose
    due day has passed (a task due today and not done yet is not late yet). ``community_ids`` None: every one."""
    today = today or local_today()
    rows = session.exec(select(InspectionTask.due_on, InspectionTask.status, InspectionTask.done_at).where(
        _in(InspectionTask.community_id, community_ids), InspectionTask.due_on >= period.start,
        InspectionTask.due_on <= period.end)).all()
    counted = [(due, done_at) for due, status, done_at in rows if status == TaskStatus.DONE or due < today]
    on_time = sum(1 for due, done_at in counted
                  if done_at is not None and done_at.astimezone(DISPLAY_ZONE).date() <= due)
    return Ratio(on_time, len(counted))


def rectifications_on_time(session: Session, community_ids: Iterable[int] | None, period: Days, *,
                           today: date | None = None) -> Ratio:
    """Rectifications whose first deadline (the notice's) falls in the period, closed by that day ÷ those of them
    closed or whose first deadline has passed. A later deadline set at a failed recheck does not make late work
    on time."""
    today = today or local_today()
    rows = session.exec(select(Rectification.first_deadline, Rectification.status, Rectification.closed_at).where(
        _in(Rectification.community_id, community_ids), Rectification.first_deadline >= period.start,
        Rectification.first_deadline <= period.end)).all()
    counted = [(deadline, closed_at) for deadline, status, closed_at in rows
               if status == RectificationStatus.CLOSED or deadline < today]
    on_time = sum(1 for deadline, closed_at in counted
                  if closed_at is not None and closed_at.astimezone(DISPLAY_ZONE).date() <= deadline)
    return Ratio(on_time, len(counted))
