"""Signing in and out: password checks with throttling, one-time session tickets, resolving a browser's session
to a Principal on every event, revoking sessions, the current community, changing one's own password."""

from __future__ import annotations

import dataclasses
import hashlib
import re
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from pm_admin.auth import session_cache, throttle
from pm_admin.auth.models import LoginSession, RolePermission, User, UserCommunity, UserRole
from pm_admin.auth.passwords import dummy_verify, hash_password, password_problems, verify_password
from pm_admin.core import change_watch
from pm_admin.core.audit import record
from pm_admin.core.clock import utcnow
from pm_admin.core.errors import FieldErrors, NotFound, PermissionDenied, ValidationFailed
from pm_admin.core.permissions import ClientInfo, Perm, Principal
from pm_admin.settings import get_settings

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_.-]{2,31}$")


TICKET_LIFETIME = timedelta(seconds=60)


TOUCH_INTERVAL = timedelta(seconds=60)


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def normalize_username(username: str) -> str:
    return username.strip().lower()


def change_password(
    session: Session,
    *,
    principal: Principal,
    current_password: str,
    new_password: str,
    now: datetime | None = None,
) -> ValidationFailed | None:
    """Change one's own password; the refusal is returned, not raised.

    Checking the current password is throttled and audited like a login (against the account),
    so a borrowed session cannot guess it faster. Returning the refusal lets the caller commit
    the failure count and audit event, which raising would roll back.
    """
    now = now or utcnow()
    user = session.get(User, principal.user_id)
    if user is None:
        raise NotFound("user")
    attempt = throttle.password_check_attempt(user.username)
    if wait := throttle.seconds_to_wait(session, attempt, now):
        record(session, action="auth.password_check_throttled", outcome="denied", actor=principal,
               entity_type="user", entity_id=user.id, details={"wait_seconds": wait})
        return ValidationFailed({"current_password": ("auth.password_check_throttled", {"seconds": wait})})
    errors = FieldErrors()
    current_is_right = verify_password(current_password, user.password_hash)
    if not current_is_right:
        throttle.register_failure(session, attempt, now)
        record(session, action="auth.password_check_failed", outcome="failed", actor=principal,
               entity_type="user", entity_id=user.id)
        errors.add("current_password", "auth.current_password_wrong")
    if problem := password_problems(new_password):
        errors.add("new_password", problem, min=8)
    elif new_password == current_password:
        errors.add("new_password", "auth.password_unchanged")
    if errors.fields:
        return ValidationFailed(errors.fields)
    throttle.register_success(session, attempt, now)
    user.password_hash = hash_password(new_password)
    user.must_change_password = False
    user.password_changed_at = now
    session.add(user)
    # Other browsers signed in with the old password are signed out.
    revoke_user_sessions(session, user_id=user.id, reason="password_changed", keep_session_id=principal.session_id)
    record(session, action="user.change_password", actor=principal, entity_type="user", entity_id=user.id)
    return None


@dataclasses.dataclass(frozen=True)
class LoginResult:
    ok: bool
    message_key: str = ""
    wait_seconds: int = 0
    ticket: str = ""
    landing: str = "/"  # where the user starts when the sign-in names no page


def landing_path(session: Session, user_id: int) -> str:
    """A technician (own orders, no ticket desk) starts on 我的工单; everyone else on the home page."""
    roles = roles_of(session, user_id)
    permissions = set(session.exec(select(RolePermission.permission_code).where(
        col(RolePermission.role_code).in_(roles))).all()) if roles else set()
    return "/my-orders" if Perm.TICKETS_OWN in permissions and Perm.TICKETS_VIEW not in permissions else "/"


def authenticate(
    session: Session,
    *,
    username: str,
    password: str,
    client: ClientInfo,
    device_token: str | None = None,
    now: datetime | None = None,
) -> LoginResult:
    """Check a password under throttling; on success open a session and return its ticket.

    Failures are recorded (throttle counters and audit) in the caller's transaction, so the
    caller commits whatever the outcome.
    """
    now = now or utcnow()
    username = normalize_username(username)[:64]
    device_id = throttle.device_id_for(get_settings().secret_key, device_token, username)
    attempt = throttle.login_attempt(client_ip=client.ip, username=username, device_id=device_id)
    if wait := throttle.seconds_to_wait(session, attempt, now):
        record(session, action="auth.login_throttled", outcome="denied", actor_name=username, client=client,
               details={"wait_seconds": wait})
        return LoginResult(ok=False, message_key="auth.throttled", wait_seconds=wait)
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None:
        dummy_verify(password)
    if user is None or not verify_password(password, user.password_hash):
        throttle.register_failure(session, attempt, now)
        record(session, action="auth.login_failed", outcome="failed", actor_name=username, client=client,
               actor_user_id=user.id if user else None)
        return LoginResult(ok=False, message_key="auth.invalid_credentials")
    if not user.is_active:
        record(session, action="auth.login_failed", outcome="denied", actor_user_id=user.id,
               actor_name=username, client=client, details={"reason": "disabled"})
        return LoginResult(ok=False, message_key="auth.account_disabled")
    throttle.register_success(session, attempt, now)
    ticket = secrets.token_urlsafe(32)
    login = LoginSession(
        user_id=user.id,
        ticket_hash=_digest(ticket),
        ticket_expires_at=now + TICKET_LIFETIME,
        created_at=now,
        last_seen_at=now,
        client_ip=client.ip[:64],
        user_agent=client.user_agent[:256],
    )
    session.add(login)
    # Not through the versioned row: three sign-ins of one account at once must not refuse each other as edits.
    session.execute(sa.update(User.__table__).where(User.__table__.c.id == user.id).values(last_login_at=now))
    set_committed_value(user, "last_login_at", now)
    session.flush()
    record(session, action="auth.login", actor_user_id=user.id, actor_name=user.username, client=client,
           entity_type="session", entity_id=login.id)
    return LoginResult(ok=True, ticket=ticket, landing=landing_path(session, user.id))


