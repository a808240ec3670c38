"""Arrears reads: cases (overdue first), follow-up history, and the follow-up coverage figure."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, col, select

from pm_admin.arrears.models import ArrearsCase, ArrearsRow, CaseStatus, FollowUp, FollowUpRow
from pm_admin.arrears.services import FOLLOW_UP_EVERY
from pm_admin.auth.models import User
from pm_admin.billing.models import RoomArrears
from pm_admin.core.clock import local_today
from pm_admin.core.errors import PermissionDenied
from pm_admin.core.paging import Page, PageRequest, count, paginate
from pm_admin.core.permissions import Perm, Principal, in_communities
from pm_admin.owners.models import Owner, Ownership
from pm_admin.places.models import Room
from pm_admin.tickets.models import Ticket


@dataclasses.dataclass(frozen=True)
class CaseFilter:
    overdue_only: bool = False
    mine: bool = False  # cases assigned to the principal, and unassigned ones (anyone may take them)
    community_id: int | None = None


def _cases(principal: Principal, filters: CaseFilter, today: date) -> sa.Select:
    statement = sa.select(ArrearsCase.id).where(ArrearsCase.status == CaseStatus.OPEN,
                                                principal.scope_clause(ArrearsCase.community_id))
    if filters.community_id:
        statement = statement.where(ArrearsCase.community_id == filters.community_id)
    if filters.overdue_only:
        statement = statement.where(ArrearsCase.next_due_on < today)
    if filters.mine:
        statement = statement.where(sa.or_(ArrearsCase.assignee_id == principal.user_id,
                                           ArrearsCase.assignee_id.is_(None)))
    return statement


def cases(session: Session, principal: Principal, request: PageRequest, filters: CaseFilter,
          today: date | None = None) -> Page[ArrearsRow]:
    """Open cases, the longest overdue first."""
    principal.require(Perm.ARREARS_VIEW)
    today, request = today or local_today(), request.clamp()
    statement = _cases(principal, filters, today)
    total = count(session, statement)
    ids = list(session.scalars(paginate(statement.order_by(ArrearsCase.next_due_on, ArrearsCase.id), request)).all())
    rows = session.execute(
        sa.select(ArrearsCase, Room.code, RoomArrears.amount, RoomArrears.since, RoomArrears.version,
                  User.display_name)
        .join(Room, Room.id == ArrearsCase.room_id).join(RoomArrears, RoomArrears.room_id == ArrearsCase.room_id)
        .outerjoin(User, User.id == ArrearsCase.assignee_id).where(col(ArrearsCase.id).in_(ids))
    ).all() if ids else []
    owners: dict[int, list[str]] = defaultdict(list)
    counts = dict(session.execute(sa.select(FollowUp.case_id, sa.func.count(FollowUp.id))
                                  .where(col(FollowUp.case_id).in_(ids)).group_by(FollowUp.case_id)).all()) if ids else {}
    for room_id, name in session.execute(
        sa.select(Ownership.room_id, Owner.name).join(Owner, Owner.id == Ownership.owner_id)
        .where(col(Ownership.room_id).in_([r[0].room_id for r in rows]), col(Ownership.ended_on).is_(None))).all():
        owners[room_id].append(name)
    order = {case_id: n for n, case_id in enumerate(ids)}
    return Page([
        ArrearsRow(case_id=case.id, room_id=case.room_id, room_code=code, owner_names="、".join(owners[case.room_id]),
                   amount=f"{amount:.2f}", since=since.isoformat(),
                   months=(today.year - since.year) * 12 + today.month - since.month,
                   next_due_on=case.next_due_on.isoformat(), overdue_days=max(0, (today - case.next_due_on).days),
                   last_follow_up_on=case.last_follow_up_on.isoformat() if case.last_follow_up_on else "",
                   follow_ups=counts.get(case.id, 0), assignee=assignee or "", balance_version=version)
        for case, code, amount, since, version, assignee in sorted(rows, key=lambda r: order[r[0].id])
    ], total, request.page, request.page_size)


def follow_ups(session: Session, principal: Principal, case_id: int) -> list[FollowUpRow]:
    principal.require(Perm.ARREARS_VIEW)
    case = session.get(ArrearsCase, case_id)
    if case is None or not principal.can_access_community(case.community_id):
        return []
    rows = session.exec(select(FollowUp, Ticket.id).outerjoin(Ticket, Ticket.code == FollowUp.ticket_code)
                        .where(FollowUp.case_id == case_id)
                        .order_by(FollowUp.done_on.desc(), FollowUp.id.desc())).all()
    return [FollowUpRow(done_on=f.done_on.isoformat(), channel=str(f.channel), result=f.result,
                        promise_date=f.promise_date.isoformat() if f.promise_date else "",
                        reason_category=str(f.reason_category), ticket_code=f.ticket_code,
                        ticket_id=ticket_id or 0, actor_name=f.actor_name)
            for f, ticket_id in rows]


@dataclasses.dataclass(frozen=True)
class Coverage:
    """跟进覆盖率 on day ``day`` (seed 001 §篇3 4.4.2: a follow-up at least every 15 days)."""

    day: date
    open_cases: int  # open on the day: opened on or before it, not closed before it
    covered: int  # of those, with a follow-up dated within the 15 days up to the day (day − 15 … day)
    due: int  # not covered, but opened within those days: the first follow-up is not late yet
    overdue: int  # the rest

    @property
    def percent(self) -> float | None:
        """covered ÷ open cases × 100; None when no case is open."""
        return 100.0 * self.covered / self.open_cases if self.open_cases else None


def _coverage_clauses(day: date) -> tuple[sa.ColumnElement[bool], sa.ColumnElement[bool], sa.ColumnElement[bool]]:
    """(case open on the day, followed up within the 15 days up to it, opened within those days)."""
    window = day - FOLLOW_UP_EVERY
    open_on_day = sa.and_(ArrearsCase.opened_on <= day,
                          sa.or_(ArrearsCase.status == CaseStatus.OPEN, ArrearsCase.closed_on >= day))
    followed = sa.exists().where(FollowUp.case_id == ArrearsCase.id, FollowUp.done_on >= window,
                                 FollowUp.done_on <= day)
    return open_on_day, followed, ArrearsCase.opened_on >= window


def coverage_by_assignee(session: Session, scope: frozenset[int] | None, day: date) -> dict[int, tuple[int, int]]:
    """Per assignee of the cases (as the case is assigned now): (covered, open cases) of ``coverage_on`` at the day.
    For scorecards, which check their reader's permission themselves."""
    open_on_day, followed, _fresh = _coverage_clauses(day)
    rows = session.execute(sa.select(ArrearsCase.assignee_id, sa.func.sum(sa.case((followed, 1), else_=0)),
                                     sa.func.count(ArrearsCase.id))
                           .where(open_on_day, ArrearsCase.assignee_id.is_not(None),
                                  in_communities(ArrearsCase.community_id, scope))
                           .group_by(ArrearsCase.assignee_id)).all()
    return {int(assignee): (int(covered or 0), int(total)) for assignee, covered, total in rows}


