"""Figures for the role home pages: each role sees the work waiting for it, counted in SQL within the
user's communities, and every figure links to the page where that work is done.

Where a domain query already defines a figure (arrears cases, census tasks, archive catalog, coverage,
dashboard KPIs) it is called here; the ticket counts follow the definitions written beside them.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col

from pm_admin.archives import queries as archive_queries
from pm_admin.archives.models import AccessRequest, Archive, ArchiveEntry, RequestStatus
from pm_admin.arrears import queries as arrears_queries
from pm_admin.audit.queries import count_recent
from pm_admin.auth.models import LoginSession, UserCommunity
from pm_admin.census import queries as census_queries
from pm_admin.census.services import quarter_of
from pm_admin.core.clock import DISPLAY_ZONE, utcnow
from pm_admin.core.paging import PageRequest
from pm_admin.core.permissions import Perm, Principal, Role
from pm_admin.dashboards import kpis
from pm_admin.dashboards.periods import period_for
from pm_admin.groups import queries as group_queries
from pm_admin.inspections.queries import rectifications as rectification_queries
from pm_admin.inspections.queries import tasks as inspection_queries
from pm_admin.meetings import queries as meeting_queries
from pm_admin.places.models import Building, Room
from pm_admin.places.queries import place_totals
from pm_admin.settings import get_settings
from pm_admin.shell.nav import NAV_ITEMS
from pm_admin.suggestions import queries as suggestion_queries
from pm_admin.surveys.models import PlanStatus, SurveyPlan, SurveyResponse, SurveyTarget
from pm_admin.surveys.services.responses import targeted_households
from pm_admin.tickets.models import OPEN_STATUSES, Status, Ticket, Tier
from pm_admin.tickets.services.sla import overdue_clause
from pm_admin.users.queries import UserTotals, user_totals
from pm_admin.visits import queries as visit_queries

# The roles in the order their sections appear for someone holding several.
ROLE_ORDER = (Role.ADMIN, Role.EXECUTIVE, Role.MANAGER, Role.CS, Role.STEWARD, Role.TECHNICIAN, Role.ARCHIVIST)
# Roles that oversee places get the occupancy breakdown; everyone sees the place totals of their scope.
OCCUPANCY_ROLES = frozenset({Role.ADMIN, Role.MANAGER, Role.EXECUTIVE})
# What tickets.queries.my_orders lists as a technician's open work orders.
WORK_ORDER_STATUSES = (Status.ASSIGNED.value, Status.IN_PROGRESS.value, Status.ON_HOLD.value)
FAILED_LOGINS_SINCE = timedelta(hours=24)
FAILED_LOGINS_HREF = "/audit?action=auth.login_failed"
LOOKUP_BURSTS_SINCE = timedelta(days=7)
LOOKUP_BURSTS_HREF = "/audit?action=owner.pii_lookup_burst"
ONE_ROW = PageRequest(page_size=1)  # domain list queries called for their total only


@dataclasses.dataclass(frozen=True)
class Figure:
    key: str  # catalog key of the label
    value: str
    href: str  # the page where the work behind the figure is done
    attention: bool = False  # late or waiting work: the card stands out


@dataclasses.dataclass(frozen=True)
class Section:
    key: str  # catalog key of the heading
    figures: tuple[Figure, ...]
    link_key: str = ""  # a page the whole section summarises (the executive dashboard): its label …
    link_href: str = ""  # … and address


@dataclasses.dataclass(frozen=True)
class HomeFigures:
    sections: tuple[Section, ...]
    occupancy: dict[str, int] | None  # rooms per occupancy, for those who oversee places
    users_by_role: dict[str, int] | None  # active accounts per role, for admins


@dataclasses.dataclass
class _Context:
    session: Session
    principal: Principal
    now: datetime

    @property
    def today(self) -> date:
        """The company's calendar day (Shanghai), which the day and month figures count in."""
        return self.now.astimezone(DISPLAY_ZONE).date()

    @functools.cached_property
    def users(self) -> UserTotals:  # the accounts section and the role badges read it once
        return user_totals(self.session, self.principal)


