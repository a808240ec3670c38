"""Visits to the owner's households on the owner's timeline (while they owned the room), and the replies promised
on them: the date promised, then the reply when given."""

from __future__ import annotations

from sqlmodel import Session, col, select

from pm_admin.auth.models import User
from pm_admin.auth.queries import display_names
from pm_admin.core.clock import as_utc, local_text
from pm_admin.core.i18n import translate
from pm_admin.core.permissions import Perm, Principal
from pm_admin.owners.timeline import TimelineItem, during_ownership, owned_periods
from pm_admin.places.models import Room
from pm_admin.visits.models import Met, Visit, VisitIssue


def _visit_detail(visit: Visit, room_code: str, visitor: str, language: str) -> str:
    parts = [room_code, translate(f"visits.method.{visit.method}", language),
             translate(f"visits.met.{visit.met}", language), visitor, visit.topics[:80]]
    if visit.satisfaction and visit.met != Met.NOBODY:
        parts.append(translate("visits.satisfaction_value", language, score=visit.satisfaction))
    return " · ".join(part for part in parts if part)


def visits(session: Session, principal: Principal, owner_id: int, language: str) -> list[TimelineItem]:
    if not principal.has(Perm.VISITS_VIEW):
        return []
    periods = owned_periods(session, owner_id)
    rows = session.exec(
        select(Visit, Room.code, User.display_name).join(Room, Room.id == Visit.room_id)
        .join(User, User.id == Visit.visitor_id)
        .where(col(Visit.room_id).in_({p.room_id for p in periods}), principal.scope_clause(Visit.community_id))
        .order_by(col(Visit.visited_on).desc(), col(Visit.id).desc()).limit(40)).all()
    shown = [(visit, code, visitor) for visit, code, visitor in rows
             if during_ownership(periods, visit.room_id, visit.visited_on)]
    items = [TimelineItem(at=visit.visited_on.isoformat(), at_text=visit.visited_on.isoformat(), kind="visit",
                          title_key="timeline.visit", detail=_visit_detail(visit, code, visitor, language),
                          link=f"/visits?view=records&room={code}")
             for visit, code, visitor in shown]
    promises = session.exec(select(VisitIssue).where(
        col(VisitIssue.visit_id).in_([visit.id for visit, _, _ in shown]), col(VisitIssue.promised_on).is_not(None))
        .order_by(VisitIssue.id)).all() if shown else []
    days = {visit.id: visit.visited_on for visit, _, _ in shown}
    names = display_names(session, {issue.replied_by for issue in promises})
    for issue in promises:
        items.append(TimelineItem(
            at=days[issue.visit_id].isoformat(), at_text=days[issue.visit_id].isoformat(), kind="visit",
            title_key="timeline.visit_promised",
            detail=translate("visits.promised_detail", language, day=issue.promised_on.isoformat(), issue=issue.text),
            link="/visits?view=replies&state=all"))
        if issue.replied_at is not None:
            items.append(TimelineItem(at=as_utc(issue.replied_at).isoformat(), at_text=local_text(issue.replied_at),
                                      kind="visit", title_key="timeline.visit_replied",
                                      detail=f"{issue.reply} · {names[issue.replied_by]}",
                                      link="/visits?view=replies&state=replied"))
    return items


SOURCES = (visits,)
