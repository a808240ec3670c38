"""The executive KPIs, defined once (README, "KPI definitions"). The figures an auditor checks come from
``report``: each with its value, numerator and denominator, the same numbers the cards and ``python -m
pm_admin.cli kpi-report`` show. Charts break the same counts down per month, tier or bucket.

Scope: the principal's communities (``community_filter``: the header's choice, else every community they
may see), narrowed to ``community_id`` when the page picks one. Periods are Shanghai calendar days [start,
end], both inclusive; "now" caps a period that includes today.
"""

from __future__ import annotations

import math
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col

from pm_admin.arrears.queries import coverage_on
from pm_admin.core.clock import DISPLAY_ZONE, local_today, utcnow
from pm_admin.core.i18n import translate
from pm_admin.core.permissions import Perm, Principal
from pm_admin.dashboards import complaint_kpis, feedback, round_kpis
from pm_admin.dashboards.complaint_kpis import rollup_scope
from pm_admin.dashboards.figures import Figure, count, rate
from pm_admin.dashboards.models import TicketDayStats, TicketKeywordMonth, TicketMonthStats, TicketWeekStats
from pm_admin.dashboards.periods import Period
from pm_admin.dashboards.rollups import week_of
from pm_admin.groups import queries as group_queries
from pm_admin.places.models import Building, Community
from pm_admin.surveys import queries as survey_queries
from pm_admin.tickets.models import TicketCategory

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
REPORT_NAMES = ("callback_rate", "repair_callback_rate", "callbacks_unreachable", "valid_complaint_rate",
                "complaints_undecided", "complaint_rate_change", "sla_compliance_urgent", "sla_compliance_important",
                "sla_compliance_normal", "sla_compliance", "mean_hours_to_resolve", "repeat_complaint_rate",
                "rework_rate", "reopen_rate", "arrears_coverage", "arrears_due", "arrears_overdue",
                "satisfaction_index", "tickets_registered")


# ---------------------------------------------------------------- scope


def community_scope(principal: Principal, community_id: int | None) -> frozenset[int] | None:
    """The communities the figures cover; None = every community (read from the company-wide rows)."""
    principal.require(Perm.DASHBOARD_VIEW)
    if community_id:
        principal.require_community(community_id)
        return frozenset({community_id})
    return principal.community_filter()


def _top_categories(session: Session, language: str) -> list[tuple[int, str]]:
    rows = session.execute(sa.select(TicketCategory.id, TicketCategory.name_zh, TicketCategory.name_en)
                           .where(col(TicketCategory.parent_id).is_(None))
                           .order_by(TicketCategory.sort, TicketCategory.id)).all()
    return [(i, zh if language == "zh-CN" else en) for i, zh, en in rows]


def month_label(month: date) -> str:
    return month.strftime("%Y-%m")


def _now_for(period: Period, now: datetime | None) -> datetime:
    """"Now" for a period: the real now, or the end of its last day when it lies wholly in the past."""
    real = now or utcnow()
    end_of_period = datetime.combine(period.end + timedelta(days=1), time.min, DISPLAY_ZONE)
    return min(real, end_of_period)


# ---------------------------------------------------------------- ticket volume


def ticket_volume(session: Session, principal: Principal, period: Period, community_id: int | None = None,
                  language: str = "zh-CN") -> dict:
    """Tickets registered per top-level category and month (per day when the period is under two months):
    count of tickets whose created_at falls in the bucket."""
    scope = community_scope(principal, community_id)
    if period.daily:
        D = TicketDayStats
        rows = session.execute(sa.select(D.day, D.category_id, sa.func.sum(D.created)).where(
            rollup_scope(D.community_id, scope), D.day >= period.start, D.day <= period.end)
            .group_by(D.day, D.category_id)).all()
        buckets = period.days
    else:
        rows = [(r.month, r.category_id, r.created)
                for r in complaint_kpis.month_sums(session, scope, period, M.month, M.category_id, sums=("created",))]
        buckets = period.months
    counts = {(bucket, category): number for bucket, category, number in rows}
    series = [{"category_id": category_id, "name": name, "counts": [int(counts.get((b, category_id), 0)) for b in buckets]}
              for category_id, name in _top_categories(session, language)]
    return {"granularity": "day" if period.daily else "month",
            "buckets": [b.isoformat() if period.daily else month_label(b) for b in buckets],
            "series": series, "total": sum(sum(s["counts"]) for s in series)}


