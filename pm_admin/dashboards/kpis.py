"""The executive KPIs, defined once. Each function's docstring is its formula; all read the rollups of
``dashboards.models`` (kept current by ``dashboards.rollups``), never the million-row ticket table.

Cohorts: "registered in the period" = the ticket's ``created_at`` (Shanghai date) is in the period;
"resolved in the period" = its latest ``resolved_at`` is (status resolved or closed; a reopening clears it).
Scope: the principal's communities (``community_filter``: the header's choice, else every community they
may see), narrowed to ``community_id`` when the page picks one. Percentages are None when the base is 0.
"""

from __future__ import annotations

import dataclasses
import math
from collections import defaultdict
from datetime import date, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col

from pm_admin.arrears.queries import coverage
from pm_admin.core.i18n import translate
from pm_admin.core.permissions import Perm, Principal
from pm_admin.dashboards.models import (
    ALL_COMMUNITIES,
    TicketDayStats,
    TicketKeywordMonth,
    TicketMonthStats,
    TicketWeekStats,
)
from pm_admin.dashboards.periods import Period, month_end
from pm_admin.dashboards.rollups import TTR_BUCKETS, week_of
from pm_admin.owners.models import Ownership
from pm_admin.places.models import Building, Community
from pm_admin.surveys import queries as survey_queries
from pm_admin.tickets.models import Kind, TicketCategory, Tier

TIERS = (Tier.URGENT, Tier.IMPORTANT, Tier.NORMAL)
CALLBACK_TARGET = 100.0  # %
VALID_COMPLAINT_TARGET = 1.0  # % of households, at most
COMPLAINT_CHANGE_TARGET = -20.0  # % year on year, at most
ARREARS_COVERAGE_TARGET = 100.0  # %
WARNING_BASELINE_WEEKS = 8
WARNING_SIGMAS = 2.0
WARNING_MIN_TICKETS = 5
HOT_TOPICS = 20
WARNINGS_REMEMBERED = 512  # (week, scope) results kept in memory, oldest dropped first
_WARNINGS_SEEN: dict[tuple, list[dict]] = {}
M = TicketMonthStats


def percent(part: int | float, whole: int | float) -> float | None:
    return 100.0 * part / whole if whole else None


# ---------------------------------------------------------------- scope


def community_scope(principal: Principal, community_id: int | None) -> frozenset[int] | None:
    """The communities the figures cover; None = every community (read from the company-wide rows)."""
    principal.require(Perm.DASHBOARD_VIEW)
    if community_id:
        principal.require_community(community_id)
        return frozenset({community_id})
    return principal.community_filter()


def _rollup_scope(column, scope: frozenset[int] | None) -> sa.ColumnElement[bool]:
    if scope is None:
        return column == ALL_COMMUNITIES
    return column.in_(sorted(scope)) if scope else sa.false()


def _month_sums(session: Session, scope, period: Period, *group, sums: tuple[str, ...],
                where: tuple = ()) -> list[sa.Row]:
    """Σ of month-rollup counters over the period's months, grouped."""
    columns = [sa.func.coalesce(sa.func.sum(M.__table__.c[name]), 0).label(name) for name in sums]
    statement = sa.select(*group, *columns).where(
        _rollup_scope(M.community_id, scope), M.month >= period.months[0], M.month <= period.months[-1], *where)
    return list(session.execute(statement.group_by(*group) if group else statement).all())


def _top_categories(session: Session, language: str) -> list[tuple[int, str]]:
    rows = session.execute(sa.select(TicketCategory.id, TicketCategory.name_zh, TicketCategory.name_en)
                           .where(col(TicketCategory.parent_id).is_(None))
                           .order_by(TicketCategory.sort, TicketCategory.id)).all()
    return [(i, zh if language == "zh-CN" else en) for i, zh, en in rows]


def month_label(month: date) -> str:
    return month.strftime("%Y-%m")


# ---------------------------------------------------------------- ticket volume


