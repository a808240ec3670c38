"""Reads of the activities domain: the staff list and an activity's page (within the principal's communities),
the review figures, and what an owner sees in the portal (open activities of their communities, their sign-ups,
the evaluations waiting for them)."""

from __future__ import annotations

import dataclasses
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from pm_admin.activities.models import (
    Activity,
    ActivityEvaluation,
    ActivitySignup,
    ActivityStaff,
    ActivityStatus,
    SignupStatus,
)
from pm_admin.activities.services.plan import activity_values
from pm_admin.activities.services.signups import WAITING_ORDER, confirmed_people
from pm_admin.auth.queries import staff_of
from pm_admin.core.clock import local_text
from pm_admin.core.paging import Page, PageRequest
from pm_admin.core.permissions import OwnerPrincipal, Perm, PortalPerm, Principal
from pm_admin.core.scoping import load_scoped
from pm_admin.places.models import Community, Room


@dataclasses.dataclass
class ActivityFilter:
    community_id: int | None = None
    status: str = ""


def activities(session: Session, principal: Principal, request: PageRequest, filters: ActivityFilter) -> Page:
    principal.require(Perm.ACTIVITIES_VIEW)
    where = [principal.scope_clause(Activity.community_id)]
    if filters.community_id:
        where.append(Activity.community_id == filters.community_id)
    if filters.status:
        where.append(Activity.status == filters.status)
    total = session.scalar(sa.select(sa.func.count(Activity.id)).where(*where)) or 0
    order = col(Activity.starts_at).asc() if request.sort == "starts_at" and not request.descending \
        else col(Activity.starts_at).desc()
    rows = session.exec(select(Activity, Community.name).join(Community, Community.id == Activity.community_id)
                        .where(*where).order_by(order, col(Activity.id).desc())
                        .offset(request.offset).limit(request.page_size)).all()
    people = _people_by_activity(session, [a.id for a, _ in rows])
    return Page([{"id": a.id, "community": name, "theme": a.theme, "title": a.title,
                  "starts_at": local_text(a.starts_at), "place": a.place, "status": str(a.status),
                  "signed_up": f"{people.get(a.id, 0)} / {a.capacity}"}
                 for a, name in rows], total, request.page, request.page_size)


def _people_by_activity(session: Session, ids: list[int]) -> dict[int, int]:
    if not ids:
        return {}
    return dict(session.exec(select(ActivitySignup.activity_id, sa.func.sum(ActivitySignup.people)).where(
        col(ActivitySignup.activity_id).in_(ids), ActivitySignup.status == SignupStatus.CONFIRMED)
        .group_by(ActivitySignup.activity_id)).all())


def figures(session: Session, activity: Activity) -> dict[str, Any]:
    """Attendance (people checked in / confirmed / capacity, households too), the waiting list, the evaluations."""
    rows = session.exec(select(ActivitySignup).where(ActivitySignup.activity_id == activity.id,
                                                     ActivitySignup.status != SignupStatus.CANCELLED)).all()
    confirmed = [r for r in rows if r.status == SignupStatus.CONFIRMED]
    checked = [r for r in confirmed if r.checked_in_at is not None]
    scores = session.exec(select(ActivityEvaluation.score).where(ActivityEvaluation.activity_id == activity.id)).all()
    average = sum(scores) / len(scores) if scores else None
    checked_people = sum(r.people for r in checked)
    return {"capacity": activity.capacity, "signed_up": sum(r.people for r in confirmed),
            "signed_households": len(confirmed), "checked_in": checked_people, "checked_households": len(checked),
            "waiting": sum(r.people for r in rows if r.status == SignupStatus.WAITING),
            "waiting_households": sum(1 for r in rows if r.status == SignupStatus.WAITING),
            "evaluations": len(scores), "average": "–" if average is None else f"{average:.1f}",
            "attendance": f"{round(100 * checked_people / activity.capacity)}%" if activity.capacity else "–"}


def _signup_row(r: ActivitySignup) -> dict[str, Any]:
    return {"id": r.id, "room": r.room_code, "name": r.name, "people": r.people, "status": str(r.status),
            "source": str(r.source), "signed_up_at": local_text(r.signed_up_at),
            "checked_in": r.checked_in_at is not None, "checked_in_at": local_text(r.checked_in_at)}


def activity_detail(session: Session, principal: Principal, activity_id: Any) -> dict[str, Any]:
    principal.require(Perm.ACTIVITIES_VIEW)
    activity = load_scoped(session, Activity, activity_id, principal, entity="activity")
    community = session.get(Community, activity.community_id)
    staff = session.exec(select(ActivityStaff).where(ActivityStaff.activity_id == activity.id)
                         .order_by(col(ActivityStaff.id))).all()
    signups = session.exec(select(ActivitySignup).where(ActivitySignup.activity_id == activity.id).order_by(
        sa.case((ActivitySignup.status == SignupStatus.CONFIRMED, 0), (ActivitySignup.status == SignupStatus.WAITING, 1),
                else_=2), col(ActivitySignup.signed_up_at), col(ActivitySignup.id))).all()
    evaluations = session.exec(select(ActivityEvaluation, Room.code).join(Room, Room.id == ActivityEvaluation.room_id)
                               .where(ActivityEvaluation.activity_id == activity.id)
                               .order_by(col(ActivityEvaluation.id))).all()
    return {
        "activity": {"id": activity.id, "version": activity.version, "community": community.name if community else "",
                     "community_id": activity.community_id, "theme": activity.theme, "title": activity.title,
                     "description": activity.description, "starts_at": local_text(activity.starts_at),
                     "ends_at": local_text(activity.ends_at), "place": activity.place,
                     "capacity": activity.capacity, "budget": f"{activity.budget:,.2f}",
                     "status": str(activity.status), "improvement": activity.improvement,
                     "reviewed_by": activity.reviewed_by, "reviewed_at": local_text(activity.reviewed_at),
                     "notice_id": int(activity.notice_ref.split(":")[1])
                     if activity.notice_ref.startswith("notice:") else 0,
                     **{f"form_{k}": v for k, v in activity_values(activity).items()}},
        "staff": [{"id": s.id, "name": s.name, "role": s.role} for s in staff],
        "signups": [_signup_row(r) for r in signups],
        "figures": figures(session, activity),
        "evaluations": [{"room": code, "score": e.score, "comment": e.comment, "at": local_text(e.created_at)}
                        for e, code in evaluations],
    }


