"""Admission 入群 (seed 001 §05.1: 提交申请 → 身份核验 → 发放邀请 → 确认加入).

An owner applies from the portal (or staff enter it for a room). Identity: a current owner or an authorised household
member of a room of the group's community (a tenant is not eligible). Fee record (§04.1): no open arrears case of
the room opened more than a month ago, unless a manager admits the owner anyway with a reason. Failing a check
rejects the application with the reason the owner reads. Approved, the invitation (the group's join link) goes out
through the outbox and the group owner gets a task; the member joins when the group owner confirms they are in
(WeCom does not let a server add anyone)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from pm_admin.arrears.models import ArrearsCase, CaseStatus
from pm_admin.core.clock import local_today, utcnow
from pm_admin.core.errors import DomainError, FieldErrors, NotFound
from pm_admin.core.i18n import translate
from pm_admin.core.ids import is_id
from pm_admin.core.parsers import clean_reason
from pm_admin.core.permissions import OwnerPrincipal, Perm, PortalPerm, Principal
from pm_admin.core.scoping import expect_version
from pm_admin.groups.models import (
    ApplicationStatus,
    GroupApplication,
    GroupMember,
    GroupTask,
    MemberStatus,
    TaskKind,
    VipGroup,
)
from pm_admin.groups.services.common import audit, load_application, log, tell
from pm_admin.places.models import Room

ARREARS_GRACE = timedelta(days=30)  # "no open arrears case older than a month"
ELIGIBLE_KINDS = ("owner", "member")


def old_arrears_case(session: Session, room_id: int) -> ArrearsCase | None:
    """The room's open arrears case opened more than a month ago, if any."""
    return session.exec(select(ArrearsCase).where(
        ArrearsCase.room_id == room_id, ArrearsCase.status == CaseStatus.OPEN,
        ArrearsCase.opened_on <= local_today() - ARREARS_GRACE)).first()


def _open_for(session: Session, group: VipGroup, room_id: int) -> GroupApplication | GroupMember | None:
    """An application still in progress or a current membership of this room in this group."""
    member = session.exec(select(GroupMember).where(GroupMember.group_id == group.id, GroupMember.room_id == room_id,
                                                    GroupMember.status != MemberStatus.REMOVED)).first()
    if member is not None:
        return member
    return session.exec(select(GroupApplication).where(
        GroupApplication.group_id == group.id, GroupApplication.room_id == room_id,
        sa.or_(GroupApplication.status == ApplicationStatus.SUBMITTED,
               GroupApplication.status == ApplicationStatus.INVITED))).first()


def _group_for_room(session: Session, group_id: Any, room: Room) -> VipGroup:
    group = session.get(VipGroup, int(group_id)) if is_id(group_id) else None
    if group is None or not group.is_active or group.community_id != room.community_id or (
            group.building_ids and room.building_id not in group.building_ids):
        raise NotFound("vip_group")
    return group


def _checked(session: Session, application: GroupApplication) -> GroupApplication:
    """Run both checks, in the applicant's language; a failed check rejects with its reason."""
    language = application.language
    application.identity_ok = application.person_kind in ELIGIBLE_KINDS
    application.identity_note = translate(
        "groups.check.identity_ok" if application.identity_ok else "groups.check.identity_tenant", language)
    case = old_arrears_case(session, application.room_id)
    application.fee_ok = case is None
    application.fee_note = translate("groups.check.fee_ok", language) if case is None else translate(
        "groups.check.fee_arrears", language, since=case.opened_on.isoformat())
    if not application.identity_ok or not application.fee_ok:
        application.status = ApplicationStatus.REJECTED
        application.reject_reason = application.identity_note if not application.identity_ok \
            else application.fee_note
        application.decided_by, application.decided_at = "system", utcnow()
    return application


def apply_from_portal(session: Session, *, owner: OwnerPrincipal, group_id: Any, room_id: Any) -> GroupApplication:
    owner.require(PortalPerm.HOME)
    errors = FieldErrors()
    if not is_id(room_id):
        errors.add("room_id", "portal.choose_room")
    errors.raise_if_any()
    mine = owner.room(int(room_id))  # refuses a room that is not theirs
    room = session.get(Room, mine.room_id)
    group = _group_for_room(session, group_id, room)
    if _open_for(session, group, room.id) is not None:
        raise DomainError("groups.already_applied")
    application = _checked(session, GroupApplication(
        group_id=group.id, community_id=group.community_id, room_id=room.id, account_id=owner.account_id,
        applicant_name=owner.display_name[:64], person_kind=owner.person_kind, language=owner.language,
        created_by=f"owner:{owner.account_id}"))
    session.add(application)
    session.flush()
    log(session, group_id=group.id, actor=application.created_by, action="apply", after=str(application.status),
        reason=application.reject_reason)
    return application


