"""Arrears cases (催缴) of the owner's rooms and their follow-ups on the owner's timeline."""

from __future__ import annotations

from sqlmodel import Session, col, select

from pm_admin.arrears.models import ArrearsCase, FollowUp
from pm_admin.core.i18n import translate
from pm_admin.core.permissions import Perm, Principal
from pm_admin.owners.timeline import TimelineItem, during_ownership, owned_periods
from pm_admin.places.models import Room


def _day_item(day, title_key: str, detail: str) -> TimelineItem:
    return TimelineItem(at=day.isoformat(), at_text=day.isoformat(), kind="arrears", title_key=title_key,
                        detail=detail, link="/arrears")


def arrears_cases(session: Session, principal: Principal, owner_id: int, language: str) -> list[TimelineItem]:
    if not principal.has(Perm.ARREARS_VIEW):
        return []
    periods = owned_periods(session, owner_id)
    cases = session.exec(
        select(ArrearsCase, Room.code).join(Room, Room.id == ArrearsCase.room_id)
        .where(col(ArrearsCase.room_id).in_({p.room_id for p in periods}),
               principal.scope_clause(ArrearsCase.community_id))
        .order_by(col(ArrearsCase.opened_on).desc()).limit(20)).all()
    items, codes = [], {}
    for case, code in cases:
        codes[case.id] = (case.room_id, code)
        if during_ownership(periods, case.room_id, case.opened_on):
            items.append(_day_item(case.opened_on, "timeline.arrears_opened", code))
        if case.closed_on and during_ownership(periods, case.room_id, case.closed_on):
            items.append(_day_item(case.closed_on, "timeline.arrears_closed", code))
    if not codes:
        return items
    for follow_up in session.exec(select(FollowUp).where(col(FollowUp.case_id).in_(codes))
                                  .order_by(col(FollowUp.done_on).desc()).limit(50)).all():
        room_id, code = codes[follow_up.case_id]
        if not during_ownership(periods, room_id, follow_up.done_on):
            continue
        promise = translate("timeline.promised_on", language, day=follow_up.promise_date.isoformat()) \
            if follow_up.promise_date else ""
        parts = [code, translate(f"arrears.channel.{follow_up.channel}", language), follow_up.result, promise,
                 follow_up.actor_name]
        items.append(_day_item(follow_up.done_on, "timeline.arrears_follow_up", " · ".join(p for p in parts if p)))
    return items


SOURCES = (arrears_cases,)
