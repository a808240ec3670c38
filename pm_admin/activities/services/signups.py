"""报名参与 and 现场管理: households sign up (from the portal, or by staff by room code) with 1–5 people; people beyond
the capacity wait in the order they signed up; a cancellation promotes the waiting ones that now fit, in order
(each told through the portal inbox); check-in on the day, walk-ins included. One sign-up per household."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from pm_admin.activities.models import (
    MAX_PEOPLE,
    Activity,
    ActivitySignup,
    ActivityStatus,
    SignupSource,
    SignupStatus,
)
from pm_admin.activities.services.common import details_of, load_activity, require_status
from pm_admin.core.audit import record
from pm_admin.core.clock import local_text, local_today, utcnow
from pm_admin.core.errors import DomainError, FieldErrors, NotFound, PermissionDenied
from pm_admin.core.ids import is_id
from pm_admin.core.parsers import clean_text
from pm_admin.core.permissions import OwnerPrincipal, Perm, PortalPerm, Principal
from pm_admin.notify.models import Channel, Recipient
from pm_admin.notify.outbox import Address, enqueue
from pm_admin.owners.models import Owner, Ownership
from pm_admin.places.models import Room

# The waiting list's order: who is promoted first, and a household's place in the queue.
WAITING_ORDER = (col(ActivitySignup.signed_up_at), col(ActivitySignup.id))


def confirmed_people(session: Session, activity_id: int) -> int:
    return session.scalar(sa.select(sa.func.coalesce(sa.func.sum(ActivitySignup.people), 0)).where(
        ActivitySignup.activity_id == activity_id, ActivitySignup.status == SignupStatus.CONFIRMED)) or 0


def _people(errors: FieldErrors, raw: Any) -> int:
    text = str(raw or "1").strip()
    if not text.isdigit() or not 1 <= int(text) <= MAX_PEOPLE:
        errors.add("people", "activities.people_invalid", max=MAX_PEOPLE)
        return 0
    return int(text)


def _locked(session: Session, activity: Activity) -> Activity:
    """The activity row locked for the count (PostgreSQL; SQLite writes one at a time anyway)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.select(Activity.id).where(Activity.id == activity.id).with_for_update())
    return activity


def _current_owner_name(session: Session, room_id: int) -> str:
    today = local_today()
    return session.exec(select(Owner.name).join(Ownership, Ownership.owner_id == Owner.id).where(
        Ownership.room_id == room_id, Ownership.started_on <= today,
        sa.or_(col(Ownership.ended_on).is_(None), Ownership.ended_on > today)).order_by(Ownership.id)).first() or ""


def _room_by_code(session: Session, activity: Activity, code: str) -> Room:
    room = session.exec(select(Room).where(Room.code == str(code or "").strip().upper(),
                                           Room.community_id == activity.community_id)).first()
    if room is None:
        errors = FieldErrors()
        errors.add("room_code", "activities.room_not_found")
        errors.raise_if_any()
    return room


def _place(session: Session, activity: Activity, room: Room, *, people: int, name: str, source: SignupSource,
           account_id: int | None, language: str, by: str) -> ActivitySignup:
    """A new sign-up (or a cancelled one renewed), confirmed while the people fit, waiting otherwise."""
    _locked(session, activity)
    row = session.exec(select(ActivitySignup).where(ActivitySignup.activity_id == activity.id,
                                                    ActivitySignup.room_id == room.id)).first()
    if row is not None and row.status != SignupStatus.CANCELLED:
        raise DomainError("activities.already_signed_up")
    waiting = session.scalar(sa.select(sa.func.count(ActivitySignup.id)).where(
        ActivitySignup.activity_id == activity.id, ActivitySignup.status == SignupStatus.WAITING)) or 0
    fits = not waiting and confirmed_people(session, activity.id) + people <= activity.capacity
    row = row or ActivitySignup(activity_id=activity.id, community_id=activity.community_id, room_id=room.id,
                                room_code=room.code, status=SignupStatus.WAITING, source=source)
    row.people, row.name, row.source, row.account_id, row.language = people, name[:64], source, account_id, language
    row.status = SignupStatus.CONFIRMED if fits else SignupStatus.WAITING
    row.signed_up_at, row.cancelled_at, row.checked_in_at, row.created_by = utcnow(), None, None, by
    session.add(row)
    session.flush()
    return row