# ---------------------------------------------------------------- the figures, with the chart data behind them


def _pct(figure: Figure) -> float | None:
    return figure.percent


def sla_compliance(session: Session, principal: Principal, period: Period, community_id: int | None = None,
                   language: str = "zh-CN", now: datetime | None = None) -> dict:
    """Per tier and overall: rounds resolved in the period with no stored breach ÷ rounds resolved
    (``round_kpis.sla_by_tier``)."""
    scope = community_scope(principal, community_id)
    figures = round_kpis.sla_by_tier(session, scope, period, _now_for(period, now))
    tiers = [{"tier": str(tier), "label": translate(f"tickets.tier.{tier}", language),
              "resolved": int(figures[str(tier)].denominator), "met": int(figures[str(tier)].numerator),
              "percent": _pct(figures[str(tier)])} for tier in round_kpis.TIERS]
    overall = figures["all"]
    return {"tiers": tiers, "resolved": int(overall.denominator), "met": int(overall.numerator),
            "percent": _pct(overall), "figures": figures}


def resolve_time_distribution(session: Session, principal: Principal, period: Period,
                              community_id: int | None = None, language: str = "zh-CN",
                              now: datetime | None = None) -> dict:
    """Rounds resolved in the period by active time (resolved − round start − hold), and the mean in hours."""
    scope = community_scope(principal, community_id)
    mean, histogram = round_kpis.resolve_time(session, scope, period, _now_for(period, now))
    return {"buckets": [{"key": name, "label": translate(f"dashboard.ttr.{name}", language), "count": histogram[name]}
                        for name, _ in round_kpis.TTR_BUCKETS],
            "resolved": int(mean.denominator), "mean_hours": mean.value, "figure": mean}


def callback_rate(session: Session, principal: Principal, period: Period, community_id: int | None = None,
                  language: str = "zh-CN", now: datetime | None = None) -> dict:
    """回访率 (``round_kpis.callbacks``), overall and for repairs, per due month. Target 100 %."""
    scope = community_scope(principal, community_id)
    moment = _now_for(period, now)
    overall = round_kpis.callbacks(session, scope, period, moment)
    repair = round_kpis.repair_callbacks(session, scope, period, moment)
    months = [{"month": month_label(m), "due": int(overall["months"][m].denominator),
               "reached": int(overall["months"][m].numerator), "percent": _pct(overall["months"][m])}
              for m in period.months]
    return {"due": int(overall["rate"].denominator), "reached": int(overall["rate"].numerator),
            "percent": _pct(overall["rate"]), "unreachable": int(overall["unreachable"].value),
            "repair_percent": _pct(repair["rate"]), "target": CALLBACK_TARGET, "months": months,
            "figures": {"callback_rate": overall["rate"], "repair_callback_rate": repair["rate"],
                        "callbacks_unreachable": overall["unreachable"]}}


def valid_complaint_rate(session: Session, principal: Principal, period: Period, community_id: int | None = None,
                         language: str = "zh-CN") -> dict:
    """有效投诉率 (``complaint_kpis.valid_complaints``). Target ≤ 1 %. Also per month."""
    scope = community_scope(principal, community_id)
    figures = complaint_kpis.valid_complaints(session, scope, period)
    rate_, homes = figures["rate"], int(figures["rate"].denominator)
    months = [{"month": month_label(m), "valid": int(f.numerator), "percent": _pct(f)}
              for m, f in figures["months"].items()]
    return {"valid": int(rate_.numerator), "households": homes, "percent": _pct(rate_),
            "undecided": int(figures["undecided"].value), "target": VALID_COMPLAINT_TARGET, "months": months,
            "figures": {"valid_complaint_rate": rate_, "complaints_undecided": figures["undecided"]}}