def ticket_volume(session: Session, principal: Principal, period: Period, community_id: int | None = None,
                  language: str = "zh-CN") -> dict:
    """Tickets registered per top-level category and month (per day when the period is under two months):
    count of tickets whose created_at falls in the bucket."""
    scope = community_scope(principal, community_id)
    if period.daily:
        D = TicketDayStats
        rows = session.execute(sa.select(D.day, D.category_id, sa.func.sum(D.created)).where(
            _rollup_scope(D.community_id, scope), D.day >= period.start, D.day <= period.end)
            .group_by(D.day, D.category_id)).all()
        buckets = period.days
    else:
        rows = [(r.month, r.category_id, r.created)
                for r in _month_sums(session, scope, period, M.month, M.category_id, sums=("created",))]
        buckets = period.months
    counts = {(bucket, category): number for bucket, category, number in rows}
    series = [{"category_id": category_id, "name": name, "counts": [int(counts.get((b, category_id), 0)) for b in buckets]}
              for category_id, name in _top_categories(session, language)]
    return {"granularity": "day" if period.daily else "month",
            "buckets": [b.isoformat() if period.daily else month_label(b) for b in buckets],
            "series": series, "total": sum(sum(s["counts"]) for s in series)}


# ---------------------------------------------------------------- SLA and time to resolve


def sla_compliance(session: Session, principal: Principal, period: Period, community_id: int | None = None,
                   language: str = "zh-CN") -> dict:
    """SLA compliance per tier = tickets resolved in the period with no stored SLA breach (respond, on-site
    or resolve, any round) ÷ tickets resolved in the period; "all" is the same over every tier."""
    scope = community_scope(principal, community_id)
    found = {str(r.tier): r for r in _month_sums(session, scope, period, M.tier, sums=("resolved", "resolved_in_sla"))}
    tiers = []
    for tier in TIERS:
        row = found.get(str(tier))
        resolved, met = (int(row.resolved), int(row.resolved_in_sla)) if row else (0, 0)
        tiers.append({"tier": str(tier), "label": translate(f"tickets.tier.{tier}", language), "resolved": resolved,
                      "met": met, "percent": percent(met, resolved)})
    resolved, met = sum(t["resolved"] for t in tiers), sum(t["met"] for t in tiers)
    return {"tiers": tiers, "resolved": resolved, "met": met, "percent": percent(met, resolved)}


def resolve_time_distribution(session: Session, principal: Principal, period: Period,
                              community_id: int | None = None, language: str = "zh-CN") -> dict:
    """Time to resolve = resolved_at − created_at − time on hold, for tickets resolved in the period:
    a histogram in the buckets of ``rollups.TTR_BUCKETS`` and the mean in hours (Σ minutes ÷ resolved ÷ 60)."""
    scope = community_scope(principal, community_id)
    names = tuple(column for column, _ in TTR_BUCKETS)
    row = _month_sums(session, scope, period, sums=("resolved", "resolve_minutes", *names))[0]
    buckets = [{"key": name, "label": translate(f"dashboard.ttr.{name}", language), "count": int(getattr(row, name))}
               for name in names]
    resolved = int(row.resolved)
    return {"buckets": buckets, "resolved": resolved,
            "mean_hours": int(row.resolve_minutes) / resolved / 60 if resolved else None}


# ---------------------------------------------------------------- callbacks, complaints, repeats


def callback_rate(session: Session, principal: Principal, period: Period, community_id: int | None = None,
                  language: str = "zh-CN") -> dict:
    """回访率 = tickets resolved in the period whose callback loop is finished (status closed: a satisfied
    callback, or the manager's close after three unanswered attempts) ÷ tickets resolved in the period
    (every resolved ticket needs a callback). Target 100 %. Also per month."""
    scope = community_scope(principal, community_id)
    by_month = {r.month: r for r in _month_sums(session, scope, period, M.month, sums=("resolved", "callbacks_done"))}
    months = [{"month": month_label(m), "resolved": int(by_month[m].resolved) if m in by_month else 0,
               "called_back": int(by_month[m].callbacks_done) if m in by_month else 0} for m in period.months]
    for month in months:
        month["percent"] = percent(month["called_back"], month["resolved"])
    resolved, called = sum(m["resolved"] for m in months), sum(m["called_back"] for m in months)
    return {"resolved": resolved, "called_back": called, "percent": percent(called, resolved),
            "target": CALLBACK_TARGET, "months": months}


