"""Planning an activity 主题策划: theme, title, time, place, capacity, budget; staff roles; the status steps
(planned → open for sign-up, with the 活动通知 → closed → done → reviewed)."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

from sqlmodel import Session, select

from pm_admin.activities import publication
from pm_admin.activities.models import Activity, ActivityStaff, ActivityStatus
from pm_admin.activities.services.common import details_of, load_activity, require_status
from pm_admin.activities.services.signups import confirmed_people, promote
from pm_admin.auth.queries import staff_of
from pm_admin.core.audit import record
from pm_admin.core.clock import DISPLAY_ZONE, utcnow
from pm_admin.core.errors import FieldErrors, NotFound
from pm_admin.core.ids import is_id
from pm_admin.core.parsers import clean_text, parse_amount, parse_local_time
from pm_admin.core.permissions import Perm, Principal
from pm_admin.core.scoping import community_of, expect_version

MAX_CAPACITY = 2000


@dataclasses.dataclass
class ActivityInput:
    community_id: Any = ""
    theme: str = ""
    title: str = ""
    description: str = ""
    starts_at: str = ""  # 2026-12-10T14:00, Shanghai time (a datetime-local input)
    ends_at: str = ""
    place: str = ""
    capacity: Any = ""
    budget: Any = "0"


def _capacity(errors: FieldErrors, raw: Any) -> int:
    text = str(raw or "").strip()
    if not text.isdigit() or not 1 <= int(text) <= MAX_CAPACITY:
        errors.add("capacity", "activities.capacity_invalid", max=MAX_CAPACITY)
        return 0
    return int(text)


def _clean(errors: FieldErrors, data: ActivityInput) -> dict[str, Any]:
    starts_at = parse_local_time(errors, "starts_at", data.starts_at, invalid="activities.time_invalid")
    ends_at = parse_local_time(errors, "ends_at", data.ends_at, invalid="activities.time_invalid")
    if starts_at and ends_at and ends_at <= starts_at:
        errors.add("ends_at", "activities.ends_before_start")
    return {"theme": clean_text(errors, "theme", data.theme, max_length=40),
            "title": clean_text(errors, "title", data.title, max_length=100, required=True),
            "description": clean_text(errors, "description", data.description, max_length=4000),
            "starts_at": starts_at, "ends_at": ends_at,
            "place": clean_text(errors, "place", data.place, max_length=100, required=True),
            "capacity": _capacity(errors, data.capacity),
            "budget": parse_amount(errors, "budget", data.budget or "0", high=Decimal("10000000"))}


def activity_values(activity: Activity) -> dict[str, Any]:
    """What the activity form shows (and a conflict names)."""
    return {"theme": activity.theme, "title": activity.title, "description": activity.description,
            "starts_at": activity.starts_at.astimezone(DISPLAY_ZONE).strftime("%Y-%m-%dT%H:%M"),
            "ends_at": activity.ends_at.astimezone(DISPLAY_ZONE).strftime("%Y-%m-%dT%H:%M"),
            "place": activity.place, "capacity": str(activity.capacity), "budget": str(activity.budget)}


def create_activity(session: Session, *, actor: Principal, data: ActivityInput) -> Activity:
    actor.require(Perm.ACTIVITIES_MANAGE)
    errors = FieldErrors()
    community_id = community_of(errors, actor, data.community_id)
    values = _clean(errors, data)
    errors.raise_if_any()
    activity = Activity(community_id=community_id, created_by=actor.username, **values)
    session.add(activity)
    session.flush()
    record(session, action="activity.create", actor=actor, **details_of(activity),
           details={"title": activity.title, "starts_at": activity.starts_at, "capacity": activity.capacity})
    return activity


def update_activity(session: Session, *, actor: Principal, activity_id: Any, expected_version: int | None,
                    data: ActivityInput) -> Activity:
    """Details change until sign-up closes; a capacity below the people already confirmed is refused."""
    activity = load_activity(session, actor, activity_id, Perm.ACTIVITIES_MANAGE)
    require_status(activity, ActivityStatus.PLANNED, ActivityStatus.OPEN)
    expect_version(activity, expected_version, lambda: activity_values(activity))
    errors = FieldErrors()
    values = _clean(errors, data)
    if values["capacity"] and values["capacity"] < confirmed_people(session, activity.id):
        errors.add("capacity", "activities.capacity_below_confirmed", people=confirmed_people(session, activity.id))
    errors.raise_if_any()
    before = activity_values(activity)
    for key, value in values.items():
        setattr(activity, key, value)
    session.add(activity)
    session.flush()
    after = activity_values(activity)
    promote(session, activity)
    record(session, action="activity.update", actor=actor, **details_of(activity),
           details={k: [before[k], v] for k, v in after.items() if before[k] != v})
    return activity


# ---------------------------------------------------------------- staff roles



def assign_staff(session: Session, *, actor: Principal, activity_id: Any, user_id: Any, role: str) -> ActivityStaff:
    activity = load_activity(session, actor, activity_id, Perm.ACTIVITIES_MANAGE)
    require_status(activity, ActivityStatus.PLANNED, ActivityStatus.OPEN, ActivityStatus.CLOSED)
    errors = FieldErrors()
    role_text = clean_text(errors, "role", role, max_length=40, required=True)
    errors.raise_if_any()
    user = next((u for u in staff_of(session, activity.community_id) if is_id(user_id) and u.id == int(user_id)),
                None)
    if user is None:
        raise NotFound("user")
    row = session.exec(select(ActivityStaff).where(ActivityStaff.activity_id == activity.id,
                                                   ActivityStaff.user_id == user.id)).first()
    if row is None:
        row = ActivityStaff(activity_id=activity.id, user_id=user.id, name=user.display_name, role=role_text)
    row.role = role_text
    session.add(row)
    session.flush()
    record(session, action="activity.staff", actor=actor, **details_of(activity),
           details={"name": user.display_name, "role": role_text})
    return row


def remove_staff(session: Session, *, actor: Principal, activity_id: Any, staff_id: Any) -> None:
    activity = load_activity(session, actor, activity_id, Perm.ACTIVITIES_MANAGE)
    row = session.get(ActivityStaff, int(staff_id)) if is_id(staff_id) else None
    if row is None or row.activity_id != activity.id:
        raise NotFound("activity_staff")
    session.delete(row)
    session.flush()
    record(session, action="activity.staff_remove", actor=actor, **details_of(activity),
           details={"name": row.name, "role": row.role})


# ---------------------------------------------------------------- the steps


def _step(session: Session, actor: Principal, activity_id: Any, to: ActivityStatus,
          *allowed_from: ActivityStatus) -> Activity:
    activity = load_activity(session, actor, activity_id, Perm.ACTIVITIES_MANAGE)
    require_status(activity, *allowed_from)
    before = str(activity.status)
    activity.status = to
    session.add(activity)
    session.flush()
    record(session, action="activity.status", actor=actor, **details_of(activity),
           details={"status": [before, str(to)]})
    return activity


def open_signup(session: Session, *, actor: Principal, activity_id: Any) -> Activity:
    """Sign-up opens; the first time, the 活动通知 is drafted and submitted for approval (when the actor may draft
    notices; otherwise a colleague who may drafts it from the notices page)."""
    activity = _step(session, actor, activity_id, ActivityStatus.OPEN, ActivityStatus.PLANNED, ActivityStatus.CLOSED)
    if not activity.notice_ref and actor.has(Perm.NOTICES_DRAFT):
        activity.notice_ref = publication.publish_activity(session, actor=actor, activity=activity)
        session.add(activity)
        session.flush()
    return activity


def close_signup(session: Session, *, actor: Principal, activity_id: Any) -> Activity:
    return _step(session, actor, activity_id, ActivityStatus.CLOSED, ActivityStatus.OPEN)


def mark_done(session: Session, *, actor: Principal, activity_id: Any) -> Activity:
    """Held: the checked-in households with an account may evaluate it."""
    return _step(session, actor, activity_id, ActivityStatus.DONE, ActivityStatus.OPEN, ActivityStatus.CLOSED)


def save_review(session: Session, *, actor: Principal, activity_id: Any, improvement: str) -> Activity:
    """效果评估: what to improve, saved by the manager (again while reviewed)."""
    activity = load_activity(session, actor, activity_id, Perm.ACTIVITIES_MANAGE)
    require_status(activity, ActivityStatus.DONE, ActivityStatus.REVIEWED)
    errors = FieldErrors()
    text = clean_text(errors, "improvement", improvement, max_length=2000, required=True)
    errors.raise_if_any()
    activity.improvement, activity.status = text, ActivityStatus.REVIEWED
    activity.reviewed_by, activity.reviewed_at = actor.username, utcnow()
    session.add(activity)
    session.flush()
    record(session, action="activity.review", actor=actor, **details_of(activity), details={"improvement": text})
    return activity
