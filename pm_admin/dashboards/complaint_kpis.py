"""KPIs of what was registered: valid complaints, the complaint-rate change, repeats, rework and reopenings.

Read from the registration rollups (``dashboards.rollups``), per month; the year-on-year comparison uses
the day rollup for partly covered months. Households are counted at a day: rooms with a current ownership
then (started on or before it, not ended by it).
* 有效投诉率 = complaints registered in the period, neither cancelled nor invalid, judged valid ÷ households
  at the period's end (seed: ≤ 1 %); the complaints not judged yet are counted beside it.
* Complaint-rate change = (complaints registered in the period ÷ households at its end) ÷ (the same for the
  same dates a year earlier) − 1 (seed 002 §4.2, target −20 %). Not given when the year-earlier count is 0 or
  the scope's first recorded ticket is after the start of the year-earlier dates.
* 二次投诉率 = complaints registered in the period linked as a repeat of an earlier complaint (same room and
  sub-category, within 30 days before) ÷ complaints registered in the period; 返修率 the same for repairs;
  reopen rate = tickets registered in the period reopened at least once up to now ÷ tickets registered.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, col

from pm_admin.dashboards.figures import Figure, count, rate
from pm_admin.dashboards.models import ALL_COMMUNITIES, TicketDayStats, TicketMonthStats
from pm_admin.dashboards.periods import Period, month_end
from pm_admin.owners.models import Ownership
from pm_admin.tickets.models import Kind

M, D = TicketMonthStats, TicketDayStats
COMPLAINT, REPAIR = Kind.COMPLAINT.value, Kind.REPAIR.value


def rollup_scope(column, scope: frozenset[int] | None) -> sa.ColumnElement[bool]:
    if scope is None:
        return column == ALL_COMMUNITIES
    return column.in_(sorted(scope)) if scope else sa.false()


def households_at(session: Session, scope: frozenset[int] | None, day: date) -> int:
    """Rooms with an ownership current on ``day`` (started on or before it, not ended by it), in scope."""
    statement = sa.select(sa.func.count(sa.distinct(Ownership.room_id))).where(
        Ownership.started_on <= day, sa.or_(col(Ownership.ended_on).is_(None), Ownership.ended_on > day))
    if scope is not None:
        statement = statement.where(col(Ownership.community_id).in_(sorted(scope)) if scope else sa.false())
    return int(session.scalar(statement) or 0)


def month_sums(session: Session, scope, period: Period, *group, sums: tuple[str, ...], where: tuple = ()) -> list:
    """Σ of month-rollup counters over the period's months, grouped."""
    columns = [sa.func.coalesce(sa.func.sum(M.__table__.c[name]), 0).label(name) for name in sums]
    statement = sa.select(*group, *columns).where(
        rollup_scope(M.community_id, scope), M.month >= period.months[0], M.month <= period.months[-1], *where)
    return list(session.execute(statement.group_by(*group) if group else statement).all())


def valid_complaints(session: Session, scope, period: Period) -> dict:
    homes = households_at(session, scope, period.end)
    by_month = {r.month: (int(r.valid_complaints), int(r.undecided_complaints)) for r in month_sums(
        session, scope, period, M.month, sums=("valid_complaints", "undecided_complaints"), where=(M.kind == COMPLAINT,))}
    valid = sum(v for v, _ in by_month.values())
    return {"rate": rate(valid, homes), "undecided": count(sum(u for _, u in by_month.values())),
            "months": {m: rate(by_month.get(m, (0, 0))[0], homes) for m in period.months}}


def complaints_per_month(session: Session, scope, period: Period) -> dict[date, int]:
    """Complaints registered on the period's days, per month: whole months from the month rollup, the days of a
    partly covered month (the same dates last year) from the day rollup."""
    whole = [m for m in period.months if period.covers_month(m)]
    counts: dict[date, int] = defaultdict(int)
    if whole:
        for month, number in session.execute(sa.select(M.month, sa.func.sum(M.created)).where(
                rollup_scope(M.community_id, scope), col(M.month).in_(whole), M.kind == COMPLAINT).group_by(M.month)):
            counts[month] += int(number)
    for month in (m for m in period.months if m not in whole):
        first, last = max(month, period.start), min(month_end(month), period.end)
        counts[month] += int(session.scalar(sa.select(sa.func.coalesce(sa.func.sum(D.created), 0)).where(
            rollup_scope(D.community_id, scope), D.day >= first, D.day <= last, D.kind == COMPLAINT)) or 0)
    return counts


def complaint_change(session: Session, scope, period: Period) -> dict:
    earlier = period.year_before()
    first_day = session.scalar(sa.select(sa.func.min(D.day)).where(rollup_scope(D.community_id, scope)))
    this_year, last_year = complaints_per_month(session, scope, period), complaints_per_month(session, scope, earlier)
    now, before = sum(this_year.values()), sum(last_year.values())
    current = rate(now, households_at(session, scope, period.end))
    previous = rate(before, households_at(session, scope, earlier.end))
    comparable = first_day is not None and first_day <= earlier.start and before > 0
    change = Figure(current.value / previous.value - 1 if comparable and current.value is not None and previous.value
                    else None, current.value, previous.value)
    return {"change": change, "comparable": comparable, "complaints": now, "last_year": before,
            "months": [(m, this_year.get(m, 0), last_year.get(e, 0) if comparable else None)
                       for m, e in zip(period.months, earlier.months, strict=True)]}


def repeats_and_reopenings(session: Session, scope, period: Period) -> dict:
    rows = month_sums(session, scope, period, M.month, M.kind, sums=("created", "repeats", "reopened"))
    months: dict[date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        bucket = months[row.month]
        bucket["created"] += int(row.created)
        bucket["reopened"] += int(row.reopened)
        if row.kind in (COMPLAINT, REPAIR):
            bucket[f"{row.kind}s"] += int(row.created)
            bucket[f"{row.kind}_repeats"] += int(row.repeats)
    total = defaultdict(int)
    for bucket in months.values():
        for key, value in bucket.items():
            total[key] += value
    return {"repeat": rate(total["complaint_repeats"], total["complaints"]),
            "rework": rate(total["repair_repeats"], total["repairs"]),
            "reopen": rate(total["reopened"], total["created"]),
            "months": {m: {"repeat": rate(months[m]["complaint_repeats"], months[m]["complaints"]),
                           "rework": rate(months[m]["repair_repeats"], months[m]["repairs"]),
                           "reopen": rate(months[m]["reopened"], months[m]["created"])} for m in period.months}}
