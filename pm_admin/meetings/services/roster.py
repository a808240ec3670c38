"""The owners' committee roster 业委会成员: an owner of the community, a position (主任 / 副主任 / 委员) and a term."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from pm_admin.core.audit import record
from pm_admin.core.errors import FieldErrors
from pm_admin.core.parsers import parse_choice, parse_date
from pm_admin.core.permissions import Perm, Principal
from pm_admin.core.scoping import community_of, expect_version, load_scoped
from pm_admin.meetings.models import CommitteeMember, Position
from pm_admin.meetings.services.common import room_and_owner


@dataclasses.dataclass
class MemberInput:
    room_code: str = ""
    position: str = Position.MEMBER.value
    term_from: str = ""
    term_to: str = ""


def committee(session: Session, community_id: int, day: date) -> list[CommitteeMember]:
    """The members serving on ``day`` (their term covers it), chair first."""
    order = {Position.CHAIR: 0, Position.VICE_CHAIR: 1, Position.MEMBER: 2}
    rows = session.exec(select(CommitteeMember).where(
        CommitteeMember.community_id == community_id, CommitteeMember.term_from <= day,
        CommitteeMember.term_to >= day).order_by(col(CommitteeMember.id))).all()
    return sorted(rows, key=lambda m: (order[m.position], m.id))


def _clean_term(errors: FieldErrors, data: MemberInput) -> tuple[Position | None, date | None, date | None]:
    position = parse_choice(errors, "position", data.position, Position, key="meetings.position_invalid",
                            default=None)
    term_from = parse_date(errors, "term_from", data.term_from)
    term_to = parse_date(errors, "term_to", data.term_to)
    if term_from and term_to and term_to < term_from:
        errors.add("term_to", "meetings.term_order")
    return position, term_from, term_to


def add_member(session: Session, *, actor: Principal, community_id: Any, data: MemberInput) -> CommitteeMember:
    actor.require(Perm.MEETINGS_MANAGE)
    errors = FieldErrors()
    community = community_of(errors, actor, community_id)
    errors.raise_if_any()
    found = room_and_owner(session, community, data.room_code)
    if found is None:
        errors.add("room_code", "meetings.room_without_owner")
    position, term_from, term_to = _clean_term(errors, data)
    errors.raise_if_any()
    room, owner = found
    member = CommitteeMember(community_id=community, owner_id=owner.id, room_id=room.id, name=owner.name,
                             position=position, term_from=term_from, term_to=term_to)
    session.add(member)
    session.flush()
    record(session, action="meeting.committee_add", actor=actor, entity_type="committee_member",
           entity_id=member.id, community_id=member.community_id,
           after={"name": member.name, "room": room.code, "position": str(position), "term_from": term_from,
                  "term_to": term_to})
    return member


def _values(member: CommitteeMember) -> dict[str, str]:
    return {"position": str(member.position), "term_from": member.term_from.isoformat(),
            "term_to": member.term_to.isoformat()}


def update_member(session: Session, *, actor: Principal, member_id: Any, expected_version: int | None,
                  data: MemberInput) -> CommitteeMember:
    """A new position or term (a term ended early is a term_to before today)."""
    actor.require(Perm.MEETINGS_MANAGE)
    member = load_scoped(session, CommitteeMember, member_id, actor, entity="committee_member")
    expect_version(member, expected_version, lambda: _values(member))
    errors = FieldErrors()
    position, term_from, term_to = _clean_term(errors, data)
    errors.raise_if_any()
    before = _values(member)
    member.position, member.term_from, member.term_to = position, term_from, term_to
    session.add(member)
    session.flush()
    record(session, action="meeting.committee_update", actor=actor, entity_type="committee_member",
           entity_id=member.id, community_id=member.community_id, before=before, after=_values(member))
    return member
