"""The two inspection figures of the scorecards and the monthly report (definitions in the README, "Facility
inspections"). Both count Shanghai calendar days; a period is any object with ``start`` and ``end`` days (both
counted), e.g. ``dashboards.periods.Period``; ``today`` is the day the figure is taken."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
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


def _on_time_by(rows, today: date) -> dict:
    """(key, due day, finished, finished at) rows → per key the Ratio: finished by the due day ÷ finished or past due."""
    found: dict = defaultdict(lambda: [0, 0])
    for key, due, finished, finished_at in rows:
        if finished or due < today:
            found[key][1] += 1
            found[key][0] += finished_at is not None and finished_at.astimezone(DISPLAY_ZONE).date() <= due
    return {key: Ratio(*pair) for key, pair in found.items()}


def _completion(session: Session, community_ids, period: Days, key, today: date | None) -> dict:
    rows = session.exec(select(key, InspectionTask.due_on, InspectionTask.status == TaskStatus.DONE,
                               InspectionTask.done_at).where(
        _in(InspectionTask.community_id, community_ids), InspectionTask.due_on >= period.start,
        InspectionTask.due_on <= period.end)).all()
    return _on_time_by(rows, today or local_today())


def _rectifications(session: Session, community_ids, period: Days, key, today: date | None) -> dict:
    rows = session.exec(select(key, Rectification.first_deadline, Rectification.status == RectificationStatus.CLOSED,
                               Rectification.closed_at)
                        .join(InspectionTask, InspectionTask.id == Rectification.task_id).where(
        _in(Rectification.community_id, community_ids), Rectification.first_deadline >= period.start,
        Rectification.first_deadline <= period.end)).all()
    return _on_time_by(rows, today or local_today())


def inspection_completion(session: Session, community_ids: Iterable[int] | None, period: Days, *,
                          today: date | None = None) -> Ratio:
    """Tasks due in the period that were done by their due day ÷ tasks due in the period that are done or whose
    due day has passed (a task due today and not done yet is not late yet). ``community_ids`` None: every one."""
    return _completion(session, community_ids, period, sa.literal(0), today).get(0, Ratio(0, 0))


def rectifications_on_time(session: Session, community_ids: Iterable[int] | None, period: Days, *,
                           today: date | None = None) -> Ratio:
    """Rectifications whose first deadline (the notice's) falls in the period, closed by that day ÷ those of them
    closed or whose first deadline has passed. A later deadline set at a failed recheck does not make late work
    on time."""
    return _rectifications(session, community_ids, period, sa.literal(0), today).get(0, Ratio(0, 0))


def completion_by_assignee(session: Session, community_ids: Iterable[int] | None, period: Days, *,
                           today: date | None = None) -> dict[int, Ratio]:
    """``inspection_completion`` per assignee of the tasks (the scorecards)."""
    found = _completion(session, community_ids, period, InspectionTask.assignee_id, today)
    return {key: ratio for key, ratio in found.items() if key is not None}


def rectifications_by_inspector(session: Session, community_ids: Iterable[int] | None, period: Days, *,
                                today: date | None = None) -> dict[int, Ratio]:
    """``rectifications_on_time`` per assignee of the inspection that found the hazard (who rechecks it)."""
    found = _rectifications(session, community_ids, period, InspectionTask.assignee_id, today)
    return {key: ratio for key, ratio in found.items() if key is not None}


def rectifications_by_department(session: Session, community_ids: Iterable[int] | None, period: Days, *,
                                 today: date | None = None) -> dict[int, Ratio]:
    """``rectifications_on_time`` per responsible department (rectifications a department must carry out)."""
    found = _rectifications(session, community_ids, period, Rectification.department_id, today)
    return {key: ratio for key, ratio in found.items() if key is not None}
