"""An activity's 活动通知 as a notice of kind "activity" to every owner of the community (the portal inbox), drafted
and submitted for a manager's approval like any notice. ``wiring`` hands it to the activities domain, which sits
below the notices and cannot import them."""

from __future__ import annotations

from sqlmodel import Session

from pm_admin.comms.models import Group, NoticeKind
from pm_admin.comms.notices import NoticeInput, draft_notice, submit
from pm_admin.core.permissions import Principal
from pm_admin.notify.models import Channel


def publish_activity(session: Session, *, actor: Principal, community_id: int, title: str, body: str,
                     source: str) -> int:
    """The notice's id, submitted for approval."""
    notice = draft_notice(session, actor=actor, data=NoticeInput(
        kind=NoticeKind.ACTIVITY.value, title=title, body=body, community_id=community_id, group=Group.ALL.value,
        source=source, channels=[Channel.INBOX.value]))
    submit(session, actor=actor, notice_id=notice.id)
    return notice.id