@dataclasses.dataclass(frozen=True)
class IssuedSession:
    token: str
    username: str


def exchange_ticket(session: Session, *, ticket: str, now: datetime | None = None) -> IssuedSession | None:
    """Trade a fresh one-time login ticket for the session token that goes into the cookie."""
    now = now or utcnow()
    login = session.exec(select(LoginSession).where(LoginSession.ticket_hash == _digest(ticket))).first()
    if login is None or login.revoked_at is not None or login.token_hash is not None:
        return None
    if login.ticket_expires_at is None or login.ticket_expires_at < now:
        return None
    token = secrets.token_urlsafe(32)
    login.token_hash = _digest(token)
    login.ticket_hash = None
    login.ticket_expires_at = None
    login.last_seen_at = now
    session.add(login)
    user = session.get(User, login.user_id)
    return IssuedSession(token=token, username=user.username)


def _expiry_reason(created_at: datetime, last_seen_at: datetime, now: datetime) -> str | None:
    settings = get_settings()
    if now - created_at > timedelta(hours=settings.session_absolute_hours):
        return "absolute_timeout"
    if now - last_seen_at > timedelta(minutes=settings.session_idle_minutes):
        return "idle_timeout"
    return None


def remembered_session(token: str | None, client: ClientInfo, *, counts_as_activity: bool = True,
                       now: datetime | None = None) -> Principal | None:
    """The principal of a session resolved a moment ago (``session_cache``); None: ask ``resolve_session``."""
    if not token:
        return None
    return session_cache.lookup(_digest(token), client, now or utcnow(), touches=counts_as_activity,
                                touch_interval=TOUCH_INTERVAL, expiry_reason=_expiry_reason)


def principal_for(session: Session, login: LoginSession, user: User, client: ClientInfo) -> Principal:
    roles = roles_of(session, user.id)
    permissions = set(
        session.exec(select(RolePermission.permission_code).where(col(RolePermission.role_code).in_(roles))).all()
    ) if roles else set()
    return Principal(
        user_id=user.id,
        username=user.username,
        display_name=user.display_name,
        roles=frozenset(roles),
        permissions=frozenset(permissions),
        all_communities=user.all_communities,
        community_ids=frozenset(communities_of(session, user.id)),
        session_id=login.id,
        current_community_id=login.current_community_id,
        must_change_password=user.must_change_password,
        client=client,
    )


def resolve_session(
    session: Session,
    *,
    token: str | None,
    client: ClientInfo,
    now: datetime | None = None,
    counts_as_activity: bool = True,
) -> Principal | None:
    """The principal behind a session cookie, or None if it is unknown, revoked or expired.

    ``counts_as_activity=False`` is for background polls (notice bell, board refresh): they
    see the limits enforced but do not move the idle clock, or an open tab would never idle out.
    """
    if not token:
        return None
    now = now or utcnow()
    generation = change_watch.generation(session_cache.TOPIC)  # read first: a change committed meanwhile wins
    row = session.exec(
        select(LoginSession, User)
        .join(User, User.id == LoginSession.user_id)
        .where(LoginSession.token_hash == _digest(token))
    ).first()
    if row is None:
        return None
    login, user = row
    if login.revoked_at is not None or not user.is_active:
        return None
    if reason := _expiry_reason(login.created_at, login.last_seen_at, now):
        login.revoked_at, login.revoke_reason = now, reason
        session.add(login)
        record(session, action="auth.session_expired", actor_user_id=user.id, actor_name=user.username,
               client=client, entity_type="session", entity_id=login.id, details={"reason": reason})
        return None
    if counts_as_activity and now - login.last_seen_at > TOUCH_INTERVAL:
        login.last_seen_at = now
        session.add(login)
    principal = principal_for(session, login, user, client)
    session_cache.remember(_digest(token), principal, login, now, generation)
    return principal


def revoke_session(session: Session, *, principal: Principal, reason: str = "logout") -> None:
    login = session.get(LoginSession, principal.session_id)
    if login is not None and login.revoked_at is None:
        login.revoked_at, login.revoke_reason = utcnow(), reason
        session.add(login)
    record(session, action="auth.logout", actor=principal, entity_type="session", entity_id=principal.session_id)


def revoke_user_sessions(session: Session, *, user_id: int, reason: str, keep_session_id: int | None = None) -> None:
    now = utcnow()
    for login in session.exec(
        select(LoginSession).where(LoginSession.user_id == user_id, col(LoginSession.revoked_at).is_(None))
    ).all():
        if login.id != keep_session_id:
            login.revoked_at, login.revoke_reason = now, reason
            session.add(login)


def select_community(session: Session, *, principal: Principal, community_id: int | None) -> None:
    """Remember the header's community choice on the session (None = all in scope)."""
    if community_id is not None:
        principal.require_community(community_id)
    login = session.get(LoginSession, principal.session_id)
    if login is None:
        raise PermissionDenied()
    login.current_community_id = community_id
    session.add(login)


def roles_of(session: Session, user_id: int) -> set[str]:
    return set(session.exec(select(UserRole.role_code).where(UserRole.user_id == user_id)).all())


def communities_of(session: Session, user_id: int) -> set[int]:
    return set(session.exec(select(UserCommunity.community_id).where(UserCommunity.user_id == user_id)).all())