def _page_permission(href: str) -> str | None:
    path = href.split("?")[0]
    return next(item.permission for item in NAV_ITEMS if item.href == path)


class _Cards:
    """Collects figures, computing one only when the user may open the page it links to (and holds
    ``needs``), so a card never leads to a refusal and no query runs for a figure nobody sees."""

    def __init__(self, principal: Principal) -> None:
        self.principal = principal
        self.figures: list[Figure] = []

    def add(self, key: str, href: str, compute: Callable[[], int | str], *, needs: str | None = None,
            attention: bool = False) -> None:
        for permission in (_page_permission(href), needs):
            if permission is not None and not self.principal.has(permission):
                return
        value = compute()
        self.figures.append(Figure(key, str(value), href, attention and isinstance(value, int) and value > 0))


# ---------------------------------------------------------------- tickets


def _count(session: Session, *where: sa.ColumnElement[bool]) -> int:
    return session.scalar(sa.select(sa.func.count(Ticket.id)).where(*where)) or 0


def open_tickets_by_tier(session: Session, principal: Principal) -> dict[str, int]:
    """Open tickets per tier, as the board's tier tabs count them (every open status)."""
    counts = {str(tier): 0 for tier in Tier}
    counts.update({str(tier): n for tier, n in session.execute(
        sa.select(Ticket.tier, sa.func.count(Ticket.id))
        .where(col(Ticket.status).in_([s.value for s in OPEN_STATUSES]), principal.scope_clause(Ticket.community_id))
        .group_by(Ticket.tier)).all()})
    return counts


def _ticket_desk(ctx: _Context) -> Section:
    session, principal, now = ctx.session, ctx.principal, ctx.now
    scope = principal.scope_clause(Ticket.community_id)
    day_start = datetime.combine(ctx.today, time.min, DISPLAY_ZONE)
    cards = _Cards(principal)
    cards.add("home.tickets_today", "/tickets?status=all", lambda: _count(
        session, scope, Ticket.created_at >= day_start, Ticket.created_at < day_start + timedelta(days=1)))
    if principal.has(Perm.TICKETS_VIEW):
        by_tier = open_tickets_by_tier(session, principal)
        for tier in (Tier.URGENT, Tier.IMPORTANT, Tier.NORMAL):
            cards.add(f"home.open_{tier}", f"/tickets/board?tier={tier}", lambda tier=tier: by_tier[str(tier)],
                      attention=tier == Tier.URGENT)
    cards.add("home.tickets_overdue", "/tickets?overdue=1", lambda: _count(session, scope, overdue_clause(now)),
              attention=True)
    # A callback falls due when the ticket is resolved and again at each retry after an unanswered call.
    cards.add("home.callbacks_due", "/tickets/callbacks", lambda: _count(
        session, scope, Ticket.status == Status.RESOLVED, Ticket.next_callback_at <= now), attention=True)
    _household_work(ctx, cards)
    _visits(ctx, cards, mine=True)
    _meetings(ctx, cards)
    return Section("home.section.ticket_desk", tuple(cards.figures))


def _work_orders(ctx: _Context) -> Section:
    mine = (Ticket.assignee_id == ctx.principal.user_id, col(Ticket.status).in_(WORK_ORDER_STATUSES),
            ctx.principal.scope_clause(Ticket.community_id))
    cards = _Cards(ctx.principal)
    cards.add("home.my_orders", "/my-orders", lambda: _count(ctx.session, *mine))
    cards.add("home.my_orders_overdue", "/my-orders", lambda: _count(ctx.session, *mine, overdue_clause(ctx.now)),
              attention=True)
    cards.add("home.my_inspections_due", "/my-inspections", lambda: inspection_queries.my_due_count(
        ctx.session, ctx.principal, ctx.today), attention=True)
    return Section("home.section.work_orders", tuple(cards.figures))


# ---------------------------------------------------------------- stewards


