"""Publishing an accepted suggestion's improvement action as a 整改公示 notice to every owner of the community
(张榜公布整改措施, seed 003 5.27).

The notices (``pm_admin.comms``) sit above this domain, so ``wiring`` connects their publisher here: it drafts the
notice (Markdown body, ``source="suggestion:<id>"``, the portal inbox) and submits it for a manager's approval."""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session

from pm_admin.core.events import NotWired
from pm_admin.core.i18n import translate
from pm_admin.core.permissions import Principal
from pm_admin.suggestions.models import Suggestion

# (session, *, actor, community_id, title, body, source) -> the notice's id
Publisher = Callable[..., int]
_publisher: list[Publisher] = []


def set_publisher(publisher: Publisher) -> None:
    _publisher[:] = [publisher]


def improvement_body(suggestion: Suggestion) -> str:
    """The owner's words (never their name or room) and the measure."""
    quoted = "\n".join(f"> {line}" for line in suggestion.content.strip().splitlines())
    return translate("suggestions.notice_body", "zh-CN", suggestion=quoted, measure=suggestion.improvement)


def publish_improvement(session: Session, *, actor: Principal, suggestion: Suggestion) -> str:
    """What was written, for the suggestion's record: ``notice:<id>``."""
    if not _publisher:
        raise NotWired("suggestions.publication")
    first_line = suggestion.content.strip().splitlines()[0][:60]
    notice_id = _publisher[0](session, actor=actor, community_id=suggestion.community_id,
                              title=translate("suggestions.notice_title", "zh-CN", topic=first_line)[:100],
                              body=improvement_body(suggestion), source=f"suggestion:{suggestion.id}")
    return f"notice:{notice_id}"
