"""A group's set-up: channel, group owner 群主 (a staff member of the community), buildings, the join link, the
rules 群规 (each publication a new version) and the elected admins 管理员 with their terms."""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlmodel import Session, col, select

from pm_admin.auth.queries import staff_of
from pm_admin.core.errors import FieldErrors
from pm_admin.core.ids import is_id
from pm_admin.core.parsers import clean_text, parse_date
from pm_admin.core.permissions import Perm, Principal
from pm_admin.core.scoping import community_of
from pm_admin.groups.models import GroupAdmin, GroupChannel, GroupRules, MemberStatus, VipGroup
from pm_admin.groups.services.common import audit, load_group, load_member, log
from pm_admin.places.models import Building


@dataclasses.dataclass
class GroupInput:
    community_id: Any = ""
    name: str = ""
    channel: str = GroupChannel.WECOM.value
    owner_user_id: Any = ""
    building_ids: list[Any] = dataclasses.field(default_factory=list)
    join_link: str = ""


def create_group(session: Session, *, actor: Principal, data: GroupInput) -> VipGroup:
    actor.require(Perm.GROUPS_APPROVE)
    errors = FieldErrors()
    community_id = community_of(errors, actor, data.community_id)
    name = clean_text(errors, "name", data.name, max_length=60, required=True)
    if data.channel not in tuple(GroupChannel):
        errors.add("channel", "groups.channel_invalid")
    owner = None
    if community_id is not None:
        owner = next((u for u in staff_of(session, community_id)
                      if is_id(data.owner_user_id) and u.id == int(data.owner_user_id)), None)
        if owner is None:
            errors.add("owner_user_id", "groups.owner_unknown")
    buildings = [int(b) for b in data.building_ids if is_id(b)]
    if community_id is not None and buildings and len(session.exec(select(Building.id).where(
            col(Building.id).in_(buildings), Building.community_id == community_id)).all()) != len(set(buildings)):
        errors.add("building_ids", "groups.building_unknown")
    link = clean_text(errors, "join_link", data.join_link, max_length=500)
    if link and not link.startswith("https://"):
        errors.add("join_link", "groups.link_https")
    errors.raise_if_any()
    group = VipGroup(community_id=community_id, name=name, channel=GroupChannel(data.channel),
                     owner_user_id=owner.id, building_ids=sorted(set(buildings)), join_link=link)
    session.add(group)
    session.flush()
    audit(session, actor, "group.create", group, "vip_group", group.id, name=name, owner=owner.username)
    return group


def current_rules(session: Session, group_id: int) -> GroupRules | None:
    return session.exec(select(GroupRules).where(GroupRules.group_id == group_id)
                        .order_by(col(GroupRules.number).desc())).first()


def publish_rules(session: Session, *, actor: Principal, group_id: Any, text: str) -> GroupRules:
    """A new version of the rules (the old ones stay, numbered)."""
    group = load_group(session, actor, group_id, Perm.GROUPS_APPROVE)
    errors = FieldErrors()
    body = clean_text(errors, "text", text, max_length=4000, required=True)
    errors.raise_if_any()
    last = current_rules(session, group.id)
    rules = GroupRules(group_id=group.id, number=(last.number + 1) if last else 1, text=body,
                       published_by=actor.username)
    session.add(rules)
    session.flush()
    log(session, group_id=group.id, actor=actor.username, action="rules", after=f"v{rules.number}")
    audit(session, actor, "group.rules", group, "vip_group", group.id, number=rules.number)
    return rules


def elect_admin(session: Session, *, actor: Principal, member_id: Any, term_start: str, term_end: str,
                elected_on: str) -> GroupAdmin:
    """An owner member elected 管理员 for a term."""
    member = load_member(session, actor, member_id, Perm.GROUPS_APPROVE)
    errors = FieldErrors()
    start, end = parse_date(errors, "term_start", term_start), parse_date(errors, "term_end", term_end)
    elected = parse_date(errors, "elected_on", elected_on)
    if start and end and end <= start:
        errors.add("term_end", "groups.term_order")
    if member.status == MemberStatus.REMOVED:
        errors.add("member_id", "groups.member_removed")
    errors.raise_if_any()
    admin = GroupAdmin(group_id=member.group_id, member_id=member.id, term_start=start, term_end=end,
                       elected_on=elected)
    session.add(admin)
    session.flush()
    log(session, group_id=member.group_id, member_id=member.id, actor=actor.username, action="admin",
        after=f"{start}~{end}")
    return admin