def households(session: Session, principal: Principal, community_id: int | None = None) -> int:
    """Households = rooms that have a current owner (an ownership with no end date), in scope, today."""
    scope = community_scope(principal, community_id)
    statement = sa.select(sa.func.count(sa.distinct(Ownership.room_id))).where(col(Ownership.ended_on).is_(None))
    if scope is not None:
        statement = statement.where(col(Ownership.community_id).in_(sorted(scope)) if scope else sa.false())
    return int(session.scalar(statement) or 0)


def valid_complaint_rate(session: Session, principal: Principal, period: Period, community_id: int | None = None,
                         language: str = "zh-CN") -> dict:
    """有效投诉率 = complaints registered in the period that a manager judged valid (kind complaint,
    valid_complaint true) ÷ households (see ``households``). Target ≤ 1 %. Also per month."""
    scope = community_scope(principal, community_id)
    homes = households(session, principal, community_id)
    by_month = {r.month: int(r.valid_complaints) for r in _month_sums(
        session, scope, period, M.month, sums=("valid_complaints",), where=(M.kind == Kind.COMPLAINT.value,))}
    months = [{"month": month_label(m), "valid": by_month.get(m, 0), "percent": percent(by_month.get(m, 0), homes)}
              for m in period.months]
    valid = sum(m["valid"] for m in months)
    return {"valid": valid, "households": homes, "percent": percent(valid, homes), "target": VALID_COMPLAINT_TARGET,
            "months": months}


def _complaints_per_month(session: Session, scope, period: Period) -> dict[date, int]:
    """Complaints registered on the period's days, per month: whole months from the month rollup, the
    days of a partly covered month (the same dates last year) from the day rollup."""
    kind = Kind.COMPLAINT.value
    whole = [m for m in period.months if period.covers_month(m)]
    counts: dict[date, int] = defaultdict(int)
    if whole:
        for month, number in session.execute(sa.select(M.month, sa.func.sum(M.created)).where(
                _rollup_scope(M.community_id, scope), col(M.month).in_(whole), M.kind == kind).group_by(M.month)):
            counts[month] += int(number)
    D = TicketDayStats
    for month in (m for m in period.months if m not in whole):
        first, last = max(month, period.start), min(month_end(month), period.end)
        counts[month] += int(session.scalar(sa.select(sa.func.coalesce(sa.func.sum(D.created), 0)).where(
            _rollup_scope(D.community_id, scope), D.day >= first, D.day <= last, D.kind == kind)) or 0)
    return counts


def complaint_change(session: Session, principal: Principal, period: Period, community_id: int | None = None,
                     language: str = "zh-CN") -> dict:
    """Complaint change = (complaints registered in the period − complaints registered on the same dates
    one year earlier) ÷ the latter, in %. Target ≤ −20 %. Also per month, next to last year's month.
    No change is given (``comparable`` false) while the year-earlier dates reach back before the first
    ticket registered in scope: a half-recorded year would make any reduction look like growth."""
    scope = community_scope(principal, community_id)
    earlier = period.year_before()
    D = TicketDayStats
    first_day = session.scalar(sa.select(sa.func.min(D.day)).where(_rollup_scope(D.community_id, scope)))
    comparable = first_day is not None and first_day <= earlier.start
    this_year = _complaints_per_month(session, scope, period)
    last_year = _complaints_per_month(session, scope, earlier)
    months = [{"month": month_label(m), "complaints": this_year.get(m, 0), "last_year": last_year.get(e, 0)}
              for m, e in zip(period.months, earlier.months, strict=True)]
    now, before = sum(m["complaints"] for m in months), sum(m["last_year"] for m in months)
    change = percent(now - before, before) if comparable else None
    return {"complaints": now, "last_year": before, "change_percent": change, "comparable": comparable,
            "target": COMPLAINT_CHANGE_TARGET, "months": months}


