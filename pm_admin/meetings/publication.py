"""Publishing approved minutes to every owner of the community as a notice of kind 会议纪要.

The notices (``pm_admin.comms``) sit above this domain, so ``wiring`` connects their ``comms.community_notices`` publisher
here: it drafts the notice (Markdown body, ``source="meeting:<id>"``, the portal inbox) and submits it for a
manager's approval, after which the notices send it to the community's owners."""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session

from pm_admin.core.events import NotWired
from pm_admin.core.i18n import translate
from pm_admin.core.permissions import Principal
from pm_admin.meetings.models import Meeting

# (session, *, actor, community_id, title, body, source) -> the notice's id
Publisher = Callable[..., int]
_publisher: list[Publisher] = []


def set_publisher(publisher: Publisher) -> None:
    _publisher[:] = [publisher]


def publish_minutes(session: Session, *, actor: Principal, meeting: Meeting, body: str) -> str:
    """What was written, for the meeting's record: ``notice:<id>``."""
    if not _publisher:
        raise NotWired("meetings.publication")
    notice_id = _publisher[0](session, actor=actor, community_id=meeting.community_id,
                              title=translate("meetings.notice_title", "zh-CN", title=meeting.title)[:100],
                              body=body, source=f"meeting:{meeting.id}")
    return f"notice:{notice_id}"
