"""A visit's issue reaches the owner: the reply date promised on the visit (告知预约回复时间), then the reply. One
message per active account of the room, to the portal inbox, written through the outbox in the visit's (or the
reply's) transaction; a household without an account is told by the visitor, as before."""

from __future__ import annotations

from sqlmodel import Session

from pm_admin.notify.models import Channel, Recipient
from pm_admin.notify.outbox import Address, enqueue
from pm_admin.portal.people import accounts_of_rooms
from pm_admin.visits.events import IssueNews
from pm_admin.visits.models import VisitIssue


def tell_owner(session: Session, event: IssueNews) -> None:
    issue = session.get(VisitIssue, event.issue_id)
    if issue is None:
        return
    path = f"/portal/tickets/{issue.ticket_id}" if issue.ticket_id else "/portal/notices"
    params = {"day": issue.promised_on.isoformat() if issue.promised_on else "", "issue": issue.text[:100],
              "reply": issue.reply[:200], "path": path}
    for account in accounts_of_rooms(session, [issue.room_id]).get(issue.room_id, []):
        enqueue(session, key=f"visit_issue:{issue.id}:{event.step}:owner_account:{account.id}",
                to=Address(Recipient.OWNER_ACCOUNT, account.id, Channel.INBOX, None, account.language),
                template=f"notify.visit_{event.step}", params=params, community_id=issue.community_id,
                cause=f"visit_issue:{issue.id}")
