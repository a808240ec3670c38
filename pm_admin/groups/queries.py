"""Reads of the VIP groups: the groups of the principal's communities, one group's page (members, applications,
violations, the group owner's open tasks, posts, the moderation log, the rules in force, this quarter's check),
the weekly digest, the group score of the executive dashboard, and what an owner sees in the portal."""

from __future__ import annotations

import statistics
from datetime import date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from pm_admin.auth.models import User
from pm_admin.core.clock import DISPLAY_ZONE, local_text, local_today
from pm_admin.core.i18n import has_key, translate
from pm_admin.core.permissions import OwnerPrincipal, Perm, PortalPerm, Principal
from pm_admin.core.qr import qr_data_uri
from pm_admin.groups.models import (
    ApplicationStatus,
    ComplianceCheck,
    GroupAdmin,
    GroupApplication,
    GroupMember,
    GroupPost,
    GroupTask,
    MemberStatus,
    ModerationEntry,
    Violation,
    ViolationCategory,
    ViolationStatus,
    VipGroup,
)
from pm_admin.groups.services.common import load_group
from pm_admin.groups.services.daily import CHECKLIST, quarter_of
from pm_admin.groups.services.setup import current_rules
from pm_admin.owners.models import Owner, Ownership
from pm_admin.places.models import Community, Room

LOG_ROWS = 50


def groups(session: Session, principal: Principal) -> list[dict[str, Any]]:
    principal.require(Perm.GROUPS_VIEW)
    rows = session.exec(select(VipGroup, Community.name, User.display_name)
                        .join(Community, Community.id == VipGroup.community_id)
                        .join(User, User.id == VipGroup.owner_user_id)
                        .where(principal.scope_clause(VipGroup.community_id))
                        .order_by(col(VipGroup.community_id), col(VipGroup.id))).all()
    counts = dict(session.exec(select(GroupMember.group_id, sa.func.count(GroupMember.id)).where(
        GroupMember.status != MemberStatus.REMOVED).group_by(GroupMember.group_id)).all())
    waiting = dict(session.exec(select(GroupApplication.group_id, sa.func.count(GroupApplication.id)).where(
        GroupApplication.status == ApplicationStatus.SUBMITTED).group_by(GroupApplication.group_id)).all())
    return [{"id": g.id, "name": g.name, "community": community, "channel": str(g.channel), "owner": owner,
             "members": counts.get(g.id, 0), "waiting": waiting.get(g.id, 0), "active": g.is_active}
            for g, community, owner in rows]


def _room_codes(session: Session, room_ids: set[int]) -> dict[int, str]:
    return dict(session.exec(select(Room.id, Room.code).where(col(Room.id).in_(sorted(room_ids)))).all()) \
        if room_ids else {}


