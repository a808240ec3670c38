"""Refusals in the append-only audit log, within a budget per caller.

Every refused event or request is audited, but a script can be refused thousands of times a
minute, signed in or not. Each caller (a signed-in user, or the address of a signed-out client)
gets a budget per window: past it the refusals still happen and are only counted, one row says
the budget was exceeded, and the next refusal after the window writes how many went unrecorded.
The log is never silent about a flood, and never grows with it.
"""

from __future__ import annotations

import dataclasses
import logging
from datetime import datetime, timedelta

from pm_admin.core.audit import record
from pm_admin.core.clock import utcnow
from pm_admin.core.db import unit_of_work
from pm_admin.core.permissions import ClientInfo, Principal

logger = logging.getLogger(__name__)

ANONYMOUS_LIMIT = 200  # signed-out browsers are refused on every page they open: a generous allowance
SIGNED_IN_LIMIT = 30  # a user's own refusals: a few are mistakes, dozens are probing
WINDOW = timedelta(minutes=10)
MAX_KEYS = 10_000


@dataclasses.dataclass(frozen=True)
class Allowance:
    record: bool  # write this refusal's own row
    crossed: bool = False  # this refusal went over the budget: write the "over budget" row
    unrecorded_before: int = 0  # refusals the previous window counted without a row


@dataclasses.dataclass
class _Window:
    started: datetime
    used: int = 0


class RefusalBudget:
    """How many refusals of one caller the log takes per window (per process: each worker its own)."""

    def __init__(self, limit: int, window: timedelta = WINDOW) -> None:
        self.limit, self.window = limit, window
        self._windows: dict[str, _Window] = {}

    def take(self, key: str, now: datetime) -> Allowance:
        current = self._windows.get(key)
        unrecorded = 0
        if current is None or now - current.started >= self.window:
            if current is not None:
                unrecorded = max(0, current.used - self.limit)
            if len(self._windows) >= MAX_KEYS:  # forget old windows rather than grow without bound
                self._windows = {k: w for k, w in self._windows.items() if now - w.started < self.window}
            current = self._windows[key] = _Window(now)
        current.used += 1
        return Allowance(record=current.used <= self.limit, crossed=current.used == self.limit + 1,
                         unrecorded_before=unrecorded)


_anonymous = RefusalBudget(ANONYMOUS_LIMIT)
_signed_in = RefusalBudget(SIGNED_IN_LIMIT)


def audit_refusal(principal: Principal | None, *, action: str, reason: str, client: ClientInfo) -> None:
    """Audit one refusal within the caller's budget (see the module docstring)."""
    if principal is None:
        allowance, budget = _anonymous.take(f"ip:{client.ip}", utcnow()), _anonymous
    else:
        allowance, budget = _signed_in.take(f"user:{principal.user_id}", utcnow()), _signed_in
    actor_name = None if principal else "anonymous"
    try:
        with unit_of_work() as session:
            if allowance.unrecorded_before:
                record(session, action="guard.refusals_unrecorded", outcome="denied", actor=principal, client=client,
                       actor_name=actor_name, details={"count": allowance.unrecorded_before,
                                                       "window_minutes": int(budget.window.total_seconds() // 60)})
            if allowance.record:
                record(session, action=action, outcome="denied", actor=principal, client=client,
                       actor_name=actor_name, details={"reason": reason})
            elif allowance.crossed:
                record(session, action="guard.refusals_over_budget", outcome="denied", actor=principal,
                       client=client, actor_name=actor_name,
                       details={"limit": budget.limit, "window_minutes": int(budget.window.total_seconds() // 60),
                                "last_action": action, "reason": reason})
    except Exception:  # the refusal itself must not fail because auditing did
        logger.exception("could not audit a refusal")