def surveys_to_enter(session: Session, principal: Principal) -> int:
    """Households of the steward's buildings targeted by an open survey plan that have not answered yet
    (by owner link or staff entry): the visits and calls still to make."""
    my_buildings = sa.select(Building.id).where(Building.steward_user_id == principal.user_id)
    open_plans = session.scalars(sa.select(SurveyPlan.id).where(
        SurveyPlan.status == PlanStatus.OPEN,
        col(SurveyPlan.id).in_(sa.select(SurveyTarget.plan_id).where(principal.scope_clause(SurveyTarget.community_id))),
    )).all()
    total = 0
    for plan_id in open_plans:  # a handful at a time: one survey per half-year
        answered = sa.exists().where(SurveyResponse.plan_id == plan_id, SurveyResponse.room_id == Room.id)
        pending = targeted_households(session, plan_id).where(
            col(Room.building_id).in_(my_buildings), principal.scope_clause(Room.community_id), ~answered)
        total += session.scalar(sa.select(sa.func.count()).select_from(pending.subquery())) or 0
    return total


def _household_work(ctx: _Context, cards: _Cards) -> None:
    """The census tasks and arrears follow-ups assigned to the user (or to nobody yet): a community gives them to
    its cs staff or to its stewards (``household_work``)."""
    session, principal = ctx.session, ctx.principal
    cards.add("home.follow_ups_overdue", "/arrears", lambda: arrears_queries.cases(
        session, principal, ONE_ROW, arrears_queries.CaseFilter(overdue_only=True, mine=True), today=ctx.today).total,
        attention=True)
    cards.add("home.census_open", "/census", lambda: census_queries.tasks(
        session, principal, ONE_ROW, census_queries.TaskFilter(quarter=quarter_of(ctx.today))).total)


def _meetings(ctx: _Context, cards: _Cards) -> None:
    """Communities whose quarter has no committee meeting yet (a reminder), decisions' action items past due, and
    suggestions not answered by their due date, VIP group applications waiting and the 群主's WeCom tasks."""
    cards.add("home.quarterly_meeting_missing", "/meetings?kind=quarterly", lambda: len(
        meeting_queries.quarters_without_meeting(ctx.session, ctx.principal, ctx.today)), attention=True)
    cards.add("home.meeting_actions_overdue", "/meetings", lambda: meeting_queries.overdue_actions(
        ctx.session, ctx.principal, ctx.today), attention=True)
    cards.add("home.suggestions_overdue", "/suggestions?overdue=1", lambda: suggestion_queries.overdue_count(
        ctx.session, ctx.principal, ctx.today), attention=True)
    cards.add("home.group_applications", "/groups", lambda: group_queries.waiting_applications(
        ctx.session, ctx.principal), needs=Perm.GROUPS_MANAGE, attention=True)
    cards.add("home.group_tasks", "/groups", lambda: group_queries.open_tasks_of(ctx.session, ctx.principal),
              attention=True)


def _visits(ctx: _Context, cards: _Cards, *, mine: bool) -> None:
    """The visit programme (``visits.queries.home_counts``): open tasks of the current periods, tasks of this year
    whose period ended undone, replies promised on visits due by tomorrow — one's own (and tasks nobody holds) for
    those who visit, the communities' for a manager."""
    if not ctx.principal.has(Perm.VISITS_VIEW) or (mine and not ctx.principal.has(Perm.VISITS_RECORD)):
        return
    counts = functools.cache(lambda: visit_queries.home_counts(ctx.session, ctx.principal, ctx.today, mine=mine))
    prefix, own = ("home.my_", "&mine=1") if mine else ("home.", "")
    cards.add(f"{prefix}visit_tasks_open", f"/visits?state=open{own}", lambda: counts().tasks_open)
    cards.add(f"{prefix}visit_tasks_missed", f"/visits?state=missed{own}", lambda: counts().tasks_missed,
              attention=True)
    cards.add(f"{prefix}visit_replies_due", f"/visits?view=replies&state=due{own}", lambda: counts().replies_due,
              attention=True)


def _my_buildings(ctx: _Context) -> Section:
    session, principal = ctx.session, ctx.principal
    cards = _Cards(principal)
    _household_work(ctx, cards)
    _visits(ctx, cards, mine=True)
    _meetings(ctx, cards)
    cards.add("home.surveys_to_enter", "/surveys", lambda: surveys_to_enter(session, principal),
              needs=Perm.SURVEYS_ENTER)
    return Section("home.section.my_buildings", tuple(cards.figures))


