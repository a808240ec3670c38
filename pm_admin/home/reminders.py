"""The header bell: the signed-in user's waiting work, counted in SQL within their scope, each with the filtered
list where it is done. Counted when a page loads (not polled); the figures share their definitions with the home
cards (``home.queries``) and the lists they link to.

* overdue tickets — ``tickets.services.sla.overdue_clause``: of the desk's scope for those who work the desk
  (``tickets.view``), of their own orders for technicians (``tickets.own``);
* approvals waiting — handling plans of important tickets (``tickets.approve``), archive access requests
  (``archives.approve``), notices (``notices.approve``) and minutes (``meetings.approve``) submitted for approval;
* holds past their day — on hold with the hold-until day (Shanghai) before today;
* callbacks due today — resolved tickets whose next callback is due before tomorrow (Shanghai);
* census tasks of this quarter and arrears follow-ups overdue, the user's own (or unassigned), as the home cards;
* replies promised on the user's own visits due by tomorrow (``visits.queries.home_counts``), as the home card.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, time, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col

from pm_admin.arrears import queries as arrears_queries
from pm_admin.census import queries as census_queries
from pm_admin.census.services import quarter_of
from pm_admin.comms.models import Notice, NoticeStatus
from pm_admin.core.clock import DISPLAY_ZONE, utcnow
from pm_admin.core.permissions import Perm, Principal
from pm_admin.home.queries import ONE_ROW, WORK_ORDER_STATUSES, pending_access_requests
from pm_admin.meetings.models import Meeting, MeetingStatus
from pm_admin.tickets.models import OPEN_STATUSES, Status, Ticket
from pm_admin.tickets.services.sla import overdue_clause
from pm_admin.visits.queries import home_counts as visit_counts


@dataclasses.dataclass(frozen=True)
class Reminder:
    key: str  # catalog key of the label (bell.<what>)
    count: int
    href: str  # the filtered list where the work is done


def _count(session: Session, *where: sa.ColumnElement[bool]) -> int:
    return session.scalar(sa.select(sa.func.count(Ticket.id)).where(*where)) or 0


def _tickets(session: Session, principal: Principal, now: datetime) -> list[Reminder]:
    today = now.astimezone(DISPLAY_ZONE).date()
    held_too_long = (Ticket.status == Status.ON_HOLD, col(Ticket.hold_until).is_not(None), Ticket.hold_until < today)
    found: list[Reminder] = []
    if principal.has(Perm.TICKETS_VIEW):
        scope = principal.scope_clause(Ticket.community_id)
        found.append(Reminder("bell.tickets_overdue", _count(session, scope, overdue_clause(now)),
                              "/tickets?overdue=1"))
        found.append(Reminder("bell.holds_expired", _count(session, scope, *held_too_long),
                              "/tickets?status=on_hold&overdue=1"))
    elif principal.has(Perm.TICKETS_OWN):
        mine = (Ticket.assignee_id == principal.user_id, col(Ticket.status).in_(WORK_ORDER_STATUSES))
        found.append(Reminder("bell.my_orders_overdue", _count(session, *mine, overdue_clause(now)), "/my-orders"))
        found.append(Reminder("bell.my_holds_expired", _count(session, *mine, *held_too_long), "/my-orders"))
    if principal.has(Perm.TICKETS_CALLBACK):
        tomorrow = datetime.combine(today + timedelta(days=1), time.min, DISPLAY_ZONE)
        found.append(Reminder("bell.callbacks_due", _count(
            session, principal.scope_clause(Ticket.community_id), Ticket.status == Status.RESOLVED,
            Ticket.next_callback_at < tomorrow), "/tickets/callbacks"))
    return found


def plans_waiting(session: Session, principal: Principal) -> int:
    """Open tickets whose handling plan was submitted and not approved yet."""
    return _count(session, principal.scope_clause(Ticket.community_id), Ticket.plan != "",
                  col(Ticket.plan_approved_at).is_(None), col(Ticket.status).in_([s.value for s in OPEN_STATUSES]))


def _approvals(session: Session, principal: Principal) -> list[Reminder]:
    found: list[Reminder] = []
    if principal.has(Perm.TICKETS_APPROVE) and principal.has(Perm.TICKETS_VIEW):
        found.append(Reminder("bell.plans_waiting", plans_waiting(session, principal), "/tickets/board?tier=important"))
    if principal.has(Perm.ARCHIVES_APPROVE):
        found.append(Reminder("bell.access_requests", pending_access_requests(session, principal, mine=False),
                              "/archives/requests"))
    if principal.has(Perm.NOTICES_APPROVE) and principal.has(Perm.NOTICES_VIEW):
        found.append(Reminder("bell.notices_waiting", session.scalar(sa.select(sa.func.count(Notice.id)).where(
            Notice.status == NoticeStatus.PENDING, principal.scope_clause(Notice.community_id))) or 0, "/notices"))
    if principal.has(Perm.MEETINGS_APPROVE) and principal.has(Perm.MEETINGS_VIEW):
        found.append(Reminder("bell.minutes_waiting", session.scalar(sa.select(sa.func.count(Meeting.id)).where(
            Meeting.status == MeetingStatus.MINUTES_PENDING, principal.scope_clause(Meeting.community_id))) or 0,
            "/meetings?status=minutes_pending"))
    return found


def _household_work(session: Session, principal: Principal, now: datetime) -> list[Reminder]:
    today = now.astimezone(DISPLAY_ZONE).date()
    found: list[Reminder] = []
    if principal.has(Perm.CENSUS_WORK):
        found.append(Reminder("bell.census_due", census_queries.tasks(
            session, principal, ONE_ROW, census_queries.TaskFilter(quarter=quarter_of(today))).total,
            "/census?mine=1&pending=1"))
    if principal.has(Perm.ARREARS_VIEW):
        found.append(Reminder("bell.arrears_due", arrears_queries.cases(
            session, principal, ONE_ROW, arrears_queries.CaseFilter(overdue_only=True, mine=True), today=today).total,
            "/arrears?overdue=1&mine=1"))
    if principal.has(Perm.VISITS_RECORD):
        found.append(Reminder("bell.visit_replies_due", visit_counts(session, principal, today, mine=True).replies_due,
                              "/visits?view=replies&state=due&mine=1"))
    return found


def reminders(session: Session, principal: Principal, *, now: datetime | None = None) -> list[Reminder]:
    """Every reminder the user's permissions give, zero counts included (the bell shows those above zero)."""
    now = now or utcnow()
    return [*_tickets(session, principal, now), *_approvals(session, principal),
            *_household_work(session, principal, now)]
