"""Census results (普查) of the owner's rooms on the owner's timeline: confirmed, or changed and what changed."""

from __future__ import annotations

from sqlmodel import Session, col, select

from pm_admin.census.models import CensusTask, TaskStatus
from pm_admin.core.clock import DISPLAY_ZONE, as_utc, local_text
from pm_admin.core.i18n import translate
from pm_admin.core.permissions import Perm, Principal
from pm_admin.owners.timeline import TimelineItem, during_ownership, owned_periods
from pm_admin.places.models import Room


def quarter_text(quarter: str, language: str) -> str:
    year, _, number = quarter.partition("Q")
    return translate("census.quarter_label", language, year=year, number=number)


def result_detail(task: CensusTask, room_code: str, language: str) -> str:
    fields = "、".join(translate(f"field.{field}", language) for field in task.changed_fields.split(",") if field)
    changed = translate("census.changed_fields", language, fields=fields) if fields else ""
    return " · ".join(part for part in (room_code, quarter_text(task.quarter, language), changed, task.note,
                                        task.completed_by) if part)


def census_results(session: Session, principal: Principal, owner_id: int, language: str) -> list[TimelineItem]:
    if not principal.has(Perm.CENSUS_WORK):
        return []
    periods = owned_periods(session, owner_id)
    rows = session.exec(
        select(CensusTask, Room.code).join(Room, Room.id == CensusTask.room_id)
        .where(col(CensusTask.room_id).in_({p.room_id for p in periods}), CensusTask.status != TaskStatus.PENDING,
               principal.scope_clause(CensusTask.community_id))
        .order_by(col(CensusTask.completed_at).desc()).limit(40)).all()
    return [TimelineItem(at=as_utc(task.completed_at).isoformat(), at_text=local_text(task.completed_at),
                         kind="census", title_key=f"timeline.census_{task.status}",
                         detail=result_detail(task, code, language), link="/census")
            for task, code in rows
            if during_ownership(periods, task.room_id, as_utc(task.completed_at).astimezone(DISPLAY_ZONE).date())]


SOURCES = (census_results,)