# ---------------------------------------------------------------- archives


def entries_added_since(session: Session, principal: Principal, since: datetime) -> int:
    return session.scalar(sa.select(sa.func.count(ArchiveEntry.id)).join(Archive, Archive.id == ArchiveEntry.archive_id)
                          .where(principal.scope_clause(Archive.community_id), ArchiveEntry.created_at >= since)) or 0


def pending_access_requests(session: Session, principal: Principal, *, mine: bool) -> int:
    """Requests waiting for a manager: the user's own (``mine``), or those of their communities to decide
    (the approver's queue of ``archives.queries.pending_requests``)."""
    where = [AccessRequest.status == RequestStatus.PENDING]
    where.append(AccessRequest.requester_id == principal.user_id if mine
                 else principal.scope_clause(AccessRequest.community_id))
    return session.scalar(sa.select(sa.func.count(AccessRequest.id)).where(*where)) or 0


def _archives(ctx: _Context) -> Section:
    session, principal = ctx.session, ctx.principal
    month_start = datetime.combine(ctx.today.replace(day=1), time.min, DISPLAY_ZONE)
    cards = _Cards(principal)
    cards.add("home.archives", "/archives", lambda: archive_queries.catalog(
        session, principal, ONE_ROW, archive_queries.ArchiveFilter()).total)
    cards.add("home.entries_this_month", "/archives", lambda: entries_added_since(session, principal, month_start))
    cards.add("home.my_pending_requests", "/archives/requests",
              lambda: pending_access_requests(session, principal, mine=True))
    return Section("home.section.archives", tuple(cards.figures))


# ---------------------------------------------------------------- managers, executives, admins


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f}%"


def _failed_logins(ctx: _Context) -> int:
    return count_recent(ctx.session, ctx.principal, action="auth.login_failed", since=ctx.now - FAILED_LOGINS_SINCE)


def _management(ctx: _Context) -> Section:
    session, principal = ctx.session, ctx.principal
    cards = _Cards(principal)
    cards.add("home.requests_to_decide", "/archives/requests",
              lambda: pending_access_requests(session, principal, mine=False), needs=Perm.ARCHIVES_APPROVE,
              attention=True)
    cards.add("home.tickets_overdue", "/tickets?overdue=1",
              lambda: _count(session, principal.scope_clause(Ticket.community_id), overdue_clause(ctx.now)),
              attention=True)
    if principal.has(Perm.ARREARS_VIEW):
        coverage = arrears_queries.coverage_on(session, principal, ctx.today)
        cards.add("home.arrears_coverage", "/arrears", lambda: _percent(coverage.percent))
        cards.add("home.follow_ups_overdue_all", "/arrears", lambda: coverage.overdue, attention=True)
    # Rectifications past their deadline (seed 003 5.29.3), and checklists not done by their due day.
    cards.add("home.rectifications_overdue", "/rectifications?overdue=1", lambda: rectification_queries.overdue_count(
        session, principal, ctx.today), attention=True)
    cards.add("home.inspections_overdue", "/inspections?status=overdue", lambda: inspection_queries.overdue_tasks(
        session, principal, ctx.today), attention=True)
    _visits(ctx, cards, mine=False)
    _meetings(ctx, cards)
    cards.add("home.failed_logins", FAILED_LOGINS_HREF, lambda: _failed_logins(ctx), attention=True)
    return Section("home.section.management", tuple(cards.figures))


def _company_kpis(ctx: _Context) -> Section:
    """This month's headline KPIs, as the dashboard computes them (``dashboards.kpis``)."""
    session, principal = ctx.session, ctx.principal
    cards = _Cards(principal)
    if principal.has(Perm.DASHBOARD_VIEW):
        month = period_for("this_month", ctx.today)
        cards.add("home.kpi_tickets", "/dashboard", lambda: kpis.ticket_volume(session, principal, month)["total"])
        cards.add("home.kpi_callback_rate", "/dashboard",
                  lambda: _percent(kpis.callback_rate(session, principal, month)["percent"]))
        cards.add("home.kpi_sla", "/dashboard",
                  lambda: _percent(kpis.sla_compliance(session, principal, month)["percent"]))
        cards.add("home.arrears_coverage", "/dashboard",
                  lambda: _percent(kpis.arrears_coverage(session, principal)["percent"]))
    return Section("home.section.company", tuple(cards.figures), "home.open_dashboard", "/dashboard")


