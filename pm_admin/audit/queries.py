"""Audit log queries: filtered, scoped, one page at a time."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from pydantic import BaseModel
from sqlmodel import Session, col

from pm_admin.auth.models import User, UserCommunity
from pm_admin.core.audit import AuditEvent
from pm_admin.core.change_text import EMPTY, change_line, field_label, value_text
from pm_admin.core.clock import DISPLAY_ZONE, local_text
from pm_admin.core.i18n import DEFAULT_LANGUAGE, catalog, has_key, translate
from pm_admin.core.paging import Page, PageRequest, count, paginate
from pm_admin.core.permissions import Perm, Principal
from pm_admin.places.models import Community

ACTION_PREFIX = "audit.action."  # catalog keys naming each action code the application records
ENTITY_PREFIX = "audit.entity."  # … and each entity type
OUTCOMES = ("ok", "denied", "failed")


class AuditRow(BaseModel):
    id: int
    occurred_at: str
    actor_name: str
    action: str
    action_label: str  # in the reader's language
    outcome: str
    entity_type: str
    entity_label: str
    entity_id: str
    community_name: str
    changes: str
    client_ip: str


@dataclasses.dataclass(frozen=True)
class AuditFilter:
    action: str = ""  # an action code; ``guard.refused`` also finds ``guard.refused:<event>``
    actor: str = ""
    entity_type: str = ""
    entity_id: str = ""
    outcome: str = ""
    community_id: int | None = None
    since: date | None = None  # first and last day, inclusive, in the company's time zone
    until: date | None = None


def _labelled(prefix: str) -> list[str]:
    return sorted(key.removeprefix(prefix) for key in catalog(DEFAULT_LANGUAGE) if key.startswith(prefix))


def action_codes() -> list[str]:
    """The action codes to pick from: every code the application records has a label (a unit test
    checks the ``record`` calls), so the catalog is the list, with no scan of the log."""
    return _labelled(ACTION_PREFIX)


def entity_types() -> list[str]:
    return _labelled(ENTITY_PREFIX)


def _label(prefix: str, code: str, language: str) -> str:
    """The code's label; a code with none (rows older than their label) shows as stored."""
    key = prefix + code
    return translate(key, language) if has_key(key) else code


def action_label(action: str, language: str = DEFAULT_LANGUAGE) -> str:
    """``guard.refused:load`` reads "请求被拒绝 · load": the code's label, then the detail after the colon."""
    code, _, detail = action.partition(":")
    label = _label(ACTION_PREFIX, code, language)
    return f"{label} · {detail}" if detail else label


def _local_day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, DISPLAY_ZONE)


COMMUNITY_FIELDS = ("community_id", "community_ids")


def describe_changes(changes: dict, language: str = DEFAULT_LANGUAGE, entity: str = "",
                     community_names: dict[int, str] | None = None) -> str:
    """One line per field, named in the reader's language: ``面积: 88.50 → 95.00``; details without a
    before/after read ``房屋数: 1592``. Community ids read as their names."""
    def named(field: str, value):
        if community_names is None or field not in COMMUNITY_FIELDS:
            return value
        if isinstance(value, list):
            return [community_names.get(v, v) for v in value]
        return community_names.get(value, value)

    lines = []
    for field, value in changes.items():
        if isinstance(value, list) and len(value) == 2 and not (field == "community_ids" and _is_id_list(value)):
            lines.append(change_line(field, named(field, value[0]), named(field, value[1]), language, entity))
        else:
            text = value_text(field, named(field, value), language) or EMPTY
            lines.append(f"{field_label(field, language, entity)}: {text}")
    return "\n".join(lines)


def _is_id_list(value: list) -> bool:
    """``community_ids: [3, 5]`` as a detail is a list of ids, not a before/after pair."""
    return all(isinstance(v, int) for v in value)


def _community_ids_in(changes: dict) -> set[int]:
    found: set[int] = set()
    for field in COMMUNITY_FIELDS:
        for value in _flatten(changes.get(field)):
            if isinstance(value, int):
                found.add(value)
    return found


def _flatten(value) -> list:
    if isinstance(value, list):
        return [item for part in value for item in _flatten(part)]
    return [value]


