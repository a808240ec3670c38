"""Publishing approved minutes to every owner of the community.

The notices module (``pm_admin.comms.notices``: ``draft_notice`` of kind "minutes" with ``source="meeting:<id>"``,
then ``submit``) is where this belongs; until it exists the minutes reach the owners' portal inbox directly: one
outbox message per active owner account of the community (template ``notify.meeting_minutes``), written in the
transaction of the publication, keyed by meeting and account so publishing twice writes nothing more."""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session

from pm_admin.core.clock import DISPLAY_ZONE
from pm_admin.core.events import NotWired
from pm_admin.core.permissions import Principal
from pm_admin.meetings.models import Meeting
from pm_admin.notify.models import Channel, Recipient
from pm_admin.notify.outbox import Address, enqueue
from pm_admin.places.models import Community

TEMPLATE = "notify.meeting_minutes"
# (session, community id) -> [(owner account id, language)]: the portal's audience, connected by ``wiring``.
Audience = Callable[[Session, int], list[tuple[int, str]]]
_audience: list[Audience] = []


def set_audience(audience: Audience) -> None:
    _audience[:] = [audience]


def publish_minutes(session: Session, *, actor: Principal, meeting: Meeting, body: str) -> str:
    """What was written, for the meeting's record: ``inbox:<messages>``."""
    if not _audience:
        raise NotWired("meetings.publication audience")
    community = session.get(Community, meeting.community_id)
    params = {"title": meeting.title, "community": community.name if community else "",
              "day": meeting.starts_at.astimezone(DISPLAY_ZONE).date().isoformat(), "minutes": body}
    written = 0
    for account_id, language in _audience[0](session, meeting.community_id):
        if enqueue(session, key=f"meeting:{meeting.id}:minutes:owner_account:{account_id}:inbox",
                   to=Address(Recipient.OWNER_ACCOUNT, account_id, Channel.INBOX, None, language),
                   template=TEMPLATE, params=params, community_id=meeting.community_id,
                   cause=f"meeting:{meeting.id}") is not None:
            written += 1
    return f"inbox:{written}"