def coverage_on(session: Session, principal: Principal, day: date, community_id: int | None = None) -> Coverage:
    """Arrears follow-up coverage at ``day`` (a period's end, or today) in the principal's communities, or in
    ``community_id``. Read from the follow-up rows themselves, so the figure of a past day never changes when
    later follow-ups are logged. Arrears staff and the dashboard's readers (executives) may read it."""
    if not (principal.has(Perm.ARREARS_VIEW) or principal.has(Perm.DASHBOARD_VIEW)):
        raise PermissionDenied("error.permission_denied", permission=Perm.ARREARS_VIEW)
    if community_id:
        principal.require_community(community_id)
        scope = ArrearsCase.community_id == community_id
    else:
        scope = principal.scope_clause(ArrearsCase.community_id)
    open_on_day, followed, fresh = _coverage_clauses(day)
    row = session.execute(sa.select(
        sa.func.count(ArrearsCase.id), sa.func.sum(sa.case((followed, 1), else_=0)),
        sa.func.sum(sa.case((sa.and_(~followed, fresh), 1), else_=0)),
    ).where(scope, open_on_day)).one()
    open_cases, covered, due = int(row[0] or 0), int(row[1] or 0), int(row[2] or 0)
    return Coverage(day, open_cases, covered, due, open_cases - covered - due)
