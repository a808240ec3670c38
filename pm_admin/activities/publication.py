"""The 活动通知: when sign-up opens, a notice of kind "activity" to every owner of the community.

The notices (``pm_admin.comms``) sit above this domain, so ``wiring`` connects their
``comms.community_notices`` publisher here: it drafts the notice (``source="activity:<id>"``, the portal
inbox) and submits it for a manager's approval, after which the notices send it."""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session

from pm_admin.activities.models import Activity
from pm_admin.core.clock import local_text
from pm_admin.core.events import NotWired
from pm_admin.core.i18n import translate
from pm_admin.core.permissions import Principal

# (session, *, actor, community_id, title, body, source) -> the notice's id
Publisher = Callable[..., int]
_publisher: list[Publisher] = []


def set_publisher(publisher: Publisher) -> None:
    _publisher[:] = [publisher]


def publish_activity(session: Session, *, actor: Principal, activity: Activity) -> str:
    """What was written, for the activity's record: ``notice:<id>``."""
    if not _publisher:
        raise NotWired("activities.publication")
    body = translate("activities.notice_body", "zh-CN", title=activity.title, starts_at=local_text(activity.starts_at),
                     ends_at=local_text(activity.ends_at), place=activity.place, capacity=activity.capacity,
                     description=activity.description)
    notice_id = _publisher[0](session, actor=actor, community_id=activity.community_id,
                              title=translate("activities.notice_title", "zh-CN", title=activity.title)[:100],
                              body=body, source=f"activity:{activity.id}")
    return f"notice:{notice_id}"
