"""Portal sessions: trading a sign-in ticket for the cookie token, resolving it to an OwnerPrincipal, ending it."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from pm_admin.core.clock import local_today, utcnow
from pm_admin.core.permissions import ClientInfo, OwnerPrincipal
from pm_admin.portal import people
from pm_admin.portal.models import AccountStatus, OwnerAccount, PortalSession
from pm_admin.portal.services.sign_in import digest

# A phone stays signed in for a month unless left unused for a week (staff sessions are a working day).
IDLE = timedelta(days=7)
ABSOLUTE = timedelta(days=30)
TOUCH_INTERVAL = timedelta(minutes=5)


def exchange_ticket(session: Session, ticket: str, now: datetime | None = None) -> str | None:
    """The session token for a fresh one-time ticket, or None."""
    now = now or utcnow()
    login = session.exec(select(PortalSession).where(PortalSession.ticket_hash == digest(ticket or ""))).first()
    if (login is None or login.revoked_at is not None or login.token_hash is not None
            or login.ticket_expires_at is None or login.ticket_expires_at < now):
        return None
    token = secrets.token_urlsafe(32)
    login.token_hash, login.ticket_hash, login.ticket_expires_at, login.last_seen_at = digest(token), None, None, now
    session.add(login)
    return token


def resolve(session: Session, token: str | None, client: ClientInfo, now: datetime | None = None) -> OwnerPrincipal | None:
    """The owner behind a portal cookie; None when unknown, ended, expired, or the account is not active."""
    if not token:
        return None
    now = now or utcnow()
    row = session.exec(select(PortalSession, OwnerAccount).join(OwnerAccount, OwnerAccount.id == PortalSession.account_id)
                       .where(PortalSession.token_hash == digest(token))).first()
    if row is None:
        return None
    login, account = row
    if login.revoked_at is not None or account.status != AccountStatus.ACTIVE:
        return None
    if now - login.created_at > ABSOLUTE or now - login.last_seen_at > IDLE:
        login.revoked_at, login.revoke_reason = now, "timeout"
        session.add(login)
        return None
    if now - login.last_seen_at > TOUCH_INTERVAL:
        session.execute(sa.update(PortalSession).where(PortalSession.id == login.id).values(last_seen_at=now))
    found = people.person(session, account.person_kind, account.person_id, local_today())
    return OwnerPrincipal(account_id=account.id, display_name=account.display_name,
                          person_kind=str(account.person_kind),
                          owner_id=people.owner_id_of(session, account.person_kind, account.person_id),
                          rooms=found.rooms if found else (), session_id=login.id, language=account.language,
                          client=client)


def end(session: Session, session_id: int, reason: str = "logout") -> None:
    session.execute(sa.update(PortalSession).where(PortalSession.id == session_id, col(PortalSession.revoked_at).is_(None))
                    .values(revoked_at=utcnow(), revoke_reason=reason))


def end_all(session: Session, account_id: int, reason: str) -> None:
    session.execute(sa.update(PortalSession).where(PortalSession.account_id == account_id,
                                                   col(PortalSession.revoked_at).is_(None))
                    .values(revoked_at=utcnow(), revoke_reason=reason))