def complaint_change(session: Session, principal: Principal, period: Period, community_id: int | None = None,
                     language: str = "zh-CN") -> dict:
    """Complaint-rate change year on year (``complaint_kpis.complaint_change``). Target ≤ −20 %."""
    scope = community_scope(principal, community_id)
    found = complaint_kpis.complaint_change(session, scope, period)
    change = found["change"]
    return {"complaints": found["complaints"], "last_year": found["last_year"] if found["comparable"] else None,
            "change_percent": _pct(change), "comparable": found["comparable"], "target": COMPLAINT_CHANGE_TARGET,
            "months": [{"month": month_label(m), "complaints": now_, "last_year": before}
                       for m, now_, before in found["months"]],
            "figures": {"complaint_rate_change": change}}


def repeat_and_reopen_rates(session: Session, principal: Principal, period: Period, community_id: int | None = None,
                            language: str = "zh-CN") -> dict:
    """二次投诉率, 返修率 and the reopen rate (``complaint_kpis.repeats_and_reopenings``), also per month."""
    scope = community_scope(principal, community_id)
    found = complaint_kpis.repeats_and_reopenings(session, scope, period)
    months = [{"month": month_label(m), "repeat_percent": _pct(f["repeat"]), "rework_percent": _pct(f["rework"]),
               "reopen_percent": _pct(f["reopen"]), "complaints": int(f["repeat"].denominator),
               "repeats": int(f["repeat"].numerator), "repairs": int(f["rework"].denominator),
               "reworks": int(f["rework"].numerator), "created": int(f["reopen"].denominator),
               "reopened": int(f["reopen"].numerator)} for m, f in found["months"].items()]
    return {"repeat_percent": _pct(found["repeat"]), "rework_percent": _pct(found["rework"]),
            "reopen_percent": _pct(found["reopen"]), "complaints": int(found["repeat"].denominator),
            "repeats": int(found["repeat"].numerator), "repairs": int(found["rework"].denominator),
            "reworks": int(found["rework"].numerator), "created": int(found["reopen"].denominator),
            "reopened": int(found["reopen"].numerator), "months": months,
            "figures": {"repeat_complaint_rate": found["repeat"], "rework_rate": found["rework"],
                        "reopen_rate": found["reopen"]}}


def arrears_coverage(session: Session, principal: Principal, community_id: int | None = None,
                     day: date | None = None) -> dict:
    """跟进覆盖率 on ``day`` (the period's end, or today), as the arrears desk defines it
    (``arrears.queries.coverage_on``). Target 100 %."""
    community_scope(principal, community_id)
    found = coverage_on(session, principal, day or local_today(), community_id)
    covered = rate(found.covered, found.open_cases)
    return {"open_cases": found.open_cases, "covered": found.covered, "due": found.due, "overdue": found.overdue,
            "percent": _pct(covered), "target": ARREARS_COVERAGE_TARGET,
            "figures": {"arrears_coverage": covered, "arrears_due": count(found.due),
                        "arrears_overdue": count(found.overdue)}}


# ---------------------------------------------------------------- hot topics and early warnings