def sign_up_owner(session: Session, *, owner: OwnerPrincipal, activity_id: Any, room_id: Any,
                  people: Any) -> ActivitySignup:
    """An owner signs one of their households up for an open activity of that household's community."""
    owner.require(PortalPerm.HOME)
    own = owner.room(int(room_id) if is_id(room_id) else None)
    activity = session.get(Activity, int(activity_id)) if is_id(activity_id) else None
    if activity is None or activity.community_id != own.community_id:
        raise NotFound("activity")
    require_status(activity, ActivityStatus.OPEN)
    errors = FieldErrors()
    count = _people(errors, people)
    errors.raise_if_any()
    room = session.get(Room, own.room_id)
    row = _place(session, activity, room, people=count, name=owner.display_name, source=SignupSource.PORTAL,
                 account_id=owner.account_id, language=owner.language, by=f"owner_account:{owner.account_id}")
    record(session, action="activity.sign_up", actor_name=f"owner_account:{owner.account_id}", client=owner.client,
           **details_of(activity), details={"room": room.code, "people": count, "status": str(row.status)})
    return row


def sign_up_room(session: Session, *, actor: Principal, activity_id: Any, room_code: str,
                 people: Any) -> ActivitySignup:
    """Staff sign a household up by its room code (a phone call, the front desk)."""
    activity = load_activity(session, actor, activity_id, Perm.ACTIVITIES_MANAGE)
    require_status(activity, ActivityStatus.OPEN)
    errors = FieldErrors()
    count = _people(errors, people)
    errors.raise_if_any()
    room = _room_by_code(session, activity, room_code)
    row = _place(session, activity, room, people=count, name=_current_owner_name(session, room.id),
                 source=SignupSource.STAFF, account_id=None, language="zh-CN", by=actor.username)
    record(session, action="activity.sign_up", actor=actor, **details_of(activity),
           details={"room": room.code, "people": count, "status": str(row.status)})
    return row


def promote(session: Session, activity: Activity) -> list[ActivitySignup]:
    """The waiting sign-ups that now fit, first come first: stops at the first that does not (nobody jumps the
    queue); each promoted household with an account is told through the portal inbox."""
    if activity.status not in (ActivityStatus.OPEN, ActivityStatus.CLOSED):
        return []
    free = activity.capacity - confirmed_people(session, activity.id)
    promoted = []
    for row in session.exec(select(ActivitySignup).where(
            ActivitySignup.activity_id == activity.id, ActivitySignup.status == SignupStatus.WAITING)
            .order_by(*WAITING_ORDER)).all():
        if row.people > free:
            break
        row.status, free = SignupStatus.CONFIRMED, free - row.people
        session.add(row)
        promoted.append(row)
        if row.account_id is not None:
            enqueue(session, key=f"activity:{activity.id}:promoted:{row.id}:{row.signed_up_at.timestamp():.0f}",
                    to=Address(Recipient.OWNER_ACCOUNT, row.account_id, Channel.INBOX, None, row.language),
                    template="notify.activity_promoted",
                    params={"title": activity.title, "starts_at": local_text(activity.starts_at),
                            "place": activity.place, "path": "/portal/activities"},
                    community_id=activity.community_id, cause=f"activity:{activity.id}")
    session.flush()
    return promoted


def _cancel(session: Session, activity: Activity, row: ActivitySignup) -> list[ActivitySignup]:
    require_status(activity, ActivityStatus.OPEN, ActivityStatus.CLOSED)
    if row.status == SignupStatus.CANCELLED:
        raise DomainError("activities.already_cancelled")
    if row.checked_in_at is not None:
        raise DomainError("activities.already_checked_in")
    row.status, row.cancelled_at = SignupStatus.CANCELLED, utcnow()
    session.add(row)
    session.flush()
    return promote(session, _locked(session, activity))


