"""Replies promised on a visit (seed 003 5.27.2 a.3: 不能当即答复的,应告知预约回复时间): the visitor is reminded through
the outbox the day before the promised date (the daily job; once per issue, later if a day was missed), and the
reply, when given, is recorded and reaches the owner."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from pm_admin.core.audit import record
from pm_admin.core.clock import local_today, utcnow
from pm_admin.core.errors import DomainError, FieldErrors
from pm_admin.core.events import publish
from pm_admin.core.parsers import clean_reason
from pm_admin.core.permissions import Perm, Principal
from pm_admin.core.scoping import expect_version, load_scoped
from pm_admin.notify.models import Channel, Recipient
from pm_admin.notify.outbox import Address, enqueue
from pm_admin.places.models import Room
from pm_admin.visits.events import REPLIED, IssueNews
from pm_admin.visits.models import Visit, VisitIssue

REMIND_DAYS_BEFORE = 1
REPLIES_PATH = "/visits?view=replies"


def reply(session: Session, *, actor: Principal, issue_id: Any, expected_version: int | None,
          text: str) -> VisitIssue:
    """What the owner was told, for an issue that waited for a promised reply."""
    actor.require(Perm.VISITS_RECORD)
    issue = load_scoped(session, VisitIssue, issue_id, actor, entity="visit_issue")
    expect_version(issue, expected_version, lambda: {"reply": issue.reply})
    if issue.promised_on is None:
        raise DomainError("visits.nothing_promised")
    if issue.replied_at is not None:
        raise DomainError("visits.already_replied", name=issue.replied_by)
    errors = FieldErrors()
    answer = clean_reason(errors, "reply", text, max_length=500)
    errors.raise_if_any()
    issue.reply, issue.replied_by, issue.replied_at = answer, actor.username, utcnow()
    session.add(issue)
    session.flush()
    publish(session, IssueNews(issue.id, REPLIED))
    record(session, action="visit.reply", actor=actor, entity_type="visit_issue", entity_id=issue.id,
           community_id=issue.community_id, details={"visit": issue.visit_id, "promised_on": str(issue.promised_on)})
    return issue


def remind_due(session: Session, today: date | None = None) -> int:
    """The daily job: each promise due by tomorrow, not replied and not yet reminded, reminds its visitor (a message
    to the staff member's inbox through the outbox, keyed by the issue: a second run writes none)."""
    today = today or local_today()
    rows = session.exec(select(VisitIssue, Visit.visitor_id, Room.code).join(Visit, Visit.id == VisitIssue.visit_id)
                        .join(Room, Room.id == VisitIssue.room_id)
                        .where(col(VisitIssue.promised_on).is_not(None),
                               VisitIssue.promised_on <= today + timedelta(days=REMIND_DAYS_BEFORE),
                               col(VisitIssue.replied_at).is_(None), col(VisitIssue.reminded_on).is_(None))
                        .order_by(VisitIssue.id)).all()
    for issue, visitor_id, room_code in rows:
        enqueue(session, key=f"visit_issue:{issue.id}:due:user:{visitor_id}",
                to=Address(Recipient.USER, visitor_id, Channel.INBOX),
                template="notify.visit_reply_due",
                params={"day": issue.promised_on.isoformat(), "room": room_code, "issue": issue.text[:100],
                        "path": REPLIES_PATH},
                community_id=issue.community_id, cause=f"visit_issue:{issue.id}")
    if rows:  # a plain UPDATE: being reminded is no edit of the issue (a reply form open on it stays current)
        session.execute(sa.update(VisitIssue).where(col(VisitIssue.id).in_([issue.id for issue, _, _ in rows]))
                        .values(reminded_on=today).execution_options(synchronize_session=False))
    return len(rows)
