"""What the activity services share: loading an activity in scope, its state checks, the audit entry."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from pm_admin.activities.models import Activity, ActivityStatus
from pm_admin.core.errors import DomainError
from pm_admin.core.permissions import Principal
from pm_admin.core.scoping import load_scoped


def load_activity(session: Session, actor: Principal, activity_id: Any, permission: str) -> Activity:
    actor.require(permission)
    return load_scoped(session, Activity, activity_id, actor, entity="activity")


def require_status(activity: Activity, *statuses: ActivityStatus) -> None:
    if activity.status not in statuses:
        raise DomainError("activities.wrong_status", status=str(activity.status))


def details_of(activity: Activity) -> dict[str, Any]:
    return {"entity_type": "activity", "entity_id": activity.id, "community_id": activity.community_id}
