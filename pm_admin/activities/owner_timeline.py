"""An owner's households at community activities on the owner's timeline: signed up, came, evaluated."""

from __future__ import annotations

from sqlmodel import Session, col, select

from pm_admin.activities.models import Activity, ActivitySignup, SignupStatus
from pm_admin.core.clock import DISPLAY_ZONE, as_utc, local_text
from pm_admin.core.i18n import translate
from pm_admin.core.permissions import Perm, Principal
from pm_admin.owners.timeline import TimelineItem, during_ownership, owned_periods


def activity_participation(session: Session, principal: Principal, owner_id: int,
                           language: str) -> list[TimelineItem]:
    if not principal.has(Perm.ACTIVITIES_VIEW):
        return []
    periods = owned_periods(session, owner_id)
    rows = session.exec(
        select(ActivitySignup, Activity.title).join(Activity, Activity.id == ActivitySignup.activity_id)
        .where(col(ActivitySignup.room_id).in_({p.room_id for p in periods}),
               ActivitySignup.status != SignupStatus.CANCELLED,
               principal.scope_clause(ActivitySignup.community_id))
        .order_by(col(ActivitySignup.signed_up_at).desc()).limit(20)).all()
    items = []
    for signup, title in rows:
        moment = signup.checked_in_at or signup.signed_up_at
        if not during_ownership(periods, signup.room_id, as_utc(moment).astimezone(DISPLAY_ZONE).date()):
            continue
        key = "timeline.activity_attended" if signup.checked_in_at else "timeline.activity_signed_up"
        status = translate(f"activities.signup_status.{signup.status}", language)
        items.append(TimelineItem(
            at=as_utc(moment).isoformat(), at_text=local_text(moment), kind="activity", title_key=key,
            detail=f"{title} · {signup.room_code} · {status} · {signup.people}",
            link=f"/activities/{signup.activity_id}"))
    return items


SOURCES = (activity_participation,)