def repeat_and_reopen_rates(session: Session, principal: Principal, period: Period, community_id: int | None = None,
                            language: str = "zh-CN") -> dict:
    """Repeat rate = tickets registered in the period linked as a repeat (二次投诉: same room and category
    within 30 days, repeat_of_id set) ÷ tickets registered in the period.
    Reopen rate = tickets registered in the period reopened at least once (reopen_count > 0) ÷ the same."""
    scope = community_scope(principal, community_id)
    by_month = {r.month: r for r in _month_sums(session, scope, period, M.month,
                                                sums=("created", "repeats", "reopened"))}
    months = []
    for m in period.months:
        row = by_month.get(m)
        created, repeats, reopened = (int(row.created), int(row.repeats), int(row.reopened)) if row else (0, 0, 0)
        months.append({"month": month_label(m), "created": created, "repeats": repeats, "reopened": reopened,
                       "repeat_percent": percent(repeats, created), "reopen_percent": percent(reopened, created)})
    created = sum(m["created"] for m in months)
    repeats, reopened = sum(m["repeats"] for m in months), sum(m["reopened"] for m in months)
    return {"created": created, "repeats": repeats, "reopened": reopened, "repeat_percent": percent(repeats, created),
            "reopen_percent": percent(reopened, created), "months": months}


def arrears_coverage(session: Session, principal: Principal, community_id: int | None = None) -> dict:
    """跟进覆盖率, as the arrears desk defines it (``arrears.queries.coverage``): open arrears cases followed
    up within the last 15 days, or opened today and not yet due a call, ÷ open cases, today. Target 100 %."""
    scope = community_scope(principal, community_id)
    narrowed = dataclasses.replace(principal, current_community_id=community_id) if community_id else principal
    figure = coverage(session, narrowed) if scope is None or scope else None
    if figure is None:
        return {"open_cases": 0, "followed_up": 0, "overdue": 0, "percent": None, "target": ARREARS_COVERAGE_TARGET}
    return {"open_cases": figure.open_cases, "followed_up": figure.followed_up, "overdue": figure.overdue,
            "percent": figure.percent if figure.open_cases else None, "target": ARREARS_COVERAGE_TARGET}


# ---------------------------------------------------------------- hot topics and early warnings


def hot_topics(session: Session, principal: Principal, period: Period, community_id: int | None = None,
               limit: int = HOT_TOPICS) -> list[dict]:
    """热点问题: the keywords (jieba, ``dashboards.keywords``) found in the titles of the most tickets
    registered in the period; a ticket counts once per keyword. Busiest first, then by word."""
    scope = community_scope(principal, community_id)
    K = TicketKeywordMonth
    total = sa.func.sum(K.tickets).label("tickets")
    rows = session.execute(sa.select(K.word, total).where(
        _rollup_scope(K.community_id, scope), K.month >= period.months[0], K.month <= period.months[-1])
        .group_by(K.word).having(total > 0).order_by(total.desc(), K.word).limit(limit)).all()
    return [{"word": word, "tickets": int(tickets)} for word, tickets in rows]


def last_complete_week(today: date) -> date:
    """Monday of the last week (Monday–Sunday) that has ended."""
    return week_of(today) - timedelta(days=7)