def _of_communities(ids: frozenset[int]) -> sa.ColumnElement[bool]:
    """Events of these communities: those recorded with one of them, and community-less ones (sign-ins,
    failed sign-ins, refusals, password changes) whose actor is an account scoped to one of them.
    Throttled sign-ins name the account only by username, so those match on the name."""
    if not ids:
        return sa.false()
    communities = sorted(ids)
    staff_ids = sa.select(UserCommunity.user_id).where(col(UserCommunity.community_id).in_(communities))
    staff_names = sa.select(User.username).join(UserCommunity, UserCommunity.user_id == User.id).where(
        col(UserCommunity.community_id).in_(communities))
    by_staff = sa.or_(col(AuditEvent.actor_user_id).in_(staff_ids),
                      sa.and_(col(AuditEvent.actor_user_id).is_(None), col(AuditEvent.actor_name).in_(staff_names)))
    return sa.or_(col(AuditEvent.community_id).in_(communities),
                  sa.and_(col(AuditEvent.community_id).is_(None), by_staff))


def _visible(principal: Principal) -> sa.ColumnElement[bool]:
    """Company-wide users see every community-less event (sign-ins of any account, unknown usernames,
    refusals) whatever community the header picks, plus the picked communities' events; scoped users see
    their communities' events (see ``_of_communities``) and their own."""
    ids = principal.community_filter()
    if ids is None:
        return sa.true()
    clauses = [_of_communities(ids), AuditEvent.actor_user_id == principal.user_id]
    if principal.all_communities:
        clauses.append(col(AuditEvent.community_id).is_(None))
    return sa.or_(*clauses)


def _action_is(code: str) -> sa.ColumnElement[bool]:
    return sa.or_(AuditEvent.action == code, AuditEvent.action.startswith(f"{code}:", autoescape=True))


def list_events(session: Session, principal: Principal, request: PageRequest, filters: AuditFilter,
                language: str = DEFAULT_LANGUAGE) -> Page[AuditRow]:
    principal.require(Perm.AUDIT_VIEW)
    request = request.clamp()
    statement = (
        sa.select(AuditEvent, Community.name)
        .outerjoin(Community, Community.id == AuditEvent.community_id)
        .where(_visible(principal))
    )
    if filters.community_id is not None:
        allowed = principal.can_access_community(filters.community_id)
        statement = statement.where(_of_communities(frozenset({filters.community_id})) if allowed else sa.false())
    if filters.action:
        statement = statement.where(_action_is(filters.action))
    if filters.actor:
        statement = statement.where(AuditEvent.actor_name == filters.actor.strip().lower())
    if filters.entity_type:
        statement = statement.where(AuditEvent.entity_type == filters.entity_type)
    if filters.entity_id:
        statement = statement.where(AuditEvent.entity_id == filters.entity_id.strip())
    if filters.outcome:
        statement = statement.where(AuditEvent.outcome == filters.outcome)
    if filters.since:
        statement = statement.where(AuditEvent.occurred_at >= _local_day_start(filters.since))
    if filters.until:
        statement = statement.where(AuditEvent.occurred_at < _local_day_start(filters.until + timedelta(days=1)))
    total = count(session, statement)
    statement = statement.order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    found = session.execute(paginate(statement, request)).all()
    mentioned = set().union(*(_community_ids_in(event.changes or {}) for event, _ in found))
    community_names = dict(session.execute(
        sa.select(Community.id, Community.name).where(col(Community.id).in_(sorted(mentioned)))).all()) if mentioned else {}
    rows = [
        AuditRow(
            id=event.id, occurred_at=local_text(event.occurred_at, seconds=True), actor_name=event.actor_name,
            action=event.action, action_label=action_label(event.action, language), outcome=event.outcome,
            entity_type=event.entity_type,
            entity_label=_label(ENTITY_PREFIX, event.entity_type, language) if event.entity_type else "",
            entity_id=event.entity_id,
            community_name=community_name or "",
            changes=describe_changes(event.changes, language, event.entity_type, community_names),
            client_ip=event.client_ip,
        )
        for event, community_name in found
    ]
    return Page(rows, total, request.page, request.page_size)


def count_recent(session: Session, principal: Principal, *, action: str, since: datetime) -> int:
    """How many ``action`` events since a time, within what the principal may see."""
    return session.scalar(
        sa.select(sa.func.count(AuditEvent.id))
        .where(_visible(principal), AuditEvent.action == action, AuditEvent.occurred_at >= since)
    ) or 0
