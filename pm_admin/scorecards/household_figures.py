"""Scorecard figures of a steward's 管家 household work: survey index, census, arrears follow-up.

Definitions (README, 绩效), at D = the period's end (today for a running period):
* survey_index = the satisfaction index (``surveys.queries.satisfaction_index``'s formula) of the plan closed last
  by D, over the responses of the households whose building the person stewarded when they answered;
* census_completion = census tasks of D's quarter assigned to the person, done by the end of D ÷ those tasks;
* arrears_coverage = open arrears cases at D assigned to the person with a follow-up in the 15 days up to D ÷
  those cases (``arrears.queries.coverage_on``'s definition per assignee);
* visit_completion, visit_coverage = the visit programme's completion and coverage of the steward for the period
  (``visits.coverage.visit_coverage``, per steward).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from pm_admin.arrears.queries import coverage_by_assignee
from pm_admin.census.models import CensusTask, TaskStatus
from pm_admin.census.services import quarter_of
from pm_admin.core.permissions import in_communities
from pm_admin.dashboards.figures import Figure, local_bounds, rate
from pm_admin.dashboards.periods import Period
from pm_admin.places.models import Community
from pm_admin.surveys.queries import steward_indices
from pm_admin.visits.coverage import UNASSIGNED, visit_coverage

HOUSEHOLD_FIGURES = ("survey_index", "census_completion", "arrears_coverage", "visit_completion", "visit_coverage")


def census_by_assignee(session: Session, scope: frozenset[int] | None, period: Period,
                       now: datetime) -> dict[int, tuple[int, int]]:
    """Per assignee: (tasks done by the end of the period's last day, tasks) of that day's quarter."""
    after = local_bounds(period.start, period.end, now)[1]
    done = sa.and_(CensusTask.status != TaskStatus.PENDING, CensusTask.completed_at.is_not(None),
                   CensusTask.completed_at < after)
    rows = session.execute(sa.select(CensusTask.assignee_id, sa.func.sum(sa.case((done, 1), else_=0)),
                                     sa.func.count(CensusTask.id))
                           .where(CensusTask.quarter == quarter_of(period.end), CensusTask.assignee_id.is_not(None),
                                  in_communities(CensusTask.community_id, scope))
                           .group_by(CensusTask.assignee_id)).all()
    return {int(user): (int(finished or 0), int(total)) for user, finished, total in rows}


def household_figures(session: Session, scope: frozenset[int] | None, period: Period,
                      now: datetime) -> dict[int, dict[str, Figure]]:
    """Per user: the figures of ``HOUSEHOLD_FIGURES`` (only those with something to count)."""
    survey = steward_indices(session, scope, period.end)
    census = census_by_assignee(session, scope, period, now)
    arrears = coverage_by_assignee(session, scope, period.end)
    communities = sorted(scope) if scope is not None else list(session.exec(select(Community.id)).all())
    visits = {row.key: row for row in visit_coverage(session, communities, period).stewards if row.key != UNASSIGNED}
    figures = {user: {"survey_index": rate(*survey.get(user, (0, 0))),
                      "census_completion": rate(*census.get(user, (0, 0))),
                      "arrears_coverage": rate(*arrears.get(user, (0, 0))),
                      "visit_completion": rate(0, 0), "visit_coverage": rate(0, 0)}
               for user in set(survey) | set(census) | set(arrears) | set(visits)}
    for user, row in visits.items():
        figures[user]["visit_completion"] = rate(row.tasks_done, row.tasks_total)
        figures[user]["visit_coverage"] = rate(row.reached, row.households)
    return figures
