"""Loading a row the way every service must: by a checked id, NotFound when missing, refused when outside
the principal's communities, and the optimistic version check of an edit."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from sqlmodel import Session

from pm_admin.core.errors import ConcurrencyConflict, FieldErrors, NotFound, PermissionDenied
from pm_admin.core.ids import is_id
from pm_admin.core.permissions import Principal

Row = TypeVar("Row")
CommunitiesOf = Callable[[Session, Any], Iterable[int | None]]


def own_community(_session: Session, row: Any) -> tuple[int | None]:
    return (row.community_id,)


def load_scoped(session: Session, model: type[Row], row_id: Any, principal: Principal, *,
                communities: CommunitiesOf = own_community, entity: str | None = None) -> Row:
    """The row ``row_id`` of ``model`` if the principal may reach it.

    ``communities`` names the communities a row belongs to (its own ``community_id`` by default); the row is in
    scope when any of them is. A crafted id reads as a missing row."""
    name = entity or model.__tablename__
    row = session.get(model, int(row_id)) if is_id(row_id) else None
    if row is None:
        raise NotFound(name)
    if not principal.all_communities and not any(
            principal.can_access_community(community_id) for community_id in communities(session, row)):
        raise PermissionDenied("error.out_of_scope")
    return row


def expect_version(row: Any, expected_version: int | None, current: Callable[[], dict[str, Any]] | None = None) -> None:
    """Refuse an edit made on an older copy; the conflict carries what is stored now (``current()``) so the form
    can show it beside the user's kept input."""
    if row.version != expected_version:
        raise ConcurrencyConflict({**(current() if current else {}), "version": row.version})


def community_of(errors: FieldErrors, principal: Principal, raw: Any) -> int | None:
    """The community a new record is for: required (a message beside ``community_id``), and one the principal may
    reach (refused otherwise)."""
    if not is_id(raw):
        errors.add("community_id", "error.required")
        return None
    principal.require_community(int(raw))
    return int(raw)