def group_detail(session: Session, principal: Principal, group_id: Any) -> dict[str, Any]:
    group = load_group(session, principal, group_id, Perm.GROUPS_VIEW)
    owner = session.get(User, group.owner_user_id)
    members = session.exec(select(GroupMember).where(GroupMember.group_id == group.id)
                           .order_by(col(GroupMember.status), col(GroupMember.id))).all()
    applications = session.exec(select(GroupApplication).where(GroupApplication.group_id == group.id)
                                .order_by(col(GroupApplication.id).desc()).limit(100)).all()
    violations = session.exec(select(Violation).where(Violation.group_id == group.id)
                              .order_by(col(Violation.id).desc()).limit(100)).all()
    tasks = session.exec(select(GroupTask).where(GroupTask.group_id == group.id, col(GroupTask.done_at).is_(None))
                         .order_by(col(GroupTask.id))).all()
    posts = session.exec(select(GroupPost).where(GroupPost.group_id == group.id)
                         .order_by(col(GroupPost.posted_at).desc()).limit(50)).all()
    entries = session.exec(select(ModerationEntry).where(ModerationEntry.group_id == group.id)
                           .order_by(col(ModerationEntry.id).desc()).limit(LOG_ROWS)).all()
    admins = session.exec(select(GroupAdmin).where(GroupAdmin.group_id == group.id)
                          .order_by(col(GroupAdmin.term_start).desc())).all()
    rules = current_rules(session, group.id)
    check = session.exec(select(ComplianceCheck).where(ComplianceCheck.group_id == group.id,
                                                       ComplianceCheck.quarter == quarter_of(local_today()))).first()
    task_applications = {a.id: a for a in session.exec(select(GroupApplication).where(col(GroupApplication.id).in_(
        sorted({t.application_id for t in tasks if t.application_id})))).all()}
    codes = _room_codes(session, {m.room_id for m in members} | {a.room_id for a in applications}
                        | {a.room_id for a in task_applications.values()})
    names = {m.id: m.name for m in members}

    def task_subject(task: GroupTask) -> str:
        """Whom the task is about: the member, or the applicant still to be let in."""
        if task.member_id in names:
            return names[task.member_id]
        applicant = task_applications.get(task.application_id)
        return f"{applicant.applicant_name} · {codes.get(applicant.room_id, '')}" if applicant else ""

    today = local_today()
    return {
        "group": {"id": group.id, "name": group.name, "channel": str(group.channel), "owner": owner.display_name,
                  "owner_user_id": group.owner_user_id, "join_link": group.join_link,
                  "community_id": group.community_id, "i_own_it": principal.user_id == group.owner_user_id},
        "rules": {"number": rules.number if rules else 0, "text": rules.text if rules else "",
                  "published_at": local_text(rules.published_at) if rules else ""},
        "members": [{"id": m.id, "name": m.name, "room": codes.get(m.room_id, ""), "status": str(m.status),
                     "muted_until": local_text(m.muted_until), "joined_at": local_text(m.joined_at),
                     "admin": any(a.member_id == m.id and a.term_start <= today <= a.term_end for a in admins)}
                    for m in members],
        "applications": [{"id": a.id, "version": a.version, "name": a.applicant_name, "room": codes.get(a.room_id, ""),
                          "status": str(a.status), "identity_ok": a.identity_ok, "identity_note": a.identity_note,
                          "fee_ok": a.fee_ok, "fee_note": a.fee_note, "reject_reason": a.reject_reason,
                          "override_reason": a.override_reason, "created_at": local_text(a.created_at),
                          "can_override": a.status == ApplicationStatus.REJECTED and a.identity_ok and not a.fee_ok}
                         for a in applications],
        "violations": [{"id": v.id, "version": v.version, "member": names.get(v.member_id, ""),
                        "category": str(v.category), "description": v.description, "status": str(v.status),
                        "sanction": str(v.sanction or ""), "reported_by": v.reported_by,
                        "reported_at": local_text(v.reported_at), "reviewed_by": v.reviewed_by,
                        "second_approver": v.second_approver,
                        "appeal": v.appeal, "appeal_open": bool(v.appealed_at) and not v.appeal_decided_by,
                        "has_evidence": bool(v.evidence_sha256)} for v in violations],
        "tasks": [{"id": t.id, "kind": str(t.kind), "member": names.get(t.member_id, ""), "subject": task_subject(t),
                   "application_id": t.application_id or 0, "created_at": local_text(t.created_at)} for t in tasks],
        "posts": [{"id": p.id, "text": p.text, "member": names.get(p.member_id, ""), "is_question": p.is_question,
                   "posted_at": local_text(p.posted_at), "answered": p.answered_at is not None,
                   "ticket_id": p.ticket_id or 0, "suggestion_id": p.suggestion_id or 0} for p in posts],
        "log": [{"at": local_text(e.created_at), "actor": e.actor, "action": e.action,
                 "member": names.get(e.member_id, ""), "reason": e.reason, "change": f"{e.before} → {e.after}"
                 if e.before or e.after else ""} for e in entries],
        "check": {item: bool(check.answers.get(item)) if check else False for item in CHECKLIST},
        "check_note": check.note if check else "", "checked": check is not None,
    }


def _state_word(value: str, language: str) -> str:
    for prefix in ("groups.member_status.", "groups.app_status.", "groups.violation_status."):
        if has_key(prefix + value):
            return translate(prefix + value, language)
    return value


def log_in_words(rows: list[dict[str, Any]], language: str) -> list[dict[str, Any]]:
    """The moderation log as read: states and categories in the reader's language (the log stores the codes)."""
    categories = {str(c) for c in ViolationCategory}
    worded = []
    for row in rows:
        before, _, after = row["change"].partition(" → ")
        code, colon, rest = row["reason"].partition(": ")
        reason = row["reason"]
        if code in categories:
            reason = translate(f"groups.category.{code}", language) + ("：" + rest if colon else "")
        change = f"{_state_word(before, language)} → {_state_word(after, language)}" if row["change"] else ""
        worded.append({**row, "reason": reason, "change": change.strip()})
    return worded


def _week_bounds(monday: date) -> tuple[datetime, datetime]:
    start = datetime.combine(monday, time.min, DISPLAY_ZONE)
    return start, start + timedelta(days=7)


