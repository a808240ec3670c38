"""Staff accounts: created and edited by account managers within their own reach (roles and communities are
data), passwords reset, login locks cleared, the first admin."""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session, col, delete, select

from pm_admin.auth import throttle
from pm_admin.auth.models import Role, User, UserCommunity, UserRole
from pm_admin.auth.passwords import hash_password, password_problems
from pm_admin.auth.services import USERNAME_PATTERN, communities_of, normalize_username, revoke_user_sessions, roles_of
from pm_admin.core.audit import record
from pm_admin.core.clock import utcnow
from pm_admin.core.errors import FieldErrors, NotFound, PermissionDenied
from pm_admin.core.permissions import SYSTEM, Perm, Principal
from pm_admin.core.scoping import expect_version
from pm_admin.places.models import Community


def _user_snapshot(session: Session, user: User) -> dict:
    return {
        "username": user.username,
        "display_name": user.display_name,
        "is_active": user.is_active,
        "all_communities": user.all_communities,
        "roles": sorted(roles_of(session, user.id)),
        "community_ids": sorted(communities_of(session, user.id)),
    }


def _validate_account(
    session: Session,
    errors: FieldErrors,
    *,
    display_name: str,
    roles: Iterable[str],
    community_ids: Iterable[int],
    all_communities: bool,
    actor: Principal = SYSTEM,
) -> None:
    if not display_name.strip():
        errors.add("display_name", "error.required")
    elif len(display_name.strip()) > 32:
        errors.add("display_name", "error.too_long", max=32)
    roles = set(roles)
    if not roles:
        errors.add("roles", "users.roles_required")
    known_roles = set(session.exec(select(Role.code)).all())
    if roles - known_roles:
        errors.add("roles", "users.unknown_role")
    ids = set(community_ids)
    if not ids and not all_communities:  # a staff account scoped to nothing could sign in and see nothing
        errors.add("community_ids", "users.communities_required")
    if ids:
        found = set(session.exec(select(Community.id).where(col(Community.id).in_(ids))).all())
        if ids - found:
            errors.add("community_ids", "error.not_found", entity="community")
    # Permissions are data: whoever manages accounts hands out no more than their own reach.
    if not actor.all_communities and (all_communities or not ids <= actor.community_ids):
        errors.add("community_ids", "users.beyond_own_scope")
    if "admin" in roles and "admin" not in actor.roles:
        errors.add("roles", "users.admin_only_by_admin")


def _require_in_reach(session: Session, actor: Principal, user: User) -> None:
    """An account manager who is not company-wide touches only accounts of their own communities."""
    if actor.all_communities:
        return
    theirs = communities_of(session, user.id)
    if user.all_communities or not theirs or not theirs <= actor.community_ids:
        raise PermissionDenied("error.out_of_scope")


def _replace_links(session: Session, user_id: int, roles: Iterable[str], community_ids: Iterable[int]) -> None:
    session.exec(delete(UserRole).where(UserRole.user_id == user_id))
    session.exec(delete(UserCommunity).where(UserCommunity.user_id == user_id))
    for role in sorted(set(roles)):
        session.add(UserRole(user_id=user_id, role_code=role))
    for community_id in sorted(set(community_ids)):
        session.add(UserCommunity(user_id=user_id, community_id=community_id))


