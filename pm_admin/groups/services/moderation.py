"""Violations (seed 001 §04.4: 警告 → 禁言 → 移除).

A report names the member, the category, what was said, optionally a screenshot, and the reporter. A reviewer
confirms or dismisses it. The sanction follows from the member's confirmed violations of the last 12 months
(``sanction_for``): the first a warning, the second a mute of ``MUTE_DAYS``, from the third removal, which needs a
second approver other than the reviewer. The member is told through the outbox and may appeal once; an upheld
appeal lifts the sanction. Mutes and removals are tasks for the group owner in WeCom, confirmed here. Every step
goes to the append-only moderation log (who, whom, what, why, before → after)."""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from pm_admin.core.clock import local_text, utcnow
from pm_admin.core.errors import DomainError, FieldErrors, NotFound
from pm_admin.core.files import Download, UploadPurpose, discard_upload, private_dir, read_upload, store_by_hash
from pm_admin.core.ids import is_id
from pm_admin.core.parsers import clean_reason, clean_text
from pm_admin.core.permissions import OwnerPrincipal, Perm, PortalPerm, Principal
from pm_admin.core.scoping import expect_version
from pm_admin.groups.models import (
    GroupMember,
    GroupTask,
    MemberStatus,
    Sanction,
    TaskKind,
    Violation,
    ViolationCategory,
    ViolationStatus,
    VipGroup,
)
from pm_admin.groups.services.common import audit, load_member, load_violation, log, tell
from pm_admin.tickets.services.evidence import sniff_media

MUTE_DAYS = 7
HISTORY = timedelta(days=365)
COUNTED = (ViolationStatus.CONFIRMED, ViolationStatus.AWAITING_SECOND)
EVIDENCE_PURPOSE = "group_evidence"
EVIDENCE_UPLOAD = UploadPurpose(Perm.GROUPS_MANAGE, 15 * 1024 * 1024, (".jpg", ".jpeg", ".png", ".webp"))


@dataclasses.dataclass
class ReportInput:
    member_id: Any = ""
    category: str = ""
    description: str = ""
    reported_by: str = ""  # who saw it (an admin, an owner, the group owner); defaults to the one entering it


def sanction_for(prior_confirmed: int) -> Sanction:
    """The ladder: no confirmed violation in the last 12 months → warning, one → mute, two or more → removal."""
    return (Sanction.WARNING, Sanction.MUTE)[prior_confirmed] if prior_confirmed < 2 else Sanction.REMOVAL


def confirmed_before(session: Session, violation: Violation) -> int:
    """The member's violations confirmed within the 12 months before this one was reported (not this one)."""
    return session.scalar(sa.select(sa.func.count(Violation.id)).where(
        Violation.member_id == violation.member_id, Violation.id != violation.id,
        col(Violation.status).in_(COUNTED), Violation.reported_at >= violation.reported_at - HISTORY,
        Violation.reported_at <= violation.reported_at)) or 0


def evidence_path(sha256: str):
    return private_dir("groups", sha256[:2]) / sha256


def evidence_download(session: Session, principal: Principal, params: dict[str, Any]) -> Download:
    """A report's screenshot for a download ticket: staff who may see the group."""
    violation = load_violation(session, principal, params.get("violation_id"), Perm.GROUPS_VIEW)
    if not violation.evidence_sha256:
        raise NotFound("vip_evidence")
    extension = {"image/png": "png", "image/webp": "webp"}.get(violation.evidence_type, "jpg")
    return Download(f"违规截图-{violation.id}.{extension}", violation.evidence_type,
                    [evidence_path(violation.evidence_sha256).read_bytes()])


DOWNLOADS = {"group_evidence": evidence_download}


def report(session: Session, *, actor: Principal, data: ReportInput, evidence_upload_id: str = "") -> Violation:
    member = load_member(session, actor, data.member_id, Perm.GROUPS_MANAGE)
    if member.status == MemberStatus.REMOVED:
        raise DomainError("groups.member_removed")
    errors = FieldErrors()
    if data.category not in tuple(ViolationCategory):
        errors.add("category", "groups.category_invalid")
    description = clean_text(errors, "description", data.description, max_length=1000, required=True)
    reporter = clean_text(errors, "reported_by", data.reported_by, max_length=64) or actor.username
    digest, content_type = "", ""
    if evidence_upload_id:
        upload, raw = read_upload(session, principal=actor, upload_id=evidence_upload_id,
                                  purpose_name=EVIDENCE_PURPOSE)
        content_type = sniff_media(raw) or ""
        if not content_type.startswith("image/"):
            errors.add("evidence", "groups.evidence_not_image")
        else:
            digest = hashlib.sha256(raw).hexdigest()
            store_by_hash(evidence_path(digest), raw, digest)
            discard_upload(session, upload.id)
    errors.raise_if_any()
    group = session.get(VipGroup, member.group_id)
    violation = Violation(group_id=group.id, community_id=group.community_id, member_id=member.id,
                          category=ViolationCategory(data.category), description=description,
                          evidence_sha256=digest, evidence_type=content_type, reported_by=reporter)
    session.add(violation)
    session.flush()
    log(session, group_id=group.id, member_id=member.id, actor=actor.username, action="report",
        reason=f"{data.category}: {description[:200]}", after="reported")
    audit(session, actor, "group.report", group, "vip_violation", violation.id, category=data.category)
    return violation


