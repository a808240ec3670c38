"""Integration tokens: created by an admin with scopes and communities, shown once, hashed at rest, revocable,
every step audited; a token resolves to a principal holding only what its scopes map to."""

from __future__ import annotations

import dataclasses
import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from pm_admin.api.models import ApiToken
from pm_admin.core.audit import record
from pm_admin.core.clock import local_text, utcnow
from pm_admin.core.errors import FieldErrors, NotFound
from pm_admin.core.ids import is_id
from pm_admin.core.parsers import clean_text
from pm_admin.core.permissions import ClientInfo, Perm, Principal

TOKEN_PREFIX = "pmi_"
# What each scope lets an integration do, as the permissions the services check.
SCOPES: dict[str, frozenset[str]] = {
    "tickets:create": frozenset({Perm.TICKETS_CREATE, Perm.TICKETS_VIEW}),
    "tickets:read": frozenset({Perm.TICKETS_VIEW}),
    "kpis:read": frozenset({Perm.DASHBOARD_VIEW, Perm.ARREARS_VIEW, Perm.SURVEYS_VIEW}),
}
TOUCH_INTERVAL = timedelta(minutes=1)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclasses.dataclass(frozen=True)
class IssuedToken:
    id: int
    token: str  # shown once


def create(session: Session, *, actor: Principal, name: str, scopes: list[str], community_ids: list[int],
           all_communities: bool = False, per_minute: int = 120) -> IssuedToken:
    actor.require(Perm.API_TOKENS_MANAGE)
    errors = FieldErrors()
    name = clean_text(errors, "name", name, max_length=64, required=True)
    chosen = sorted(set(scopes))
    if not chosen or any(scope not in SCOPES for scope in chosen):
        errors.add("scopes", "api.scopes_invalid")
    if not all_communities and not community_ids:
        errors.add("community_ids", "api.communities_required")
    if not 1 <= int(per_minute) <= 6000:
        errors.add("per_minute", "api.rate_invalid")
    errors.raise_if_any()
    for community_id in community_ids:
        actor.require_community(community_id)
    if all_communities:
        actor.require_community(None)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(name=name, prefix=token[:10], token_hash=digest(token), scopes=chosen,
                   all_communities=all_communities, community_ids=sorted(set(community_ids)),
                   per_minute=int(per_minute), created_by=actor.audit_user_id)
    session.add(row)
    session.flush()
    record(session, action="api.token_created", actor=actor, entity_type="api_token", entity_id=row.id,
           after={"name": name, "scopes": chosen, "communities": "all" if all_communities else row.community_ids})
    return IssuedToken(row.id, token)


def revoke(session: Session, *, actor: Principal, token_id: object) -> None:
    actor.require(Perm.API_TOKENS_MANAGE)
    row = session.get(ApiToken, int(token_id)) if is_id(token_id) else None
    if row is None:
        raise NotFound("api_token")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        session.add(row)
        record(session, action="api.token_revoked", actor=actor, entity_type="api_token", entity_id=row.id,
               details={"name": row.name})


def listing(session: Session, actor: Principal) -> list[dict]:
    actor.require(Perm.API_TOKENS_MANAGE)
    rows = session.exec(select(ApiToken).order_by(col(ApiToken.id).desc())).all()
    return [{"id": r.id, "name": r.name, "prefix": r.prefix + "…", "scopes": " ".join(r.scopes),
             "communities": "all" if r.all_communities else ",".join(str(c) for c in r.community_ids),
             "per_minute": r.per_minute, "created_at": local_text(r.created_at),
             "last_used_at": local_text(r.last_used_at), "revoked": r.revoked_at is not None} for r in rows]


@dataclasses.dataclass(frozen=True)
class Integration:
    token_id: int
    per_minute: int
    principal: Principal


def resolve(session: Session, token: str, client: ClientInfo, now: datetime | None = None) -> Integration | None:
    row = session.exec(select(ApiToken).where(ApiToken.token_hash == digest(token))).first()
    if row is None or row.revoked_at is not None:
        return None
    now = now or utcnow()
    if row.last_used_at is None or now - row.last_used_at > TOUCH_INTERVAL:
        session.execute(sa.update(ApiToken).where(ApiToken.id == row.id).values(last_used_at=now))
    permissions = frozenset().union(*(SCOPES.get(scope, frozenset()) for scope in row.scopes))
    principal = Principal(user_id=0, username=f"api:{row.name}"[:64], display_name=row.name, roles=frozenset(),
                          permissions=permissions, all_communities=row.all_communities,
                          community_ids=frozenset(row.community_ids), session_id=0, client=client, is_system=True)
    return Integration(row.id, row.per_minute, principal)
