"""The monthly report of a community: a closed month's is generated once (by the daily job on the 1st, or by the
first reader who asks) and stored in ``monthly_report``; asking again returns that snapshot, whatever changed since.
The running month's is computed on each request, marked provisional (暂定) and never stored."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime

from sqlmodel import Session, col, select

from pm_admin.auth.queries import display_names
from pm_admin.core.audit import record
from pm_admin.core.clock import DISPLAY_ZONE, utcnow
from pm_admin.core.db import insert_unless_taken
from pm_admin.core.permissions import SYSTEM, Perm, Principal
from pm_admin.core.scoping import load_scoped
from pm_admin.places.models import Community
from pm_admin.reports.contents import SECTIONS
from pm_admin.reports.models import MonthlyReport
from pm_admin.reports.months import is_closed, month_period, month_text, parse_month, previous_month
from pm_admin.reports.sections import Context

FORMAT = 1  # the snapshot's layout, should a later one need telling apart


@dataclasses.dataclass(frozen=True)
class Report:
    community_id: int
    community_code: str
    community_name: str
    month: date
    figures: dict
    provisional: bool
    generated_at: datetime
    generated_by: str  # a username, or "system"
    generated_by_name: str  # as people know them ("王经理")


def compute(session: Session, community: Community, month: date, now: datetime) -> dict:
    """Every section's figures for the community and month (the running month up to ``now``)."""
    period = month_period(month, now.astimezone(DISPLAY_ZONE).date())
    context = Context(session, community.id, period, now)
    sections = {section.key: section.compute(context) for section in SECTIONS}
    return {"format": FORMAT, "community": {"id": community.id, "code": community.code, "name": community.name},
            "month": month_text(month), "start": period.start.isoformat(), "end": period.end.isoformat(),
            "sections": sections, "kpis": context.kpis}


def _as_report(session: Session, community: Community, row: MonthlyReport, provisional: bool = False) -> Report:
    name = display_names(session, {row.generated_by})[row.generated_by]
    return Report(community.id, community.code, community.name, row.month, row.figures, provisional,
                  row.generated_at, row.generated_by, name)


def _stored(session: Session, community_id: int, month: date) -> MonthlyReport | None:
    return session.exec(select(MonthlyReport).where(MonthlyReport.community_id == community_id,
                                                    MonthlyReport.month == month)).first()


def _store(session: Session, community: Community, month: date, now: datetime, actor: Principal) -> MonthlyReport:
    """Generate and keep a closed month; a twin committed meanwhile by someone else wins and is returned."""
    row = MonthlyReport(community_id=community.id, month=month, figures=compute(session, community, month, now),
                        generated_at=now, generated_by=actor.username)
    if insert_unless_taken(session, row) is not None:
        record(session, action="report.generate", actor=actor, entity_type="monthly_report",
               entity_id=f"{community.code}:{month_text(month)}", community_id=community.id,
               details={"month": month_text(month)})
    return _stored(session, community.id, month)


def monthly_report(session: Session, principal: Principal, community_id: object, month: object,
                   now: datetime | None = None) -> Report:
    """The report of one of the principal's communities for ``month`` (``2026-11``): the stored snapshot of a
    closed month (generated now if nobody has yet), or the running month's provisional figures."""
    principal.require(Perm.REPORTS_VIEW)
    community = load_scoped(session, Community, community_id, principal, communities=lambda _s, c: [c.id],
                            entity="community")
    first = parse_month(month)
    now = now or utcnow()
    today = now.astimezone(DISPLAY_ZONE).date()
    month_period(first, today)  # a month still to come is refused
    if not is_closed(first, today):
        row = MonthlyReport(community_id=community.id, month=first, figures=compute(session, community, first, now),
                            generated_at=now, generated_by=principal.username)
        return _as_report(session, community, row, provisional=True)
    row = _stored(session, community.id, first) or _store(session, community, first, now, principal)
    return _as_report(session, community, row)


def generate_closed_month(session: Session, now: datetime | None = None) -> int:
    """The daily job: last month's report of every active community that has none yet (on the 1st it generates
    them; later runs find them stored). Returns how many were generated."""
    now = now or utcnow()
    month = previous_month(now.astimezone(DISPLAY_ZONE).date())
    done = set(session.exec(select(MonthlyReport.community_id).where(MonthlyReport.month == month)).all())
    generated = 0
    for community in session.exec(select(Community).where(Community.is_active == True,  # noqa: E712
                                                          col(Community.id).not_in(done or {0}))
                                  .order_by(Community.id)).all():
        _store(session, community, month, now, SYSTEM)
        generated += 1
    return generated
