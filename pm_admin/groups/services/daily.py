"""Daily management and supervision (seed 001 §05.2, §09): posts and questions raised in the group logged by staff
and turned into a ticket or a suggestion in one step (channel 微信群 / 业主群), marked answered; the quarterly
compliance checklist."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlmodel import Session, select

from pm_admin.core.clock import local_today, utcnow
from pm_admin.core.errors import DomainError, FieldErrors, NotFound
from pm_admin.core.ids import is_id
from pm_admin.core.parsers import clean_text
from pm_admin.core.permissions import Perm, Principal
from pm_admin.groups.models import ComplianceCheck, GroupMember, GroupPost, VipGroup
from pm_admin.groups.services.common import audit, load_group
from pm_admin.places.models import Room
from pm_admin.suggestions.services import intake
from pm_admin.tickets.models import Channel, Kind, Tier
from pm_admin.tickets.services.registration import TicketInput, create_ticket

# The quarterly checklist (§09 定期检查: 确保群规得到遵守和执行).
CHECKLIST = ("rules_posted", "admins_in_term", "questions_answered_same_day", "no_ads_left", "privacy_respected",
             "notices_relayed")


def quarter_of(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def log_post(session: Session, *, actor: Principal, group_id: Any, text: str, member_id: Any = "",
             is_question: bool = True, posted_at: datetime | None = None) -> GroupPost:
    group = load_group(session, actor, group_id, Perm.GROUPS_MANAGE)
    errors = FieldErrors()
    body = clean_text(errors, "text", text, max_length=2000, required=True)
    member = None
    if str(member_id or "").strip():
        member = session.get(GroupMember, int(member_id)) if is_id(member_id) else None
        if member is None or member.group_id != group.id:
            errors.add("member_id", "groups.member_unknown")
    errors.raise_if_any()
    post = GroupPost(group_id=group.id, member_id=member.id if member else None, text=body,
                     is_question=is_question, posted_at=posted_at or utcnow(), logged_by=actor.username)
    session.add(post)
    session.flush()
    return post


def _load_post(session: Session, actor: Principal, post_id: Any) -> tuple[GroupPost, VipGroup]:
    actor.require(Perm.GROUPS_MANAGE)
    post = session.get(GroupPost, int(post_id)) if is_id(post_id) else None
    group = session.get(VipGroup, post.group_id) if post else None
    if post is None or not actor.can_access_community(group.community_id):
        raise NotFound("vip_post")
    return post, group


def mark_answered(session: Session, *, actor: Principal, post_id: Any, at: datetime | None = None) -> GroupPost:
    post, _ = _load_post(session, actor, post_id)
    if post.answered_at is None:
        post.answered_at = at or utcnow()
        session.add(post)
        session.flush()
    return post


def _room_of(session: Session, post: GroupPost) -> int | None:
    member = session.get(GroupMember, post.member_id) if post.member_id else None
    return member.room_id if member else None


def post_to_ticket(session: Session, *, actor: Principal, post_id: Any, category_id: Any,
                   kind: str = Kind.REQUEST.value, tier: str = Tier.NORMAL.value):
    post, group = _load_post(session, actor, post_id)
    if post.ticket_id or post.suggestion_id:
        raise DomainError("groups.post_logged")
    first_line = post.text.strip().splitlines()[0]
    ticket = create_ticket(session, actor=actor, data=TicketInput(
        kind=kind, category_id=category_id, tier=tier, channel=Channel.WECHAT_GROUP.value,
        title=first_line[:30] + ("…" if len(first_line) > 30 else ""), description=post.text,
        room_id=_room_of(session, post), community_id=group.community_id))
    post.ticket_id = ticket.id
    session.add(post)
    session.flush()
    audit(session, actor, "group.post_ticket", group, "vip_group", group.id, ticket=ticket.code)
    return ticket


def post_to_suggestion(session: Session, *, actor: Principal, post_id: Any, category_id: Any):
    post, group = _load_post(session, actor, post_id)
    if post.ticket_id or post.suggestion_id:
        raise DomainError("groups.post_logged")
    actor.require(Perm.SUGGESTIONS_MANAGE)
    member = session.get(GroupMember, post.member_id) if post.member_id else None
    room = session.get(Room, member.room_id) if member else None
    suggestion = intake.enter_suggestion(session, actor=actor, data=intake.SuggestionInput(
        community_id=group.community_id, channel="group", category_id=category_id, content=post.text,
        room_code=room.code if room else "", submitter_name=member.name if member else "",
        source=group.name[:64]))
    post.suggestion_id = suggestion.id
    session.add(post)
    session.flush()
    return suggestion


def record_check(session: Session, *, actor: Principal, group_id: Any, answers: dict[str, Any], note: str = "",
                 day: date | None = None) -> ComplianceCheck:
    """This quarter's checklist (answered again, it replaces the quarter's answers)."""
    group = load_group(session, actor, group_id, Perm.GROUPS_MANAGE)
    errors = FieldErrors()
    text = clean_text(errors, "note", note, max_length=1000)
    errors.raise_if_any()
    quarter = quarter_of(day or local_today())
    check = session.exec(select(ComplianceCheck).where(ComplianceCheck.group_id == group.id,
                                                       ComplianceCheck.quarter == quarter)).first() \
        or ComplianceCheck(group_id=group.id, quarter=quarter, checked_by=actor.username)
    check.answers = {item: answers.get(item) in (True, "on", "true", "1") for item in CHECKLIST}
    check.note, check.checked_by, check.checked_at = text, actor.username, utcnow()
    session.add(check)
    session.flush()
    audit(session, actor, "group.check", group, "vip_group", group.id, quarter=quarter.isoformat(),
          passed=sum(check.answers.values()))
    return check