def weekly_digest(session: Session, principal: Principal, group_id: Any, monday: date) -> dict[str, int]:
    """One week (Monday to Sunday, Shanghai time) of a group: members at the week's end, joins and removals,
    violations reported and confirmed, questions raised and answered, tickets and suggestions opened from posts."""
    group = load_group(session, principal, group_id, Perm.GROUPS_VIEW)
    start, end = _week_bounds(monday)

    def count(model, *where) -> int:
        return session.scalar(sa.select(sa.func.count(model.id)).where(model.group_id == group.id, *where)) or 0

    return {
        "members": count(GroupMember, GroupMember.joined_at < end,
                         sa.or_(col(GroupMember.removed_at).is_(None), GroupMember.removed_at >= end)),
        "joined": count(GroupMember, GroupMember.joined_at >= start, GroupMember.joined_at < end),
        "removed": count(GroupMember, GroupMember.removed_at >= start, GroupMember.removed_at < end),
        "violations_reported": count(Violation, Violation.reported_at >= start, Violation.reported_at < end),
        "violations_confirmed": count(Violation, Violation.reported_at >= start, Violation.reported_at < end,
                                      Violation.status == ViolationStatus.CONFIRMED),
        "questions": count(GroupPost, GroupPost.is_question == sa.true(), GroupPost.posted_at >= start,
                           GroupPost.posted_at < end),
        "answered": count(GroupPost, GroupPost.is_question == sa.true(), GroupPost.posted_at >= start,
                          GroupPost.posted_at < end, col(GroupPost.answered_at).is_not(None)),
        "tickets": count(GroupPost, GroupPost.posted_at >= start, GroupPost.posted_at < end,
                         col(GroupPost.ticket_id).is_not(None)),
        "suggestions": count(GroupPost, GroupPost.posted_at >= start, GroupPost.posted_at < end,
                             col(GroupPost.suggestion_id).is_not(None)),
    }


def vip_owners(session: Session, group: VipGroup, today: date) -> int:
    """VIP owners (the registry's flag) with a current room in the group's community (and buildings)."""
    where = [Owner.is_vip == sa.true(), Ownership.community_id == group.community_id, Ownership.started_on <= today,
             sa.or_(col(Ownership.ended_on).is_(None), Ownership.ended_on > today)]
    statement = sa.select(sa.func.count(sa.distinct(Owner.id))).select_from(Owner).join(
        Ownership, Ownership.owner_id == Owner.id)
    if group.building_ids:
        statement = statement.join(Room, Room.id == Ownership.room_id)
        where.append(col(Room.building_id).in_(group.building_ids))
    return session.scalar(statement.where(*where)) or 0


def group_score(session: Session, group: VipGroup, start: date, end: date) -> dict[str, Any]:
    """The group's figures for a period [start, end] (local days), as the executive dashboard shows them:
    coverage = members now ÷ VIP owners of its community (or buildings); response = median hours from a question
    raised to its answer (questions raised in the period and answered); violations per 100 members = violations
    confirmed in the period × 100 ÷ members now."""
    since = datetime.combine(start, time.min, DISPLAY_ZONE)
    until = datetime.combine(end + timedelta(days=1), time.min, DISPLAY_ZONE)
    members = session.scalar(sa.select(sa.func.count(GroupMember.id)).where(
        GroupMember.group_id == group.id, GroupMember.status != MemberStatus.REMOVED)) or 0
    owners = vip_owners(session, group, end)
    waits = [(answered - posted).total_seconds() / 3600 for posted, answered in session.exec(
        select(GroupPost.posted_at, GroupPost.answered_at).where(
            GroupPost.group_id == group.id, GroupPost.is_question == sa.true(), GroupPost.posted_at >= since,
            GroupPost.posted_at < until, col(GroupPost.answered_at).is_not(None))).all()]
    confirmed = session.scalar(sa.select(sa.func.count(Violation.id)).where(
        Violation.group_id == group.id, Violation.status == ViolationStatus.CONFIRMED,
        Violation.reported_at >= since, Violation.reported_at < until)) or 0
    return {"group": group.name, "members": members, "vip_owners": owners,
            "coverage": round(100 * members / owners, 1) if owners else None,
            "response_hours": round(statistics.median(waits), 1) if waits else None,
            "violations_per_100": round(100 * confirmed / members, 1) if members else None}