def early_warnings(session: Session, principal: Principal, community_id: int | None = None, *,
                   today: date, language: str = "zh-CN") -> list[dict]:
    """Early warnings: a building × top-level category whose tickets registered in the last complete week
    exceed mean + 2·sd of the same pair's previous 8 weeks (population sd; a week without tickets counts 0)
    and number at least 5. Most striking first (count − threshold)."""
    scope = community_scope(principal, community_id)
    W = TicketWeekStats
    week = last_complete_week(today)
    first = week - timedelta(weeks=WARNING_BASELINE_WEEKS)
    where = [W.week >= first, W.week <= week]
    if scope is not None:
        where.append(col(W.community_id).in_(sorted(scope)) if scope else sa.false())
    # The nine weeks are history the services no longer write to (a ticket is registered "now"), so the result
    # is remembered per window; the rows' count and sum change with a rebuild or a back-dated import.
    fingerprint = session.execute(sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(W.created), 0))
                                  .where(*where)).one()
    key = (str(session.get_bind().engine.url), week, None if scope is None else tuple(sorted(scope)),
           tuple(fingerprint), language)
    if key in _WARNINGS_SEEN:
        return [dict(w) for w in _WARNINGS_SEEN[key]]
    # Per pair in one grouped pass: last week's count, and the baseline's Σx and Σx² (weeks without a row add 0).
    latest = sa.func.sum(sa.case((W.week == week, W.created), else_=0))
    baseline = sa.case((W.week < week, W.created), else_=0)
    rows = session.execute(
        sa.select(W.community_id, W.building_id, W.category_id, latest.label("latest"),
                  sa.func.sum(baseline).label("total"), sa.func.sum(baseline * baseline).label("squares"))
        .where(*where).group_by(W.community_id, W.building_id, W.category_id)
        .having(latest >= WARNING_MIN_TICKETS)).all()
    warnings = []
    for community, building, category, count, total, squares in rows:
        mean = total / WARNING_BASELINE_WEEKS
        sd = math.sqrt(max(0.0, squares / WARNING_BASELINE_WEEKS - mean * mean))
        threshold = mean + WARNING_SIGMAS * sd
        if count > threshold:
            warnings.append({"community_id": community, "building_id": building, "category_id": category,
                             "tickets": int(count), "mean": mean, "sd": sd, "threshold": threshold})
    found = _labelled_warnings(session, warnings, week, language)
    if len(_WARNINGS_SEEN) >= WARNINGS_REMEMBERED:
        _WARNINGS_SEEN.pop(next(iter(_WARNINGS_SEEN)))
    _WARNINGS_SEEN[key] = found
    return [dict(w) for w in found]


def _labelled_warnings(session: Session, warnings: list[dict], week: date, language: str) -> list[dict]:
    if not warnings:
        return []
    communities = dict(session.execute(sa.select(Community.id, Community.name).where(
        col(Community.id).in_({w["community_id"] for w in warnings}))).all())
    buildings = dict(session.execute(sa.select(Building.id, Building.name).where(
        col(Building.id).in_({w["building_id"] for w in warnings}))).all())
    categories = dict(_top_categories(session, language))
    public_area = translate("dashboard.public_area", language)
    for w in warnings:
        w.update(week=week.isoformat(), community=communities.get(w["community_id"], ""),
                 building=buildings.get(w["building_id"], public_area), category=categories.get(w["category_id"], ""),
                 href=warning_link(w))
    return sorted(warnings, key=lambda w: (-(w["tickets"] - w["threshold"]), w["community"], w["building"]))


def warning_link(warning: dict) -> str:
    """The ticket list filtered to the warning's community, building and category (all statuses)."""
    params = f"community={warning['community_id']}&category={warning['category_id']}&status=all"
    if warning["building_id"]:
        params += f"&building={warning['building_id']}"
    return f"/tickets?{params}"


# ---------------------------------------------------------------- the satisfaction charts (survey domain)


def satisfaction(session: Session, principal: Principal, community_id: int | None = None,
                 language: str = "zh-CN") -> dict:
    """The survey domain's figures (``surveys.queries``): index per survey period, indicator scores of the
    latest period next to the one before, and the building × indicator matrix."""
    community_scope(principal, community_id)
    return survey_queries.satisfaction_figures(session, principal, community_id, language)


# ---------------------------------------------------------------- everything at once


def dashboard(session: Session, principal: Principal, period: Period, community_id: int | None = None,
              language: str = "zh-CN") -> dict:
    """Every KPI of the page for one period and scope."""
    return {
        "period": {"key": period.key, "start": period.start.isoformat(), "end": period.end.isoformat()},
        "volume": ticket_volume(session, principal, period, community_id, language),
        "sla": sla_compliance(session, principal, period, community_id, language),
        "resolve_time": resolve_time_distribution(session, principal, period, community_id, language),
        "callbacks": callback_rate(session, principal, period, community_id, language),
        "valid_complaints": valid_complaint_rate(session, principal, period, community_id, language),
        "complaints": complaint_change(session, principal, period, community_id, language),
        "repeats": repeat_and_reopen_rates(session, principal, period, community_id, language),
        "arrears": arrears_coverage(session, principal, community_id),
        "hot_topics": hot_topics(session, principal, period, community_id),
        "warnings": early_warnings(session, principal, community_id, today=period.as_of, language=language),
        "satisfaction": satisfaction(session, principal, community_id, language),
    }