def _apply(session: Session, actor: Principal, group: VipGroup, member: GroupMember, violation: Violation,
           now: datetime) -> None:
    """Put the confirmed sanction into effect: the member's state, the group owner's task, the member told."""
    before = str(member.status)
    if violation.sanction == Sanction.MUTE:
        member.status, member.muted_until = MemberStatus.MUTED, now + timedelta(days=violation.mute_days)
        session.add(GroupTask(group_id=group.id, member_id=member.id, violation_id=violation.id, kind=TaskKind.MUTE))
    elif violation.sanction == Sanction.REMOVAL:
        member.status, member.removed_at = MemberStatus.REMOVED, now
        session.add(GroupTask(group_id=group.id, member_id=member.id, violation_id=violation.id,
                              kind=TaskKind.REMOVE))
    session.add(member)
    log(session, group_id=group.id, member_id=member.id, actor=actor.username, action=str(violation.sanction),
        reason=violation.review_note or str(violation.category), before=before, after=str(member.status))
    tell(session, key=f"vip_violation:{violation.id}:{violation.sanction}", account_id=member.account_id,
         language=member.language, template=f"notify.group_{violation.sanction}",
         params={"group": group.name, "until": local_text(member.muted_until), "path": "/portal/groups"},
         community_id=group.community_id, cause=f"vip_violation:{violation.id}")


def review(session: Session, *, actor: Principal, violation_id: Any, expected_version: int | None, confirm: bool,
           note: str = "", now: datetime | None = None) -> Violation:
    """Confirm (the ladder decides the sanction) or dismiss a report."""
    violation = load_violation(session, actor, violation_id, Perm.GROUPS_MANAGE)
    expect_version(violation, expected_version, lambda: {"status": str(violation.status)})
    if violation.status != ViolationStatus.REPORTED:
        raise DomainError("groups.wrong_status", status=str(violation.status))
    errors = FieldErrors()
    text = clean_text(errors, "note", note, max_length=500) if confirm else clean_reason(
        errors, "note", note, min_length=2, max_length=500)
    errors.raise_if_any()
    now = now or utcnow()
    group = session.get(VipGroup, violation.group_id)
    member = session.get(GroupMember, violation.member_id)
    violation.reviewed_by, violation.reviewed_at, violation.review_note = actor.username, now, text
    if not confirm:
        violation.status = ViolationStatus.DISMISSED
        log(session, group_id=group.id, member_id=member.id, actor=actor.username, action="dismiss", reason=text,
            before="reported", after="dismissed")
    else:
        violation.sanction = sanction_for(confirmed_before(session, violation))
        violation.mute_days = MUTE_DAYS if violation.sanction == Sanction.MUTE else 0
        if violation.sanction == Sanction.REMOVAL:
            violation.status = ViolationStatus.AWAITING_SECOND
            log(session, group_id=group.id, member_id=member.id, actor=actor.username, action="removal_proposed",
                reason=text, before=str(member.status), after=str(member.status))
        else:
            violation.status = ViolationStatus.CONFIRMED
            _apply(session, actor, group, member, violation, now)
    session.add(violation)
    session.flush()
    audit(session, actor, "group.review", group, "vip_violation", violation.id, status=str(violation.status),
          sanction=str(violation.sanction or ""))
    return violation


def approve_removal(session: Session, *, actor: Principal, violation_id: Any, expected_version: int | None,
                    now: datetime | None = None) -> Violation:
    """The second approver of a removal: a manager other than the reviewer."""
    violation = load_violation(session, actor, violation_id, Perm.GROUPS_APPROVE)
    expect_version(violation, expected_version, lambda: {"status": str(violation.status)})
    if violation.status != ViolationStatus.AWAITING_SECOND:
        raise DomainError("groups.wrong_status", status=str(violation.status))
    if actor.username == violation.reviewed_by:
        raise DomainError("groups.second_approver_needed")
    violation.status, violation.second_approver = ViolationStatus.CONFIRMED, actor.username
    group = session.get(VipGroup, violation.group_id)
    _apply(session, actor, group, session.get(GroupMember, violation.member_id), violation, now or utcnow())
    session.add(violation)
    session.flush()
    audit(session, actor, "group.remove", group, "vip_violation", violation.id)
    return violation


