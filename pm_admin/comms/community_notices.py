"""Notices other domains publish to every owner of a community (the portal inbox): 会议纪要 of approved minutes,
活动通知 of an activity, 整改公示 of an accepted suggestion's improvement action. Drafted and submitted for a
manager's approval like any notice. ``wiring`` hands a publisher to each of those domains, which sit below the
notices and cannot import them."""

from __future__ import annotations

import functools
from collections.abc import Callable

from sqlmodel import Session

from pm_admin.comms.models import Group, NoticeKind
from pm_admin.comms.notices import NoticeInput, draft_notice, submit
from pm_admin.core.permissions import Principal
from pm_admin.notify.models import Channel


def publish_to_community(kind: NoticeKind, session: Session, *, actor: Principal, community_id: int, title: str,
                         body: str, source: str) -> int:
    """The notice's id, submitted for approval."""
    notice = draft_notice(session, actor=actor, data=NoticeInput(
        kind=kind.value, title=title, body=body, community_id=community_id, group=Group.ALL.value,
        source=source, channels=[Channel.INBOX.value]))
    submit(session, actor=actor, notice_id=notice.id)
    return notice.id


def publisher(kind: NoticeKind) -> Callable[..., int]:
    return functools.partial(publish_to_community, kind)
