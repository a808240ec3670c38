"""Bulk actions of the ticket list 批量指派 / 批量改等级: each selected ticket goes through the one-ticket service
(``actions.assign``, ``handling.change_tier``) with the version the user saw, so its permission, community scope,
workflow and version rules, timeline, audit and notifications are those of a single change. Each ticket runs in its
own savepoint: one refused leaves the others done, and the answer says which were refused and why."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session

from pm_admin.core.audit import record
from pm_admin.core.errors import ConcurrencyConflict, DomainError, FieldErrors, ValidationFailed
from pm_admin.core.ids import is_id
from pm_admin.core.permissions import Perm, Principal
from pm_admin.tickets.models import Ticket, Tier
from pm_admin.tickets.services import actions, handling

MAX_TICKETS = 200  # one bulk action; a bigger selection is narrowed first


@dataclasses.dataclass(frozen=True)
class Refusal:
    ticket_id: int
    code: str  # "" when the id names no ticket the actor may see (nothing is said about it)
    key: str  # the reason, a catalog key
    params: dict[str, Any]


@dataclasses.dataclass(frozen=True)
class BulkResult:
    done: list[str]  # codes, in the order given
    refused: list[Refusal]


def bulk_assign(session: Session, *, actor: Principal, versions: Mapping[int, int], assignee_id: int | None,
                now: datetime | None = None) -> BulkResult:
    """派单 / 改派 each ticket to ``assignee_id``: refused where the workflow does not allow it or the person is not
    staff of that ticket's community or department."""
    actor.require(Perm.TICKETS_WORK)
    if not is_id(assignee_id):  # nobody chosen: asked beside the picker, not refused ticket by ticket
        errors = FieldErrors()
        errors.add("assignee_id", "tickets.assignee_invalid")
        errors.raise_if_any()
    return _each(session, actor, versions, "assign", lambda ticket_id, version: actions.assign(
        session, actor=actor, ticket_id=ticket_id, expected_version=version, assignee_id=assignee_id, now=now))


def bulk_tier(session: Session, *, actor: Principal, versions: Mapping[int, int], tier: str,
              now: datetime | None = None) -> BulkResult:
    """Set each ticket's tier (new deadlines, managers told of a new urgent one), as on the ticket's page."""
    actor.require(Perm.TICKETS_WORK)
    if tier not in set(Tier):
        errors = FieldErrors()
        errors.add("tier", "tickets.tier_invalid")
        errors.raise_if_any()
    return _each(session, actor, versions, "tier", lambda ticket_id, version: handling.change_tier(
        session, actor=actor, ticket_id=ticket_id, tier=tier, expected_version=version, now=now))


def _each(session: Session, actor: Principal, versions: Mapping[int, int], operation: str,
          change: Callable[[int, int], Ticket]) -> BulkResult:
    if not versions:
        raise DomainError("tickets.bulk_none")
    if len(versions) > MAX_TICKETS:
        raise DomainError("tickets.bulk_too_many", max=MAX_TICKETS)
    done, refused = [], []
    for ticket_id, version in versions.items():
        try:
            with session.begin_nested():
                done.append(change(ticket_id, version).code)
        except (DomainError, StaleDataError) as error:
            refused.append(_refusal(session, actor, ticket_id, error))
    record(session, action="ticket.bulk", actor=actor, entity_type="ticket",
           details={"operation": operation, "done": done,
                    "refused": [{"id": r.ticket_id, "code": r.code, "reason": r.key} for r in refused]})
    return BulkResult(done, refused)


def _refusal(session: Session, actor: Principal, ticket_id: Any, error: Exception) -> Refusal:
    if isinstance(error, StaleDataError):  # saved by someone else between our read and our write
        error = ConcurrencyConflict()
    key, params = error.key, error.params
    if isinstance(error, ValidationFailed):  # the first field's reason (the assignee does not fit this ticket)
        key, params = next(iter(error.fields.values()))
    ticket = session.get(Ticket, int(ticket_id)) if is_id(ticket_id) else None
    visible = ticket is not None and actor.can_access_community(ticket.community_id)
    return Refusal(int(ticket_id) if is_id(ticket_id) else 0, ticket.code if visible else "", key, dict(params))
