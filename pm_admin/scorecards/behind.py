"""The tickets behind a scorecard figure: the same rows the figure counts (``ticket_figures``), newest first."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session

from pm_admin.auth.models import User
from pm_admin.core.clock import local_text, utcnow
from pm_admin.core.errors import NotFound
from pm_admin.core.i18n import translate
from pm_admin.core.permissions import Principal, in_communities
from pm_admin.dashboards.figures import local_bounds
from pm_admin.scorecards.queries import period_of, require_subject, scope_of
from pm_admin.scorecards.ticket_figures import CS_FIGURES, HANDLER_FIGURES, SCORES, within
from pm_admin.tickets.models import Callback, Kind, Ticket, TicketRound

R = TicketRound
LIMIT = 200
DRILLABLE = (*HANDLER_FIGURES, *CS_FIGURES)


def _handler_rows(session: Session, figure: str, field: str, subject_id: int, scope, bounds,
                  language: str) -> list[tuple]:
    """``field``: the round's column naming whom it counts for (resolver_id or department_id)."""
    who = getattr(R, field) == subject_id

    def yes_no(flag: bool, yes: str, no: str) -> str:
        return translate(yes if flag else no, language)

    if figure in ("handled", "sla_compliance"):
        rows = session.execute(sa.select(Ticket.id, Ticket.code, Ticket.title, R.resolved_at, R.breached)
                               .join(Ticket, Ticket.id == R.ticket_id)
                               .where(in_communities(R.community_id, scope), who, *within(R.resolved_at, bounds))
                               .order_by(R.resolved_at.desc()).limit(LIMIT)).all()
        return [(i, c, t, at, yes_no(breached, "scorecards.note.breached", "scorecards.note.in_time"))
                for i, c, t, at, breached in rows]
    if figure == "reopen_rate":  # the reopened round's previous one counts for its resolver
        previous = aliased(R)
        return [(*row, translate("scorecards.note.reopened", language)) for row in session.execute(
            sa.select(Ticket.id, Ticket.code, Ticket.title, R.started_at).join(Ticket, Ticket.id == R.ticket_id)
            .join(previous, sa.and_(previous.ticket_id == R.ticket_id, previous.number == R.number - 1))
            .where(in_communities(R.community_id, scope), R.number > 1, R.started_at >= bounds[0],
                   R.started_at < bounds[1], getattr(previous, field) == subject_id)
            .order_by(R.started_at.desc()).limit(LIMIT)).all()]
    first_round = [R.number == 1] if figure == "first_time_satisfaction" else [R.kind == Kind.REPAIR.value]
    rows = session.execute(sa.select(Ticket.id, Ticket.code, Ticket.title, Callback.done_at, Callback.satisfied,
                                     *[getattr(Callback, s) for s in SCORES])
                           .join(Ticket, Ticket.id == R.ticket_id).join(Callback, Callback.id == R.callback_id)
                           .where(in_communities(R.community_id, scope), who, *first_round,
                                  *within(Callback.done_at, bounds))
                           .order_by(Callback.done_at.desc()).limit(LIMIT)).all()
    return [(i, c, t, at, yes_no(bool(satisfied), "scorecards.note.satisfied", "scorecards.note.unsatisfied")
             + ("" if figure == "first_time_satisfaction" else " · " + "/".join(str(s or "–") for s in scores)))
            for i, c, t, at, satisfied, *scores in rows]


def _cs_rows(session: Session, figure: str, login: str, scope, bounds, language: str) -> list[tuple]:
    if figure == "registered":
        return [(*row, "") for row in session.execute(
            sa.select(Ticket.id, Ticket.code, Ticket.title, Ticket.created_at)
            .where(in_communities(Ticket.community_id, scope), Ticket.created_by == login,
                   *within(Ticket.created_at, bounds)).order_by(Ticket.created_at.desc()).limit(LIMIT)).all()]
    if figure == "callbacks_made":
        rows = session.execute(sa.select(Ticket.id, Ticket.code, Ticket.title, Callback.done_at, Callback.reached)
                               .join(Ticket, Ticket.id == Callback.ticket_id)
                               .where(in_communities(Ticket.community_id, scope), Callback.done_by == login,
                                      *within(Callback.done_at, bounds))
                               .order_by(Callback.done_at.desc()).limit(LIMIT)).all()
        return [(i, c, t, at, translate("scorecards.note.reached" if reached else "scorecards.note.unreached",
                                        language)) for i, c, t, at, reached in rows]
    rows = session.execute(sa.select(Ticket.id, Ticket.code, Ticket.title, Callback.done_at,
                                     Callback.done_at <= R.callback_due_at)
                           .join(R, R.callback_id == Callback.id).join(Ticket, Ticket.id == R.ticket_id)
                           .where(in_communities(R.community_id, scope), Callback.done_by == login,
                                  *within(Callback.done_at, bounds))
                           .order_by(Callback.done_at.desc()).limit(LIMIT)).all()
    return [(i, c, t, at, translate("scorecards.note.in_time" if on_time else "scorecards.note.late", language))
            for i, c, t, at, on_time in rows]


def tickets_behind(session: Session, principal: Principal, *, subject: str, subject_id: object, figure: str,
                   period_key: str, community_id: int | None = None, language: str = "zh-CN",
                   now: datetime | None = None) -> list[dict[str, str]]:
    """At most ``LIMIT`` rows {id, code, title, at, note} of the tickets the figure of the card counts."""
    if figure not in DRILLABLE:
        raise NotFound("scorecard_figure")
    subject, subject_id = require_subject(session, principal, subject, subject_id, community_id)
    now = now or utcnow()
    period, scope = period_of(period_key, now), scope_of(principal, community_id)
    bounds = local_bounds(period.start, period.end, now)
    if figure in CS_FIGURES:
        if subject != "user":
            raise NotFound("scorecard_figure")
        login = session.get(User, subject_id).username
        rows = _cs_rows(session, figure, login, scope, bounds, language)
    else:
        field = "department_id" if subject == "department" else "resolver_id"
        rows = _handler_rows(session, figure, field, subject_id, scope, bounds, language)
    return [{"id": str(i), "code": code, "title": title, "at": local_text(at), "note": note}
            for i, code, title, at, note in rows]
