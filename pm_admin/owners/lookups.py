"""Exact lookups by phone or ID number: personal-data reads, audited one by one and throttled per user.

The grid shows 7 of a phone's 11 digits, so an exact search answers whether a guess of the other four is
right; an owner form answers whether a typed ID number is registered. Both are lookups: each one is
audited (the number masked, how many it found) and a user gets ``LIMIT`` per ``WINDOW``. The first
refusal of a window writes one ``owner.pii_lookup_burst`` row, which admins see on their home page.
The count is read from the audit log itself, so every worker of a multi-worker deployment agrees.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session

from pm_admin.core.audit import AuditEvent, record
from pm_admin.core.clock import utcnow
from pm_admin.core.errors import DomainError, ValidationFailed
from pm_admin.core.paging import Page, PageRequest
from pm_admin.core.permissions import Principal
from pm_admin.owners import queries
from pm_admin.owners.models import Owner, OwnerGridRow
from pm_admin.owners.validation import id_number_problem, normalize_id_number

LIMIT = 30
WINDOW = timedelta(minutes=10)
LOOKUP = "owner.pii_lookup"
BURST = "owner.pii_lookup_burst"


class LookupThrottled(DomainError):
    def __init__(self) -> None:
        super().__init__("owners.lookup_throttled", limit=LIMIT, minutes=int(WINDOW.total_seconds() // 60))


def throttled_field(field: str) -> ValidationFailed:
    """The refusal of a form's lookup, shown beside the field that asked it."""
    throttled = LookupThrottled()
    return ValidationFailed({field: (throttled.key, throttled.params)})


def _count(session: Session, principal: Principal, action: str, since: datetime) -> int:
    return session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
        AuditEvent.actor_user_id == principal.user_id, AuditEvent.occurred_at >= since,
        AuditEvent.action == action)) or 0


def lookup_allowed(session: Session, principal: Principal, *, now: datetime | None = None) -> bool:
    """Whether the user has lookups left in the window. The first refusal of a window writes the burst row in
    this transaction: callers commit it and only then refuse (LookupThrottled), so the row stays."""
    since = (now or utcnow()) - WINDOW
    if _count(session, principal, LOOKUP, since) < LIMIT:
        return True
    if _count(session, principal, BURST, since) == 0:
        record(session, action="owner.pii_lookup_burst", actor=principal, outcome="denied", entity_type="owner",
               details={"limit": LIMIT, "window_minutes": int(WINDOW.total_seconds() // 60)})
    return False


def record_lookup(session: Session, principal: Principal, *, text: str, results: int, where: str) -> None:
    """One audited lookup: what kind, the number masked, how many it found, where it was asked."""
    record(session, action="owner.pii_lookup", actor=principal, entity_type="owner",
           details={"kind": queries.plan_search(text).kind, "search": queries.masked_search(text),
                    "results": results, "where": where})


def grid_lookup(session: Session, principal: Principal, request: PageRequest,
                filters: queries.OwnerFilter) -> Page[OwnerGridRow] | None:
    """The grid for a phone or ID number search, audited; None when the user's lookups are used up."""
    if not lookup_allowed(session, principal):
        return None
    page = queries.owner_grid(session, principal, request, filters)
    record_lookup(session, principal, text=filters.search, results=page.total, where="owner_grid")
    return page


def form_id_lookup(session: Session, principal: Principal, *, id_number: str, owner_id: int | None = None) -> bool:
    """An ID number typed into an owner form is checked against the registry (the form then says who holds
    it): a lookup, unless it is the owner's own number unchanged. False when the lookups are used up."""
    compact = normalize_id_number(id_number or "")
    if not compact or id_number_problem(compact) is not None:
        return True  # the form refuses it beside the field; nothing is looked up
    holders = set(session.scalars(sa.select(Owner.id).where(
        Owner.id_number_index == queries.plan_search(compact).value)).all())
    if owner_id is not None and holders == {owner_id}:
        return True
    if not lookup_allowed(session, principal):
        return False
    record_lookup(session, principal, text=compact, results=len(holders - {owner_id}), where="owner_form")
    return True