def create_user(
    session: Session,
    *,
    actor: Principal,
    username: str,
    display_name: str,
    password: str,
    roles: Iterable[str],
    community_ids: Iterable[int] = (),
    all_communities: bool = False,
    must_change_password: bool = True,
) -> User:
    """Create a staff account (``SYSTEM`` creates the first admin and the demo accounts)."""
    actor.require(Perm.USERS_MANAGE)
    username = normalize_username(username)
    roles, community_ids = list(roles), list(community_ids)
    errors = FieldErrors()
    if not USERNAME_PATTERN.match(username):
        errors.add("username", "users.username_invalid")
    elif session.exec(select(User.id).where(User.username == username)).first() is not None:
        errors.add("username", "users.username_taken")
    if problem := password_problems(password):
        errors.add("password", problem, min=8)
    _validate_account(session, errors, display_name=display_name, roles=roles, community_ids=community_ids,
                      all_communities=all_communities, actor=actor)
    errors.raise_if_any()
    user = User(
        username=username,
        display_name=display_name.strip(),
        password_hash=hash_password(password),
        all_communities=all_communities,
        must_change_password=must_change_password,
        password_changed_at=utcnow(),
    )
    session.add(user)
    session.flush()
    _replace_links(session, user.id, roles, community_ids)
    session.flush()
    record(session, action="user.create", actor=actor, entity_type="user", entity_id=user.id,
           after=_user_snapshot(session, user))
    return user


def update_user(
    session: Session,
    *,
    actor: Principal,
    user_id: int,
    expected_version: int,
    display_name: str,
    roles: Iterable[str],
    community_ids: Iterable[int],
    all_communities: bool,
    is_active: bool,
) -> User:
    actor.require(Perm.USERS_MANAGE)
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("user")
    _require_in_reach(session, actor, user)
    expect_version(user, expected_version, lambda: _user_snapshot(session, user))
    roles, community_ids = list(roles), list(community_ids)
    errors = FieldErrors()
    _validate_account(session, errors, display_name=display_name, roles=roles, community_ids=community_ids,
                      all_communities=all_communities, actor=actor)
    if user.id == actor.user_id and (not is_active or "admin" not in roles):
        errors.add("roles", "users.cannot_demote_self")
    errors.raise_if_any()
    before = _user_snapshot(session, user)
    user.display_name = display_name.strip()
    user.all_communities = all_communities
    user.is_active = is_active
    user.updated_at = utcnow()
    session.add(user)
    _replace_links(session, user.id, roles, community_ids)
    session.flush()
    if not is_active:
        revoke_user_sessions(session, user_id=user.id, reason="disabled")
    record(session, action="user.update", actor=actor, entity_type="user", entity_id=user.id,
           before=before, after=_user_snapshot(session, user))
    return user


def reset_password(session: Session, *, actor: Principal, user_id: int, new_password: str) -> None:
    """An admin sets a temporary password; the user must change it at next login."""
    actor.require(Perm.USERS_MANAGE)
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("user")
    _require_in_reach(session, actor, user)
    if problem := password_problems(new_password):
        errors = FieldErrors()
        errors.add("password", problem, min=8)
        errors.raise_if_any()
    user.password_hash = hash_password(new_password)
    user.must_change_password = True
    user.password_changed_at = utcnow()
    session.add(user)
    revoke_user_sessions(session, user_id=user.id, reason="password_reset")
    record(session, action="user.reset_password", actor=actor, entity_type="user", entity_id=user.id)


def unlock_login(session: Session, *, actor: Principal, user_id: int) -> int:
    """Clear an account's failed-login delays (e.g. its owner called, locked out on a new computer).

    Returns how many throttle counters were cleared; audited either way.
    """
    actor.require(Perm.USERS_MANAGE)
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("user")
    _require_in_reach(session, actor, user)
    cleared = throttle.clear_account(session, user.username)
    record(session, action="user.unlock_login", actor=actor, entity_type="user", entity_id=user.id,
           details={"counters_cleared": cleared})
    return cleared


def ensure_admin(session: Session, *, username: str, password: str) -> User | None:
    """Create the first admin if there is no active admin; returns it, or None if one exists."""
    existing = session.exec(
        select(User.id).join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role_code == "admin", User.is_active == True)  # noqa: E712
    ).first()
    if existing is not None:
        return None
    return create_user(session, actor=SYSTEM, username=username, display_name="系统管理员", password=password,
                       roles=["admin"], all_communities=True, must_change_password=True)
