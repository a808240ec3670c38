"""KPIs of resolutions and callbacks, read from the stored rounds (``tickets.rounds``).

A round's facts are fixed when it is resolved, so these figures of a closed period never change:
* SLA compliance of a tier = rounds resolved in the period whose tier at resolution is that tier and that
  have no stored breach of any milestone ÷ rounds of that tier resolved in the period.
* Mean time to resolve = Σ (resolved − round start − hold time in the round) ÷ rounds resolved in the
  period, in hours.
* Callback rate = rounds whose callback fell due in the period (due time ≤ now) with a callback that reached
  the owner (satisfied or not) on or before its due time ÷ those rounds. Rounds that ended unreachable after
  the maximum attempts stay in the denominator and are also counted apart.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Session, col

from pm_admin.core.permissions import in_communities
from pm_admin.dashboards.figures import Figure, count, local_bounds, rate
from pm_admin.dashboards.periods import Period, month_end
from pm_admin.tickets.models import Kind, TicketRound, Tier

R = TicketRound
TIERS = (Tier.URGENT, Tier.IMPORTANT, Tier.NORMAL)
# (bucket, upper bound in hours) of the time-to-resolve histogram; the last bucket is open-ended.
TTR_BUCKETS: tuple[tuple[str, float | None], ...] = (
    ("ttr_lt_1h", 1), ("ttr_1_4h", 4), ("ttr_4_8h", 8), ("ttr_8_24h", 24), ("ttr_1_3d", 72), ("ttr_3_7d", 168),
    ("ttr_gt_7d", None))


def _resolved_in(scope, period: Period, now: datetime) -> list[sa.ColumnElement[bool]]:
    first, after = local_bounds(period.start, period.end, now)
    return [in_communities(col(R.community_id), scope), col(R.resolved_at).is_not(None),
            R.resolved_at >= first, R.resolved_at < after]


def sla_by_tier(session: Session, scope, period: Period, now: datetime) -> dict[str, Figure]:
    """Per tier (and "all"): rounds resolved in time ÷ rounds resolved."""
    met = sa.func.sum(sa.case((R.breached == sa.false(), 1), else_=0))
    found = {tier: (int(ok or 0), int(total)) for tier, ok, total in session.execute(
        sa.select(R.tier, met, sa.func.count(R.id)).where(*_resolved_in(scope, period, now)).group_by(R.tier))}
    figures = {str(tier): rate(*found.get(str(tier), (0, 0))) for tier in TIERS}
    figures["all"] = rate(sum(ok for ok, _ in found.values()), sum(total for _, total in found.values()))
    return figures


def resolve_time(session: Session, scope, period: Period, now: datetime) -> tuple[Figure, dict[str, int]]:
    """(mean hours to resolve, histogram by ``TTR_BUCKETS``) of the rounds resolved in the period."""
    buckets, lower = [], 0
    for name, bound in TTR_BUCKETS:
        upper = None if bound is None else int(bound * 3600)
        within = R.active_seconds >= lower if upper is None else sa.and_(R.active_seconds >= lower,
                                                                          R.active_seconds < upper)
        buckets.append(sa.func.sum(sa.case((within, 1), else_=0)).label(name))
        lower = upper or lower
    row = session.execute(sa.select(sa.func.coalesce(sa.func.sum(R.active_seconds), 0), sa.func.count(R.id), *buckets)
                          .where(*_resolved_in(scope, period, now))).one()
    hours, rounds = int(row[0]) / 3600, int(row[1])
    return rate(hours, rounds), {name: int(row[2 + n] or 0) for n, (name, _) in enumerate(TTR_BUCKETS)}


def _callback_counts(session: Session, scope, start: date, end: date, now: datetime,
                     kind: str | None) -> tuple[int, int, int]:
    """(reached on time, fell due, ended unreachable) of the rounds whose callback fell due on [start, end]."""
    first, after = local_bounds(start, end, now)
    on_time = sa.and_(col(R.callback_reached_at).is_not(None), R.callback_reached_at <= R.callback_due_at)
    lost = sa.and_(R.callback_unreachable == sa.true(), col(R.callback_reached_at).is_(None))
    where = [in_communities(col(R.community_id), scope), col(R.callback_due_at).is_not(None),
             R.callback_due_at >= first, R.callback_due_at < after]
    row = session.execute(sa.select(sa.func.sum(sa.case((on_time, 1), else_=0)), sa.func.count(R.id),
                                     sa.func.sum(sa.case((lost, 1), else_=0)))
                          .where(*where, *([R.kind == kind] if kind else []))).one()
    return int(row[0] or 0), int(row[1]), int(row[2] or 0)


def callbacks(session: Session, scope, period: Period, now: datetime, kind: str | None = None) -> dict:
    """The callback rate (overall, or of one kind) with its unreachable count, and the same per due month."""
    reached, due, unreachable = _callback_counts(session, scope, period.start, period.end, now, kind)
    months = {}
    for month in period.months:
        part = _callback_counts(session, scope, max(month, period.start), min(month_end(month), period.end), now, kind)
        months[month] = rate(part[0], part[1])
    return {"rate": rate(reached, due), "unreachable": count(unreachable), "months": months}


def repair_callbacks(session: Session, scope, period: Period, now: datetime) -> dict:
    """Seed 003 5.28: repairs called back within 7 days (the repair kind's setting)."""
    return callbacks(session, scope, period, now, Kind.REPAIR.value)
