"""Completion of the visit programme per community and per steward, visit coverage, and the households not reached
this year (definitions in the README, "Visit programme"):

* **households** — rooms with a current owner (as the census counts them); a steward's are those of the buildings
  that name them today;
* **tasks** of a period — tasks whose own period overlaps it; **done** — those that reached their target within
  their own period; **completion** = done ÷ tasks (per kind too); a steward's are the tasks assigned to them,
  tasks nobody holds form their own row;
* **visits** — visit records dated in the period (attempts included); a steward's are those they made;
* **reached** — households with a visit dated in the period at which someone was met; **coverage** = reached ÷
  households;
* **not reached this year** — households with no such visit from 1 January to today.

Ratios with nothing to divide by are not given (None, shown "–")."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import date
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from pm_admin.auth.models import User
from pm_admin.auth.queries import user_names
from pm_admin.core.clock import local_today
from pm_admin.core.paging import Page, PageRequest, count, paginate
from pm_admin.core.permissions import Perm, Principal
from pm_admin.places.models import Building, Community, Room
from pm_admin.visits.models import Met, PlanKind, TaskStatus, Visit, VisitTask
from pm_admin.visits.queries import count_if, current_owner_name
from pm_admin.visits.services.plans import household_clause

UNASSIGNED = 0  # the key of the row of tasks nobody holds


class Period(Protocol):
    """Any span of Shanghai calendar days, both ends inclusive (``visits.periods.Span``,
    ``dashboards.periods.Period``)."""

    start: date
    end: date


@dataclasses.dataclass
class CoverageRow:
    key: int  # a community id, or a staff member's user id (UNASSIGNED: tasks nobody holds)
    name: str
    tasks: dict[str, int] = dataclasses.field(default_factory=lambda: {str(k): 0 for k in PlanKind})
    done: dict[str, int] = dataclasses.field(default_factory=lambda: {str(k): 0 for k in PlanKind})
    visits: int = 0
    households: int = 0
    reached: int = 0

    @property
    def tasks_total(self) -> int:
        return sum(self.tasks.values())

    @property
    def tasks_done(self) -> int:
        return sum(self.done.values())

    @property
    def completion(self) -> float | None:
        return self.tasks_done / self.tasks_total if self.tasks_total else None

    @property
    def coverage(self) -> float | None:
        return self.reached / self.households if self.households else None

    def shown(self) -> dict[str, Any]:
        """The row as the report page shows it."""
        def percent(value: float | None) -> str:
            return "–" if value is None else f"{100 * value:.1f}%"  # 2 of 1,930 households is 0.1%, not 0%
        return {"key": self.key, "name": self.name, "visits": self.visits, "households": self.households,
                "reached": self.reached, "coverage": percent(self.coverage), "completion": percent(self.completion),
                **{f"{kind}_tasks": f"{self.done[kind]} / {self.tasks[kind]}" for kind in self.tasks}}


@dataclasses.dataclass(frozen=True)
class VisitCoverage:
    communities: list[CoverageRow]
    stewards: list[CoverageRow]


def households_query(community_ids: list[int]) -> sa.Select:
    """(room, community, building) of the rooms with a current owner."""
    return sa.select(Room.id.label("room_id"), Room.community_id, Room.building_id).where(
        col(Room.community_id).in_(community_ids), household_clause())


def reached_rooms(community_ids: list[int], start: date, end: date) -> sa.Select:
    """Rooms with a visit dated ``start`` … ``end`` at which someone was met."""
    return sa.select(Visit.room_id).where(col(Visit.community_id).in_(community_ids), Visit.visited_on >= start,
                                          Visit.visited_on <= end, Visit.met != Met.NOBODY)


def _tasks(session: Session, ids: list[int], period: Period, by: Any) -> Iterable[tuple[Any, str, int, int]]:
    return session.execute(sa.select(by, VisitTask.kind, sa.func.count(VisitTask.id),
                                     count_if(VisitTask.status == TaskStatus.DONE))
                           .where(col(VisitTask.community_id).in_(ids), VisitTask.starts_on <= period.end,
                                  VisitTask.ends_on >= period.start).group_by(by, VisitTask.kind)).all()


def _households(session: Session, ids: list[int], period: Period, by_steward: bool) -> Iterable[tuple[Any, int, int]]:
    homes = households_query(ids).subquery()
    key = Building.steward_user_id if by_steward else homes.c.community_id
    reached = count_if(homes.c.room_id.in_(reached_rooms(ids, period.start, period.end)))
    statement = sa.select(key, sa.func.count(homes.c.room_id), reached).select_from(homes)
    if by_steward:
        statement = statement.join(Building, Building.id == homes.c.building_id).where(
            col(Building.steward_user_id).is_not(None))
    return session.execute(statement.group_by(key)).all()


def _visits(session: Session, ids: list[int], period: Period, by: Any) -> Iterable[tuple[Any, int]]:
    return session.execute(sa.select(by, sa.func.count(Visit.id)).where(
        col(Visit.community_id).in_(ids), Visit.visited_on >= period.start, Visit.visited_on <= period.end)
        .group_by(by)).all()


def _rows(tasks, households, visits, keys: Iterable[int] = ()) -> list[CoverageRow]:
    """A row per key the figures name, and per ``keys`` (a row even with nothing yet); named by the caller."""
    rows = {key: CoverageRow(key, "") for key in keys}

    def row(key: int | None) -> CoverageRow:
        key = key or UNASSIGNED
        return rows.setdefault(key, CoverageRow(key, ""))

    for key, kind, total, done in tasks:
        row(key).tasks[str(kind)] += total
        row(key).done[str(kind)] += int(done)
    for key, total, reached in households:
        row(key).households, row(key).reached = total, int(reached)
    for key, n in visits:
        row(key).visits = n
    return list(rows.values())


def visit_coverage(session: Session, community_ids: Iterable[int], period: Period) -> VisitCoverage:
    """Per community and per staff member (a steward with tasks or households, anyone who visited), for the days of
    ``period``: tasks and done per kind, visits, households and households reached. No permission check: the caller
    chose the communities (``completion`` below, a scorecard)."""
    ids = sorted(set(community_ids))
    if not ids:
        return VisitCoverage([], [])
    communities = dict(session.execute(sa.select(Community.id, Community.name).where(col(Community.id).in_(ids))).all())
    by_community = _rows(_tasks(session, ids, period, VisitTask.community_id),
                         _households(session, ids, period, by_steward=False),
                         _visits(session, ids, period, Visit.community_id), keys=communities)
    by_steward = _rows(_tasks(session, ids, period, VisitTask.assignee_id),
                       _households(session, ids, period, by_steward=True),
                       _visits(session, ids, period, Visit.visitor_id))
    people = user_names(session, (row.key for row in by_steward))
    for rows, names in ((by_community, communities), (by_steward, people)):
        for row in rows:
            row.name = names.get(row.key, "")
    return VisitCoverage(sorted(by_community, key=lambda row: row.key),
                         sorted(by_steward, key=lambda row: (row.key == UNASSIGNED, row.name, row.key)))


def scope_ids(session: Session, principal: Principal, community_id: int | None = None) -> list[int]:
    """The communities a report covers: the one picked (in scope), else the principal's (the header's choice)."""
    if community_id is not None:
        return [community_id] if principal.can_access_community(community_id) else []
    picked = principal.community_filter()
    if picked is not None:
        return sorted(picked)
    return list(session.scalars(sa.select(Community.id).order_by(Community.id)).all())


def completion(session: Session, principal: Principal, period: Period,
               community_id: int | None = None) -> VisitCoverage:
    principal.require(Perm.VISITS_REPORT)
    return visit_coverage(session, scope_ids(session, principal, community_id), period)


# ---------------------------------------------------------------- not reached this year


@dataclasses.dataclass(frozen=True)
class NotReachedFilter:
    community_id: int | None = None
    building_id: int | None = None


def not_reached_statement(ids: list[int], filters: NotReachedFilter, today: date) -> sa.Select:
    steward = aliased(User)
    last_visit = (sa.select(sa.func.max(Visit.visited_on)).where(Visit.room_id == Room.id, Visit.met != Met.NOBODY)
                  .scalar_subquery())
    where = [col(Room.community_id).in_(ids), household_clause(),
             col(Room.id).not_in(reached_rooms(ids, date(today.year, 1, 1), today))]
    if filters.building_id:
        where.append(Room.building_id == filters.building_id)
    return (sa.select(Room.id, Room.code, Community.name, Building.name, current_owner_name(),
                      steward.display_name, last_visit)
            .join(Community, Community.id == Room.community_id).join(Building, Building.id == Room.building_id)
            .outerjoin(steward, steward.id == Building.steward_user_id).where(*where))


def not_reached(session: Session, principal: Principal, request: PageRequest, filters: NotReachedFilter,
                today: date | None = None) -> Page:
    """Households of the scope not reached this year, in room order, paged in SQL; the last visit that reached
    them, if ever."""
    principal.require(Perm.VISITS_REPORT)
    request, today = request.clamp(), today or local_today()
    statement = not_reached_statement(scope_ids(session, principal, filters.community_id), filters, today)
    total = count(session, statement)
    rows = [{"id": room_id, "room_code": code, "community": community, "building": building, "owner": owner or "",
             "steward": steward or "", "last_visit": last.isoformat() if last else ""}
            for room_id, code, community, building, owner, steward, last in session.execute(
                paginate(statement.order_by(Room.sort_key, Room.id), request)).all()]
    return Page(rows, total, request.page, request.page_size)
