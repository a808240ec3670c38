"""What the owner hears of a visit's issue, told by the portal in the same transaction (subscribed in
``pm_admin.wiring``): the reply date promised on the visit, then the reply."""

from __future__ import annotations

import dataclasses

REPLY_PROMISED = "reply_promised"
REPLIED = "replied"


@dataclasses.dataclass(frozen=True)
class IssueNews:
    issue_id: int
    step: str  # REPLY_PROMISED | REPLIED