def approve(session: Session, *, actor: Principal, application_id: Any, expected_version: int | None,
            override_reason: str = "") -> GroupApplication:
    """Invite a checked applicant; a manager may admit one the fee check refused, with a reason."""
    application = load_application(session, actor, application_id, Perm.GROUPS_MANAGE)
    expect_version(application, expected_version, lambda: {"status": str(application.status)})
    group = session.get(VipGroup, application.group_id)
    if application.status == ApplicationStatus.REJECTED and application.identity_ok and not application.fee_ok:
        actor.require(Perm.GROUPS_APPROVE)
        errors = FieldErrors()
        application.override_reason = clean_reason(errors, "override_reason", override_reason, min_length=4,
                                                    max_length=500)
        errors.raise_if_any()
    elif application.status != ApplicationStatus.SUBMITTED:
        raise DomainError("groups.wrong_status", status=str(application.status))
    before = str(application.status)
    application.status, application.reject_reason = ApplicationStatus.INVITED, ""
    application.decided_by, application.decided_at = actor.username, utcnow()
    session.add(application)
    session.add(GroupTask(group_id=group.id, application_id=application.id, kind=TaskKind.ADMIT))
    session.flush()
    tell(session, key=f"vip_group:{group.id}:invite:{application.id}", account_id=application.account_id,
         language=application.language, template="notify.group_invitation",
         params={"group": group.name, "link": group.join_link or "/portal/groups"},
         community_id=group.community_id, cause=f"vip_application:{application.id}")
    log(session, group_id=group.id, actor=actor.username, action="invite", before=before, after="invited",
        reason=application.override_reason)
    audit(session, actor, "group.invite", group, "vip_application", application.id,
          override=application.override_reason)
    return application


def reject(session: Session, *, actor: Principal, application_id: Any, expected_version: int | None,
           reason: str) -> GroupApplication:
    application = load_application(session, actor, application_id, Perm.GROUPS_MANAGE)
    expect_version(application, expected_version, lambda: {"status": str(application.status)})
    if application.status not in (ApplicationStatus.SUBMITTED, ApplicationStatus.INVITED):
        raise DomainError("groups.wrong_status", status=str(application.status))
    errors = FieldErrors()
    text = clean_reason(errors, "reason", reason, min_length=2, max_length=500)
    errors.raise_if_any()
    group = session.get(VipGroup, application.group_id)
    before = str(application.status)
    application.status, application.reject_reason = ApplicationStatus.REJECTED, text
    application.decided_by, application.decided_at = actor.username, utcnow()
    session.add(application)
    session.flush()
    tell(session, key=f"vip_group:{group.id}:reject:{application.id}", account_id=application.account_id,
         language=application.language, template="notify.group_rejected", params={"group": group.name, "reason": text},
         community_id=group.community_id, cause=f"vip_application:{application.id}")
    log(session, group_id=group.id, actor=actor.username, action="reject", before=before, after="rejected",
        reason=text)
    audit(session, actor, "group.reject", group, "vip_application", application.id, reason=text)
    return application


def confirm_joined(session: Session, *, actor: Principal, application_id: Any) -> GroupMember:
    """The group owner (or a manager) confirms the invited owner is in the group: a member."""
    application = load_application(session, actor, application_id, Perm.GROUPS_MANAGE)
    group = session.get(VipGroup, application.group_id)
    if actor.user_id != group.owner_user_id:
        actor.require(Perm.GROUPS_APPROVE)
    if application.status != ApplicationStatus.INVITED:
        raise DomainError("groups.wrong_status", status=str(application.status))
    application.status = ApplicationStatus.JOINED
    member = GroupMember(group_id=group.id, application_id=application.id, room_id=application.room_id,
                         account_id=application.account_id, name=application.applicant_name,
                         language=application.language)
    session.add_all([application, member])
    session.flush()
    for task in session.exec(select(GroupTask).where(GroupTask.application_id == application.id,
                                                     GroupTask.done_at.is_(None))).all():
        task.done_at, task.done_by = utcnow(), actor.username
        task.member_id = member.id
        session.add(task)
    log(session, group_id=group.id, member_id=member.id, actor=actor.username, action="join", before="invited",
        after="active")
    audit(session, actor, "group.join", group, "vip_member", member.id, room=application.room_id)
    return member