def group_scores(session: Session, principal: Principal, start: date, end: date,
                 community_id: int | None = None) -> list[dict[str, Any]]:
    principal.require(Perm.GROUPS_VIEW)
    where = [principal.scope_clause(VipGroup.community_id), VipGroup.is_active == sa.true()]
    if community_id:
        principal.require_community(community_id)
        where.append(VipGroup.community_id == community_id)
    return [group_score(session, g, start, end)
            for g in session.exec(select(VipGroup).where(*where).order_by(col(VipGroup.id))).all()]


# ---------------------------------------------------------------- the owner's view


def owner_groups(session: Session, owner: OwnerPrincipal) -> dict[str, Any]:
    """Groups the owner's rooms may join (with the rooms not yet in or applying), their applications with the
    checks and reasons, their memberships, and their confirmed violations (with the one appeal)."""
    owner.require(PortalPerm.HOME)
    if not owner.room_ids:
        return {"groups": [], "applications": [], "members": [], "violations": []}
    rooms = session.exec(select(Room).where(col(Room.id).in_(sorted(owner.room_ids)))).all()
    groups_ = session.exec(select(VipGroup).where(col(VipGroup.community_id).in_(sorted(owner.community_ids)),
                                                  VipGroup.is_active == sa.true())).all()
    applications = session.exec(select(GroupApplication).where(GroupApplication.account_id == owner.account_id)
                                .order_by(col(GroupApplication.id).desc())).all()
    members = session.exec(select(GroupMember).where(GroupMember.account_id == owner.account_id)).all()
    busy = {(a.group_id, a.room_id) for a in applications
            if a.status in (ApplicationStatus.SUBMITTED, ApplicationStatus.INVITED)} | {
        (m.group_id, m.room_id) for m in members if m.status != MemberStatus.REMOVED}
    names = {g.id: g.name for g in groups_}
    links = {g.id: g.join_link for g in groups_}
    open_groups = []
    for g in groups_:
        free = [{"value": str(r.id), "label": r.code} for r in rooms if r.community_id == g.community_id
                and (not g.building_ids or r.building_id in g.building_ids) and (g.id, r.id) not in busy]
        rules = current_rules(session, g.id)
        open_groups.append({"id": g.id, "name": g.name, "rooms": free, "room": free[0]["value"] if free else "",
                            "rules": rules.text if rules else ""})
    violations = session.exec(select(Violation).where(
        col(Violation.member_id).in_([m.id for m in members] or [0]),
        col(Violation.status).in_([ViolationStatus.CONFIRMED, ViolationStatus.OVERTURNED]))
        .order_by(col(Violation.id).desc())).all()
    return {
        "groups": open_groups,
        "applications": [{"id": a.id, "group": names.get(a.group_id, ""), "status": str(a.status),
                          "identity_ok": a.identity_ok, "identity_note": a.identity_note, "fee_ok": a.fee_ok,
                          # a check's own refusal is already said by its note
                          "fee_note": a.fee_note, "reject_reason": "" if a.decided_by == "system" else a.reject_reason,
                          "link": links.get(a.group_id, "") if a.status == ApplicationStatus.INVITED else "",
                          "qr": qr_data_uri(links[a.group_id]) if a.status == ApplicationStatus.INVITED
                          and links.get(a.group_id) else "", "created_at": local_text(a.created_at)}
                         for a in applications],
        "members": [{"id": m.id, "group": names.get(m.group_id, ""), "status": str(m.status),
                     "muted_until": local_text(m.muted_until)} for m in members],
        "violations": [{"id": v.id, "category": str(v.category), "sanction": str(v.sanction or ""),
                        "status": str(v.status), "at": local_text(v.reported_at), "appeal": v.appeal,
                        "decision": v.appeal_decision, "can_appeal": v.status == ViolationStatus.CONFIRMED
                        and v.appealed_at is None} for v in violations],
    }


def waiting_applications(session: Session, principal: Principal) -> int:
    """Applications of the principal's communities that passed their checks and wait for a decision."""
    principal.require(Perm.GROUPS_MANAGE)
    return session.scalar(sa.select(sa.func.count(GroupApplication.id)).where(
        GroupApplication.status == ApplicationStatus.SUBMITTED,
        principal.scope_clause(GroupApplication.community_id))) or 0


def open_tasks_of(session: Session, principal: Principal) -> int:
    """WeCom tasks waiting for the principal as 群主 of their groups."""
    principal.require(Perm.GROUPS_VIEW)
    return session.scalar(sa.select(sa.func.count(GroupTask.id)).join(VipGroup, VipGroup.id == GroupTask.group_id)
                          .where(VipGroup.owner_user_id == principal.user_id,
                                 col(GroupTask.done_at).is_(None))) or 0
