"""效果评估: a checked-in household with a portal account rates the held activity once (1–5 and a comment); a
household that did not check in is told so (the activity of its own community is no secret)."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from pm_admin.activities.models import Activity, ActivityEvaluation, ActivitySignup, ActivityStatus
from pm_admin.activities.services.common import details_of, require_status
from pm_admin.core.audit import record
from pm_admin.core.errors import DomainError, FieldErrors, NotFound
from pm_admin.core.ids import is_id
from pm_admin.core.parsers import clean_text
from pm_admin.core.permissions import OwnerPrincipal, PortalPerm


def attended(session: Session, activity_id: int, room_id: int) -> bool:
    return session.exec(select(ActivitySignup.id).where(
        ActivitySignup.activity_id == activity_id, ActivitySignup.room_id == room_id,
        col(ActivitySignup.checked_in_at).is_not(None))).first() is not None


def evaluate(session: Session, *, owner: OwnerPrincipal, activity_id: Any, room_id: Any, score: Any,
             comment: str) -> ActivityEvaluation:
    owner.require(PortalPerm.HOME)
    own = owner.room(int(room_id) if is_id(room_id) else None)
    activity = session.get(Activity, int(activity_id)) if is_id(activity_id) else None
    if activity is None or activity.community_id != own.community_id:
        raise NotFound("activity")
    if not attended(session, activity.id, own.room_id):
        raise DomainError("activities.not_checked_in")
    require_status(activity, ActivityStatus.DONE, ActivityStatus.REVIEWED)
    if session.exec(select(ActivityEvaluation.id).where(ActivityEvaluation.activity_id == activity.id,
                                                        ActivityEvaluation.room_id == own.room_id)).first():
        raise DomainError("activities.already_evaluated")
    errors = FieldErrors()
    text = str(score or "").strip()
    if not text.isdigit() or not 1 <= int(text) <= 5:
        errors.add("score", "activities.score_invalid")
    remark = clean_text(errors, "comment", comment, max_length=500)
    errors.raise_if_any()
    row = ActivityEvaluation(activity_id=activity.id, room_id=own.room_id, account_id=owner.account_id,
                             score=int(text), comment=remark)
    session.add(row)
    session.flush()
    record(session, action="activity.evaluate", actor_name=f"owner_account:{owner.account_id}", client=owner.client,
           **details_of(activity), details={"room_id": own.room_id, "score": int(text)})
    return row