def hot_topics(session: Session, principal: Principal, period: Period, community_id: int | None = None,
               limit: int = HOT_TOPICS) -> list[dict]:
    """热点问题: the keywords (jieba, ``dashboards.keywords``) found in the titles of the most tickets
    registered in the period; a ticket counts once per keyword. Busiest first, then by word."""
    scope = community_scope(principal, community_id)
    K = TicketKeywordMonth
    total = sa.func.sum(K.tickets).label("tickets")
    rows = session.execute(sa.select(K.word, total).where(
        rollup_scope(K.community_id, scope), K.month >= period.months[0], K.month <= period.months[-1])
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
    for community, building, category, tickets, total, squares in rows:
        mean = total / WARNING_BASELINE_WEEKS
        sd = math.sqrt(max(0.0, squares / WARNING_BASELINE_WEEKS - mean * mean))
        threshold = mean + WARNING_SIGMAS * sd
        if tickets > threshold:
            warnings.append({"community_id": community, "building_id": building, "category_id": category,
                             "tickets": int(tickets), "mean": mean, "sd": sd, "threshold": threshold})
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


# ---------------------------------------------------------------- owner feedback (业主反馈统计)


def feedback_statistics(session: Session, principal: Principal, period: Period, community_id: int | None = None,
                        language: str = "zh-CN", now: datetime | None = None) -> dict:
    """Tickets registered and suggestions received per Shanghai day × channel × top-level category, and the top
    issues (``dashboards.feedback``; README, "Owner feedback statistics")."""
    scope = community_scope(principal, community_id)
    names = {channel: translate(f"dashboard.feedback.channel.{channel}", language) for channel in feedback.CHANNELS}
    return feedback.feedback_statistics(session, scope, period, _now_for(period, now),
                                        _top_categories(session, language), names)


# ---------------------------------------------------------------- the satisfaction charts (survey domain)


def satisfaction(session: Session, principal: Principal, community_id: int | None = None,
                 language: str = "zh-CN") -> dict:
    """The survey domain's figures (``surveys.queries``): index per survey period, indicator scores of the
    latest period next to the one before, and the building × indicator matrix."""
    community_scope(principal, community_id)
    return survey_queries.satisfaction_figures(session, principal, community_id, language)


# ---------------------------------------------------------------- everything at once


def satisfaction_figure(session: Session, principal: Principal, period: Period, community_id: int | None) -> Figure:
    """The satisfaction index of the plan most recently closed by the period's end (``surveys.queries``)."""
    found = survey_queries.satisfaction_index(session, principal, period.end, community_id)
    return Figure(found.value, found.numerator, found.denominator)


def dashboard(session: Session, principal: Principal, period: Period, community_id: int | None = None,
              language: str = "zh-CN", now: datetime | None = None) -> dict:
    """Every KPI of the page for one period and scope, and ``report``: the named figures."""
    data = {
        "period": {"key": period.key, "start": period.start.isoformat(), "end": period.end.isoformat()},
        "volume": ticket_volume(session, principal, period, community_id, language),
        "sla": sla_compliance(session, principal, period, community_id, language, now),
        "resolve_time": resolve_time_distribution(session, principal, period, community_id, language, now),
        "callbacks": callback_rate(session, principal, period, community_id, language, now),
        "valid_complaints": valid_complaint_rate(session, principal, period, community_id, language),
        "complaints": complaint_change(session, principal, period, community_id, language),
        "repeats": repeat_and_reopen_rates(session, principal, period, community_id, language),
        "arrears": arrears_coverage(session, principal, community_id, period.end),
        "hot_topics": hot_topics(session, principal, period, community_id),
        "warnings": early_warnings(session, principal, community_id, today=period.as_of, language=language),
        "satisfaction": satisfaction(session, principal, community_id, language),
        "feedback": feedback_statistics(session, principal, period, community_id, language, now),
        "groups": group_queries.group_scores(session, principal, period.start, period.end, community_id)
        if principal.has(Perm.GROUPS_VIEW) else [],
    }
    report = {f"sla_compliance_{tier}": figure for tier, figure in data["sla"].pop("figures").items() if tier != "all"}
    report["sla_compliance"] = rate(data["sla"]["met"], data["sla"]["resolved"])
    report["mean_hours_to_resolve"] = data["resolve_time"].pop("figure")
    for part in ("callbacks", "valid_complaints", "complaints", "repeats", "arrears"):
        report.update(data[part].pop("figures"))
    report["satisfaction_index"] = satisfaction_figure(session, principal, period, community_id)
    report["tickets_registered"] = count(data["volume"]["total"])
    data["report"] = {name: report[name].as_json() for name in REPORT_NAMES}
    return data


def report(session: Session, principal: Principal, period: Period, community_id: int | None = None,
           now: datetime | None = None) -> dict:
    """The figures an auditor checks, with numerator and denominator (``kpi-report``)."""
    return dashboard(session, principal, period, community_id, now=now)["report"]
