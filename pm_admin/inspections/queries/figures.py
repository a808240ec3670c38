"""The two inspection figures of the scorecards and the monthly report (definitions in the README, "Facility
inspections"). Both count Shanghai calendar days; a period is any object with ``start`` and ``end`` days (both
counted), e.g. ``dashboards.periods.Period``; ``today`` is the day the figure is taken."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import date
from typing import Protocol

import sqlalchemy as sa
from sqlmodel import Session, col

from pm_admin.core.clock import local_today
from pm_admin.core.local_date import local_date
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


def _on_time_by(session: Session, statement: sa.Select, key, due, finished, finished_at, today: date) -> dict:
    """Counted in the database, per ``key`` (None: one figure): finished by the due day (a Shanghai day) ÷
    finished or past due."""
    on_time = sa.func.sum(sa.case((sa.and_(col(finished_at).is_not(None), local_date(finished_at) <= due), 1),
                                  else_=0))
    counted = statement.where(sa.or_(finished, due < today))
    if key is None:
        numerator, denominator = session.execute(counted.add_columns(on_time, sa.func.count())).one()
        return {None: Ratio(int(numerator or 0), denominator)}
    rows = session.execute(counted.add_columns(key, on_time, sa.func.count()).group_by(key)).all()
    return {row_key: Ratio(int(numerator or 0), denominator) for row_key, numerator, denominator in rows}


def _completion(session: Session, community_ids, period: Days, key, today: date | None) -> dict:
    statement = sa.select().select_from(InspectionTask).where(
        _in(InspectionTask.community_id, community_ids), InspectionTask.due_on >= period.start,
        InspectionTask.due_on <= period.end)
    return _on_time_by(session, statement, key, InspectionTask.due_on, InspectionTask.status == TaskStatus.DONE,
                       InspectionTask.done_at, today or local_today())


def _rectifications(session: Session, community_ids, period: Days, key, today: date | None) -> dict:
    statement = sa.select().select_from(Rectification).join(InspectionTask, InspectionTask.id == Rectification.task_id) \
        .where(_in(Rectification.community_id, community_ids), Rectification.first_deadline >= period.start,
               Rectification.first_deadline <= period.end)
    return _on_time_by(session, statement, key, Rectification.first_deadline,
                       Rectification.status == RectificationStatus.CLOSED, Rectification.closed_at,
                       today or local_today())


def inspection_completion(session: Session, community_ids: Iterable[int] | None, period: Days, *,
                          today: date | None = None) -> Ratio:
    """Tasks due in the period that were done by their due day ÷ tasks due in the period that are done or whose
    due day has passed (a task due today and not done yet is not late yet). ``community_ids`` None: every one."""
    return _completion(session, community_ids, period, None, today)[None]


def rectifications_on_time(session: Session, community_ids: Iterable[int] | None, period: Days, *,
                           today: date | None = None) -> Ratio:
    """Rectifications whose first deadline (the notice's) falls in the period, closed by that day ÷ those of them
    closed or whose first deadline has passed. A later deadline set at a failed recheck does not make late work
    on time."""
    return _rectifications(session, community_ids, period, None, today)[None]


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