def appeal(session: Session, *, owner: OwnerPrincipal, violation_id: Any, text: str) -> Violation:
    """The sanctioned member's one appeal, from the portal."""
    owner.require(PortalPerm.HOME)
    violation = session.get(Violation, int(violation_id)) if is_id(violation_id) else None
    member = session.get(GroupMember, violation.member_id) if violation else None
    if violation is None or member is None or member.account_id != owner.account_id:
        raise NotFound("vip_violation")
    if violation.status != ViolationStatus.CONFIRMED or violation.appealed_at is not None:
        raise DomainError("groups.appeal_not_open")
    errors = FieldErrors()
    violation.appeal = clean_reason(errors, "appeal", text, min_length=4, max_length=1000)
    errors.raise_if_any()
    violation.appealed_at = utcnow()
    session.add(violation)
    session.flush()
    log(session, group_id=violation.group_id, member_id=member.id, actor=f"owner:{owner.account_id}",
        action="appeal", reason=violation.appeal[:500])
    return violation


def decide_appeal(session: Session, *, actor: Principal, violation_id: Any, expected_version: int | None,
                  upheld: bool, decision: str) -> Violation:
    """A manager decides the appeal: upheld lifts the sanction (an unmute or re-admission task for the group
    owner), refused keeps it; the member is told either way."""
    violation = load_violation(session, actor, violation_id, Perm.GROUPS_APPROVE)
    expect_version(violation, expected_version, lambda: {"status": str(violation.status)})
    if violation.appealed_at is None or violation.appeal_decided_by:
        raise DomainError("groups.appeal_not_open")
    errors = FieldErrors()
    violation.appeal_decision = clean_reason(errors, "decision", decision, min_length=2, max_length=500)
    errors.raise_if_any()
    violation.appeal_decided_by = actor.username
    group = session.get(VipGroup, violation.group_id)
    member = session.get(GroupMember, violation.member_id)
    if upheld:
        violation.status = ViolationStatus.OVERTURNED
        before = str(member.status)
        if violation.sanction == Sanction.MUTE and member.status == MemberStatus.MUTED:
            member.status, member.muted_until = MemberStatus.ACTIVE, None
            session.add(GroupTask(group_id=group.id, member_id=member.id, violation_id=violation.id,
                                  kind=TaskKind.UNMUTE))
        elif violation.sanction == Sanction.REMOVAL and member.status == MemberStatus.REMOVED:
            member.status, member.removed_at = MemberStatus.ACTIVE, None
            session.add(GroupTask(group_id=group.id, member_id=member.id, violation_id=violation.id,
                                  kind=TaskKind.ADMIT))
        session.add(member)
        log(session, group_id=group.id, member_id=member.id, actor=actor.username, action="appeal_upheld",
            reason=violation.appeal_decision, before=before, after=str(member.status))
    else:
        log(session, group_id=group.id, member_id=member.id, actor=actor.username, action="appeal_refused",
            reason=violation.appeal_decision)
    session.add(violation)
    session.flush()
    tell(session, key=f"vip_violation:{violation.id}:appeal", account_id=member.account_id, language=member.language,
         template="notify.group_appeal", params={"group": group.name, "decision": violation.appeal_decision},
         community_id=group.community_id, cause=f"vip_violation:{violation.id}")
    audit(session, actor, "group.appeal", group, "vip_violation", violation.id, upheld=upheld)
    return violation


def end_mutes(session: Session, now: datetime | None = None) -> int:
    """Members whose mute ran out: active again, with an unmute task for the group owner (the daily job)."""
    now = now or utcnow()
    ended = session.exec(select(GroupMember).where(GroupMember.status == MemberStatus.MUTED,
                                                   GroupMember.muted_until <= now)).all()
    for member in ended:
        member.status, member.muted_until = MemberStatus.ACTIVE, None
        session.add(member)
        session.add(GroupTask(group_id=member.group_id, member_id=member.id, kind=TaskKind.UNMUTE))
        log(session, group_id=member.group_id, member_id=member.id, actor="system", action="mute_ended",
            before="muted", after="active")
    session.flush()
    return len(ended)


def confirm_task(session: Session, *, actor: Principal, task_id: Any) -> GroupTask:
    """The group owner did it in WeCom (or a manager confirms for them)."""
    actor.require(Perm.GROUPS_MANAGE)
    task = session.get(GroupTask, int(task_id)) if is_id(task_id) else None
    group = session.get(VipGroup, task.group_id) if task else None
    if task is None or not actor.can_access_community(group.community_id):
        raise NotFound("vip_task")
    if actor.user_id != group.owner_user_id:
        actor.require(Perm.GROUPS_APPROVE)
    if task.done_at is not None:
        raise DomainError("groups.task_done")
    if task.kind == TaskKind.ADMIT and task.application_id is not None and task.member_id is None:
        raise DomainError("groups.confirm_the_application")  # admission is confirmed on the application
    task.done_at, task.done_by = utcnow(), actor.username
    session.add(task)
    session.flush()
    log(session, group_id=group.id, member_id=task.member_id, actor=actor.username, action=f"task_{task.kind}",
        after="done")
    return task
