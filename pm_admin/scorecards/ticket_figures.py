"""Scorecard figures of ticket work, per person or department, read from the stored rounds and callbacks.

Every figure counts events inside the period (a resolution, a reopening, a callback, a registration), each
fixed when it happens, so the figures of a closed period never change. Definitions (README, 绩效):
* handled = rounds resolved in the period whose resolver (the assignee at resolution) is the person;
* sla_compliance = of those, rounds without a stored SLA breach ÷ handled;
* reopen_rate = rounds reopened in the period whose previous round the person resolved ÷ handled;
* first_time_satisfaction = first-round resolutions of the person whose ending callback (the first one after
  the resolution that reached the owner) was made in the period and said satisfied ÷ those callbacks;
* repair scores = means of attitude, efficiency, skill, result and overall (1–5) of those ending callbacks of
  the person's repair rounds (any round) made in the period;
* registered = tickets the cs registered in the period; callbacks_made = callback attempts they made in it;
* callbacks_on_time = ending callbacks the cs made in the period on or before the round's due time ÷ ending
  callbacks they made in it.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from pm_admin.core.permissions import in_communities
from pm_admin.dashboards.figures import Figure, count, local_bounds, rate
from pm_admin.dashboards.periods import Period
from pm_admin.tickets.models import Callback, Kind, Ticket, TicketRound

R = TicketRound
SCORES = ("attitude", "efficiency", "skill", "result", "overall")
HANDLER_FIGURES = ("handled", "sla_compliance", "reopen_rate", "first_time_satisfaction",
                   *(f"repair_{score}" for score in SCORES))
CS_FIGURES = ("registered", "callbacks_made", "callbacks_on_time")
Scope = frozenset[int] | None  # communities; None: every community


def within(column, bounds: tuple[datetime, datetime]) -> list[sa.ColumnElement[bool]]:
    return [column.is_not(None), column >= bounds[0], column < bounds[1]]


def mean(total: float, number: int) -> Figure:
    """A mean as a figure: Σ values ÷ number of values."""
    return rate(total, number)


def handler_figures(session: Session, scope: Scope, period: Period, now: datetime, *,
                    by_department: bool = False) -> dict[int, dict[str, Figure]]:
    """Per resolver (or per department at resolution): the figures of ``HANDLER_FIGURES``."""
    bounds = local_bounds(period.start, period.end, now)
    who = R.department_id if by_department else R.resolver_id
    met = sa.func.sum(sa.case((R.breached == sa.false(), 1), else_=0))
    handled = {row[0]: (int(row[1]), int(row[2] or 0)) for row in session.execute(
        sa.select(who, sa.func.count(R.id), met)
        .where(in_communities(R.community_id, scope), col(who).is_not(None), *within(R.resolved_at, bounds))
        .group_by(who)).all()}
    previous = aliased(R)
    previous_who = previous.department_id if by_department else previous.resolver_id
    reopened = dict(session.execute(
        sa.select(previous_who, sa.func.count(R.id))
        .join(previous, sa.and_(previous.ticket_id == R.ticket_id, previous.number == R.number - 1))
        .where(in_communities(R.community_id, scope), R.number > 1, col(previous_who).is_not(None),
               R.started_at >= bounds[0], R.started_at < bounds[1])
        .group_by(previous_who)).all())
    ended = sa.and_(in_communities(R.community_id, scope), col(who).is_not(None), *within(Callback.done_at, bounds))
    satisfied = sa.func.sum(sa.case((Callback.satisfied == sa.true(), 1), else_=0))
    first_time = {row[0]: (int(row[1] or 0), int(row[2])) for row in session.execute(
        sa.select(who, satisfied, sa.func.count(Callback.id)).join(Callback, Callback.id == R.callback_id)
        .where(ended, R.number == 1).group_by(who)).all()}
    score_columns = [c for score in SCORES for c in (sa.func.sum(getattr(Callback, score)),
                                                     sa.func.count(getattr(Callback, score)))]
    repair = {row[0]: row[1:] for row in session.execute(
        sa.select(who, *score_columns).join(Callback, Callback.id == R.callback_id)
        .where(ended, R.kind == Kind.REPAIR.value).group_by(who)).all()}
    figures: dict[int, dict[str, Figure]] = {}
    for subject in set(handled) | set(reopened) | set(first_time) | set(repair):
        total, in_time = handled.get(subject, (0, 0))
        scores = repair.get(subject, (0, 0) * len(SCORES))
        figures[subject] = {
            "handled": count(total), "sla_compliance": rate(in_time, total),
            "reopen_rate": rate(int(reopened.get(subject, 0)), total),
            "first_time_satisfaction": rate(*first_time.get(subject, (0, 0))),
            **{f"repair_{score}": mean(int(scores[2 * n] or 0), int(scores[2 * n + 1] or 0))
               for n, score in enumerate(SCORES)},
        }
    return figures


def cs_figures(session: Session, scope: Scope, period: Period, now: datetime) -> dict[str, dict[str, Figure]]:
    """Per login of the person who registered or called back: the figures of ``CS_FIGURES``."""
    bounds = local_bounds(period.start, period.end, now)
    registered = dict(session.execute(
        sa.select(Ticket.created_by, sa.func.count(Ticket.id))
        .where(in_communities(Ticket.community_id, scope), *within(Ticket.created_at, bounds))
        .group_by(Ticket.created_by)).all())
    made = dict(session.execute(
        sa.select(Callback.done_by, sa.func.count(Callback.id)).join(Ticket, Ticket.id == Callback.ticket_id)
        .where(in_communities(Ticket.community_id, scope), *within(Callback.done_at, bounds))
        .group_by(Callback.done_by)).all())
    on_time = sa.func.sum(sa.case((Callback.done_at <= R.callback_due_at, 1), else_=0))
    timely = {row[0]: (int(row[1] or 0), int(row[2])) for row in session.execute(
        sa.select(Callback.done_by, on_time, sa.func.count(Callback.id)).join(R, R.callback_id == Callback.id)
        .where(in_communities(R.community_id, scope), *within(Callback.done_at, bounds))
        .group_by(Callback.done_by)).all()}
    figures: dict[str, dict[str, Figure]] = defaultdict(dict)
    for login in set(registered) | set(made) | set(timely):
        figures[login] = {"registered": count(int(registered.get(login, 0))),
                          "callbacks_made": count(int(made.get(login, 0))),
                          "callbacks_on_time": rate(*timely.get(login, (0, 0)))}
    return dict(figures)
