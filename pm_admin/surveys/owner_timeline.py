"""The household's satisfaction survey answers on the owner's timeline."""

from __future__ import annotations

from sqlmodel import Session, col, select

from pm_admin.core.clock import DISPLAY_ZONE, as_utc, local_text
from pm_admin.core.i18n import translate
from pm_admin.core.permissions import Perm, Principal
from pm_admin.owners.timeline import TimelineItem, during_ownership, owned_periods
from pm_admin.surveys.models import SurveyPlan, SurveyResponse


def survey_answers(session: Session, principal: Principal, owner_id: int, language: str) -> list[TimelineItem]:
    if not principal.has(Perm.SURVEYS_VIEW):
        return []
    periods = owned_periods(session, owner_id)
    rows = session.exec(
        select(SurveyResponse, SurveyPlan.title).join(SurveyPlan, SurveyPlan.id == SurveyResponse.plan_id)
        .where(col(SurveyResponse.room_id).in_({p.room_id for p in periods}),
               principal.scope_clause(SurveyResponse.community_id))
        .order_by(col(SurveyResponse.created_at).desc()).limit(20)).all()
    items = []
    for response, title in rows:
        if not during_ownership(periods, response.room_id, as_utc(response.created_at).astimezone(DISPLAY_ZONE).date()):
            continue
        how = translate(f"surveys.method.{response.method}", language)
        items.append(TimelineItem(
            at=as_utc(response.created_at).isoformat(), at_text=local_text(response.created_at), kind="survey",
            title_key="timeline.survey_answered",
            detail=f"{title} · {how}" + (f" · {response.entered_by}" if response.entered_by else ""),
            link=f"/surveys/{response.plan_id}"))
    return items


SOURCES = (survey_answers,)