def active_sessions(session: Session, principal: Principal, now: datetime) -> int:
    """Signed-in sessions not revoked and within the idle and absolute timeouts, of the accounts in scope
    (every account for a company-wide admin with no community picked)."""
    settings = get_settings()
    statement = sa.select(sa.func.count(LoginSession.id)).where(
        col(LoginSession.revoked_at).is_(None), col(LoginSession.token_hash).is_not(None),
        LoginSession.created_at > now - timedelta(hours=settings.session_absolute_hours),
        LoginSession.last_seen_at > now - timedelta(minutes=settings.session_idle_minutes))
    communities = principal.community_filter()
    if communities is not None:
        statement = statement.where(col(LoginSession.user_id).in_(
            sa.select(UserCommunity.user_id).where(col(UserCommunity.community_id).in_(sorted(communities)))))
    return session.scalar(statement) or 0


def _accounts(ctx: _Context) -> Section:
    cards = _Cards(ctx.principal)
    cards.add("home.active_users", "/admin/users", lambda: ctx.users.active)
    cards.add("home.disabled_users", "/admin/users", lambda: ctx.users.disabled)
    cards.add("home.active_sessions", "/admin/users", lambda: active_sessions(ctx.session, ctx.principal, ctx.now))
    cards.add("home.failed_logins", FAILED_LOGINS_HREF, lambda: _failed_logins(ctx), attention=True)
    # Users who ran out of exact phone / ID number searches (owners.lookups): a possible de-masking attempt.
    cards.add("home.pii_lookup_bursts", LOOKUP_BURSTS_HREF, lambda: count_recent(
        ctx.session, ctx.principal, action="owner.pii_lookup_burst", since=ctx.now - LOOKUP_BURSTS_SINCE),
        attention=True)
    return Section("home.section.accounts", tuple(cards.figures))


def _places(ctx: _Context) -> tuple[Section, dict[str, int]]:
    totals = place_totals(ctx.session, ctx.principal)
    cards = _Cards(ctx.principal)
    cards.add("home.communities", "/places/communities", lambda: totals.communities)
    cards.add("home.buildings", "/places/buildings", lambda: totals.buildings)
    cards.add("home.units", "/places/buildings", lambda: totals.units)
    cards.add("home.rooms", "/places/rooms", lambda: totals.rooms)
    cards.add("home.area", "/places/rooms", lambda: totals.area)
    return Section("home.places", tuple(cards.figures)), totals.by_occupancy


ROLE_SECTIONS: dict[str, Callable[[_Context], Section]] = {
    Role.ADMIN: _accounts,
    Role.EXECUTIVE: _company_kpis,
    Role.MANAGER: _management,
    Role.CS: _ticket_desk,
    Role.STEWARD: _my_buildings,
    Role.TECHNICIAN: _work_orders,
    Role.ARCHIVIST: _archives,
}


def home_figures(session: Session, principal: Principal, *, now: datetime | None = None) -> HomeFigures:
    """The sections of the user's roles (a figure shown once even when two roles name it), then the
    places in scope."""
    ctx = _Context(session, principal, now or utcnow())
    sections, shown = [], set()
    for role in (r for r in ROLE_ORDER if r in principal.roles):
        section = ROLE_SECTIONS[role](ctx)
        figures = tuple(f for f in section.figures if (f.key, f.href) not in shown)
        shown.update((f.key, f.href) for f in figures)
        if figures:
            sections.append(dataclasses.replace(section, figures=figures))
    places, occupancy = _places(ctx)
    if places.figures:
        sections.append(places)
    oversees_places = bool(OCCUPANCY_ROLES & principal.roles) and principal.has(Perm.PLACES_VIEW)
    return HomeFigures(tuple(sections), occupancy if oversees_places else None,
                       ctx.users.by_role if principal.has(Perm.USERS_MANAGE) else None)
