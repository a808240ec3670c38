"""Activating an account and signing in (phone + password, or phone + one-time code), throttled like staff logins.

A successful step opens a portal session and returns a one-time ticket; the browser trades it for the HttpOnly
``pm_portal`` cookie at ``/portal/session`` (as staff do at ``/auth/session``), so no token passes through script.
"""

from __future__ import annotations

import dataclasses
import hashlib
import secrets
from datetime import datetime, timedelta

from sqlmodel import Session, select

from pm_admin.auth import throttle
from pm_admin.auth.passwords import dummy_verify, hash_password, password_problems, verify_password
from pm_admin.core.audit import record
from pm_admin.core.clock import utcnow
from pm_admin.core.crypto import decrypt
from pm_admin.core.errors import FieldErrors
from pm_admin.core.masking import mask_phone
from pm_admin.core.permissions import ClientInfo
from pm_admin.portal.models import AccountStatus, CodePurpose, OwnerAccount, PortalSession
from pm_admin.portal.services import codes
from pm_admin.portal.services.invitations import open_invitation, phone_key

TICKET_LIFETIME = timedelta(seconds=60)


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


@dataclasses.dataclass(frozen=True)
class Outcome:
    ok: bool
    message_key: str = ""
    wait_seconds: int = 0
    ticket: str = ""  # on success: trade it at /portal/session


def _open_session(session: Session, account: OwnerAccount, client: ClientInfo, now: datetime, how: str) -> Outcome:
    ticket = secrets.token_urlsafe(32)
    login = PortalSession(account_id=account.id, ticket_hash=digest(ticket), ticket_expires_at=now + TICKET_LIFETIME,
                          created_at=now, last_seen_at=now)
    session.add(login)
    session.flush()
    record(session, action="portal.login", actor_name=f"owner_account:{account.id}", client=client,
           entity_type="owner_account", entity_id=account.id, details={"how": how, "session": login.id})
    return Outcome(ok=True, ticket=ticket)


# ------------------------------------------------------------------ activation


def activation_phone(session: Session, token: str) -> str:
    """The masked phone a link's code goes to (shown on the activation page)."""
    _, account = open_invitation(session, token)
    return mask_phone(decrypt(account.phone_enc))


def send_activation_code(session: Session, token: str, now: datetime | None = None) -> bool:
    _, account = open_invitation(session, token, now)
    return codes.send_code(session, account, CodePurpose.ACTIVATE, now)


def activate(session: Session, *, token: str, code: str, password: str, client: ClientInfo,
             now: datetime | None = None) -> Outcome:
    """Confirm the phone with its code and set a password: the account is active and signed in."""
    now = now or utcnow()
    invitation, account = open_invitation(session, token, now)
    errors = FieldErrors()
    if problem := password_problems(password):
        errors.add("password", problem)
    errors.raise_if_any()
    attempt = throttle.login_attempt(client_ip=client.ip, username=f"owner:{account.id}", device_id=None)
    if wait := throttle.seconds_to_wait(session, attempt, now):
        return Outcome(ok=False, message_key="auth.throttled", wait_seconds=wait)
    if not codes.use_code(session, account, CodePurpose.ACTIVATE, code, now):
        # Returned, not raised: the failure counts must commit.
        throttle.register_failure(session, attempt, now)
        return Outcome(ok=False, message_key="portal.code_invalid")
    throttle.register_success(session, attempt, now)
    account.password_hash = hash_password(password)
    account.status, account.activated_at = AccountStatus.ACTIVE, now
    invitation.used_at = now
    session.add_all([account, invitation])
    record(session, action="portal.activated", actor_name=f"owner_account:{account.id}", client=client,
           entity_type="owner_account", entity_id=account.id)
    return _open_session(session, account, client, now, "activation")


# ------------------------------------------------------------------ sign-in


def _account_by_phone(session: Session, phone: str) -> OwnerAccount | None:
    key = phone_key(phone)
    return session.exec(select(OwnerAccount).where(OwnerAccount.phone_index == key)).first() if key else None


def _attempt(phone: str, client: ClientInfo) -> throttle.Attempt:
    # "owner:" never collides with a staff username (those are [a-z0-9_.-]).
    return throttle.login_attempt(client_ip=client.ip, username=f"owner:{phone_key(phone) or phone.strip()[:20]}",
                                  device_id=None)


def sign_in_with_password(session: Session, *, phone: str, password: str, client: ClientInfo,
                          now: datetime | None = None) -> Outcome:
    now = now or utcnow()
    attempt = _attempt(phone, client)
    if wait := throttle.seconds_to_wait(session, attempt, now):
        return Outcome(ok=False, message_key="auth.throttled", wait_seconds=wait)
    account = _account_by_phone(session, phone)
    if account is None or account.password_hash is None:
        dummy_verify(password)
    if account is None or account.password_hash is None or not verify_password(password, account.password_hash):
        throttle.register_failure(session, attempt, now)
        record(session, action="portal.login_failed", outcome="failed", client=client,
               actor_name=f"owner_account:{account.id}" if account else "owner")
        return Outcome(ok=False, message_key="portal.invalid_credentials")
    if account.status != AccountStatus.ACTIVE:
        return Outcome(ok=False, message_key="portal.account_disabled")
    throttle.register_success(session, attempt, now)
    return _open_session(session, account, client, now, "password")


def send_sign_in_code(session: Session, *, phone: str, now: datetime | None = None) -> None:
    """Text a code if the phone has an active account. The answer is the same either way (no account probing)."""
    account = _account_by_phone(session, phone)
    if account is not None and account.status == AccountStatus.ACTIVE:
        codes.send_code(session, account, CodePurpose.SIGN_IN, now)


def sign_in_with_code(session: Session, *, phone: str, code: str, client: ClientInfo,
                      now: datetime | None = None) -> Outcome:
    now = now or utcnow()
    attempt = _attempt(phone, client)
    if wait := throttle.seconds_to_wait(session, attempt, now):
        return Outcome(ok=False, message_key="auth.throttled", wait_seconds=wait)
    account = _account_by_phone(session, phone)
    if (account is None or account.status != AccountStatus.ACTIVE
            or not codes.use_code(session, account, CodePurpose.SIGN_IN, code, now)):
        throttle.register_failure(session, attempt, now)
        return Outcome(ok=False, message_key="portal.code_invalid")
    throttle.register_success(session, attempt, now)
    return _open_session(session, account, client, now, "code")
