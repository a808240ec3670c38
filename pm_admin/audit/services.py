"""``record``: the one way anything writes to the audit log."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlmodel import Session

from pm_admin.audit.models import AuditEvent
from pm_admin.core.permissions import ClientInfo, Principal

# Fields whose values never belong in the audit log, even as "before".
REDACTED_FIELDS = frozenset({"password", "password_hash", "token_hash", "ticket_hash"})


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_jsonable(v) for v in sorted(value, key=str)] if isinstance(value, (set, frozenset)) else [_jsonable(v) for v in value]
    return str(value)


def diff(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for the fields that differ (all fields on create/delete)."""
    before = before or {}
    after = after or {}
    changes: dict[str, list[Any]] = {}
    for field in sorted(set(before) | set(after)):
        old, new = before.get(field), after.get(field)
        if field in REDACTED_FIELDS:
            if old != new:
                changes[field] = ["***", "***"]
            continue
        if _jsonable(old) != _jsonable(new):
            changes[field] = [_jsonable(old), _jsonable(new)]
    return changes


def record(
    session: Session,
    *,
    action: str,
    actor: Principal | None = None,
    entity_type: str = "",
    entity_id: Any = "",
    community_id: int | None = None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    details: Mapping[str, Any] | None = None,
    outcome: str = "ok",
    client: ClientInfo | None = None,
    actor_name: str | None = None,
    actor_user_id: int | None = None,
) -> AuditEvent:
    """Append one audit event in the caller's transaction (it commits with the change)."""
    client = client or (actor.client if actor else ClientInfo())
    changes: dict[str, Any] = diff(before, after)
    if details:
        changes.update({key: _jsonable(value) for key, value in details.items()})
    event = AuditEvent(
        actor_user_id=actor.user_id if actor else actor_user_id,
        actor_name=(actor.username if actor else actor_name) or "",
        action=action,
        outcome=outcome,
        entity_type=entity_type,
        entity_id=str(entity_id) if entity_id is not None else "",
        community_id=community_id,
        changes=changes,
        client_ip=client.ip[:64],
        user_agent=client.user_agent[:256],
    )
    session.add(event)
    return event