def staff_options(session: Session, principal: Principal, activity_id: Any) -> list[dict[str, str]]:
    activity = load_scoped(session, Activity, activity_id, principal, entity="activity")
    return [{"value": str(u.id), "label": f"{u.display_name}（{u.username}）"}
            for u in staff_of(session, activity.community_id)]


# ---------------------------------------------------------------- the owner's view


def _room_labels(session: Session, room_ids: frozenset[int]) -> list[dict[str, str]]:
    rows = session.exec(select(Room.id, Room.code, Room.community_id).where(col(Room.id).in_(sorted(room_ids)))
                        .order_by(Room.code)).all() if room_ids else []
    return [{"value": str(room_id), "label": code, "community_id": str(community_id)}
            for room_id, code, community_id in rows]


def waiting_positions(session: Session, activity_ids: set[int]) -> dict[int, int]:
    """Sign-up id → its place in its activity's waiting list (1: promoted first)."""
    rows = session.exec(select(ActivitySignup.id, ActivitySignup.activity_id).where(
        col(ActivitySignup.activity_id).in_(sorted(activity_ids)), ActivitySignup.status == SignupStatus.WAITING)
        .order_by(col(ActivitySignup.activity_id), *WAITING_ORDER)).all() if activity_ids else []
    positions: dict[int, int] = {}
    places: dict[int, int] = {}
    for signup_id, activity_id in rows:
        places[activity_id] = places.get(activity_id, 0) + 1
        positions[signup_id] = places[activity_id]
    return positions


def owner_activities(session: Session, owner: OwnerPrincipal) -> dict[str, Any]:
    """Open activities of the owner's communities (with the rooms that may still sign up), the owner's sign-ups
    and the evaluations waiting for a checked-in household."""
    owner.require(PortalPerm.HOME)
    rooms = _room_labels(session, owner.room_ids)
    mine = session.exec(select(ActivitySignup, Activity).join(Activity, Activity.id == ActivitySignup.activity_id)
                        .where(col(ActivitySignup.room_id).in_(sorted(owner.room_ids)))
                        .order_by(col(Activity.starts_at).desc(), col(ActivitySignup.id))).all() \
        if owner.room_ids else []
    taken = {(s.activity_id, s.room_id) for s, _ in mine if s.status != SignupStatus.CANCELLED}
    open_rows = session.exec(select(Activity, Community.name).join(Community, Community.id == Activity.community_id)
                             .where(col(Activity.community_id).in_(sorted(owner.community_ids)),
                                    Activity.status == ActivityStatus.OPEN)
                             .order_by(col(Activity.starts_at), col(Activity.id))).all() if owner.room_ids else []
    evaluated = {(e.activity_id, e.room_id) for e in session.exec(select(ActivityEvaluation).where(
        col(ActivityEvaluation.room_id).in_(sorted(owner.room_ids))))} if owner.room_ids else set()
    open_list = []
    for activity, community in open_rows:
        free_rooms = [r for r in rooms if int(r["community_id"]) == activity.community_id
                      and (activity.id, int(r["value"])) not in taken]
        people = confirmed_people(session, activity.id)
        open_list.append({"id": activity.id, "title": activity.title, "theme": activity.theme,
                          "community": community, "starts_at": local_text(activity.starts_at),
                          "place": activity.place, "description": activity.description,
                          "remaining": max(0, activity.capacity - people), "capacity": activity.capacity,
                          "rooms": [{"value": r["value"], "label": r["label"]} for r in free_rooms],
                          "room": free_rooms[0]["value"] if free_rooms else ""})
    signups, tasks = [], []
    positions = waiting_positions(session, {s.activity_id for s, _ in mine if s.status == SignupStatus.WAITING})
    for signup, activity in mine:
        if signup.status == SignupStatus.CANCELLED:
            continue
        signups.append({"id": signup.id, "activity_id": activity.id, "title": activity.title,
                        "room_id": signup.room_id, "room": signup.room_code, "people": signup.people,
                        "status": str(signup.status), "position": positions.get(signup.id),
                        "starts_at": local_text(activity.starts_at), "place": activity.place,
                        "checked_in": signup.checked_in_at is not None,
                        "can_cancel": activity.status in (ActivityStatus.OPEN, ActivityStatus.CLOSED)
                        and signup.checked_in_at is None})
        if signup.checked_in_at is not None and activity.status in (ActivityStatus.DONE, ActivityStatus.REVIEWED) \
                and (activity.id, signup.room_id) not in evaluated:
            tasks.append({"activity_id": activity.id, "room_id": signup.room_id, "title": activity.title,
                          "room": signup.room_code, "key": f"{activity.id}-{signup.room_id}"})
    return {"open": open_list, "signups": signups, "tasks": tasks}


def pending_evaluations(session: Session, owner: OwnerPrincipal) -> int:
    return len(owner_activities(session, owner)["tasks"]) if owner.room_ids else 0