def cancel_owner(session: Session, *, owner: OwnerPrincipal, signup_id: Any,
                 activity_id: int | None = None) -> list[ActivitySignup]:
    """An owner cancels a sign-up of one of their households (of ``activity_id`` when given: the API's path)."""
    owner.require(PortalPerm.HOME)
    row = session.get(ActivitySignup, int(signup_id)) if is_id(signup_id) else None
    if row is None or row.room_id not in owner.room_ids or activity_id not in (None, row.activity_id):
        raise PermissionDenied("portal.not_your_room")
    activity = session.get(Activity, row.activity_id)
    promoted = _cancel(session, activity, row)
    record(session, action="activity.cancel", actor_name=f"owner_account:{owner.account_id}", client=owner.client,
           **details_of(activity), details={"room": row.room_code, "promoted": [p.room_code for p in promoted]})
    return promoted


def _signup(session: Session, activity: Activity, signup_id: Any) -> ActivitySignup:
    row = session.get(ActivitySignup, int(signup_id)) if is_id(signup_id) else None
    if row is None or row.activity_id != activity.id:
        raise NotFound("activity_signup")
    return row


def cancel_by_staff(session: Session, *, actor: Principal, activity_id: Any, signup_id: Any) -> list[ActivitySignup]:
    activity = load_activity(session, actor, activity_id, Perm.ACTIVITIES_MANAGE)
    row = _signup(session, activity, signup_id)
    promoted = _cancel(session, activity, row)
    record(session, action="activity.cancel", actor=actor, **details_of(activity),
           details={"room": row.room_code or row.name, "promoted": [p.room_code for p in promoted]})
    return promoted


# ---------------------------------------------------------------- on the day


def check_in(session: Session, *, actor: Principal, activity_id: Any, signup_id: Any) -> ActivitySignup:
    """签到: a confirmed household arrives (a waiting one may come in if the staff let it: it becomes confirmed)."""
    activity = load_activity(session, actor, activity_id, Perm.ACTIVITIES_MANAGE)
    require_status(activity, ActivityStatus.OPEN, ActivityStatus.CLOSED)
    row = _signup(session, activity, signup_id)
    if row.status == SignupStatus.CANCELLED:
        raise DomainError("activities.already_cancelled")
    if row.checked_in_at is not None:
        return row
    row.checked_in_at, row.status = utcnow(), SignupStatus.CONFIRMED
    session.add(row)
    session.flush()
    record(session, action="activity.check_in", actor=actor, **details_of(activity),
           details={"room": row.room_code or row.name, "people": row.people})
    return row


def walk_in(session: Session, *, actor: Principal, activity_id: Any, room_code: str, name: str,
            people: Any) -> ActivitySignup:
    """A household that came without signing up: by room code (its sign-up, checked in) or by a name alone."""
    activity = load_activity(session, actor, activity_id, Perm.ACTIVITIES_MANAGE)
    require_status(activity, ActivityStatus.OPEN, ActivityStatus.CLOSED)
    errors = FieldErrors()
    count = _people(errors, people)
    who = clean_text(errors, "name", name, max_length=64)
    if not str(room_code or "").strip() and not who:
        errors.add("room_code", "activities.walk_in_needs_room_or_name")
    errors.raise_if_any()
    room = _room_by_code(session, activity, room_code) if str(room_code or "").strip() else None
    row = None
    if room is not None:
        row = session.exec(select(ActivitySignup).where(ActivitySignup.activity_id == activity.id,
                                                        ActivitySignup.room_id == room.id)).first()
        if row is not None and row.status != SignupStatus.CANCELLED:
            raise DomainError("activities.already_signed_up")
    row = row or ActivitySignup(activity_id=activity.id, community_id=activity.community_id,
                                room_id=room.id if room else None, room_code=room.code if room else "",
                                status=SignupStatus.CONFIRMED, source=SignupSource.WALK_IN)
    row.name = who or (_current_owner_name(session, room.id) if room else "")
    row.people, row.status, row.source, row.cancelled_at = count, SignupStatus.CONFIRMED, SignupSource.WALK_IN, None
    row.signed_up_at = row.checked_in_at = utcnow()
    row.created_by = actor.username
    session.add(row)
    session.flush()
    record(session, action="activity.walk_in", actor=actor, **details_of(activity),
           details={"room": row.room_code, "name": row.name, "people": count})
    return row
